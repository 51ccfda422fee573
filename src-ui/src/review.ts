// Words for an AI review: what each kind of suggestion is called, and what a request used.

import type { SuggestionKind, Usage } from "./ipc";

export const KIND_LABELS: Record<SuggestionKind, string> = {
  grammar: "Grammar",
  spelling: "Spelling",
  clarity: "Clarity",
  style: "Style",
  tone: "Tone",
  structure: "Structure",
};

/** "Used 1,412 tokens (1,200 in, 212 out)." — nothing when the provider did not say. */
export function usageLabel(usage: Usage): string {
  const total = usage.inputTokens + usage.outputTokens;
  if (total === 0) return "";
  const n = (x: number) => x.toLocaleString("en-US");
  return `Used ${n(total)} tokens (${n(usage.inputTokens)} in, ${n(usage.outputTokens)} out).`;
}
