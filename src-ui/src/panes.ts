// The side pane beside the text: one at a time, or none.
export type Pane = "preview" | "history" | "outline" | "ai" | null;
