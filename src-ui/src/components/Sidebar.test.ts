import { describe, expect, it, vi } from "vitest";
import { render, screen, fireEvent, waitFor } from "@testing-library/svelte";
import Sidebar from "./Sidebar.svelte";
import { fakeInvoke } from "./fake-invoke";
import type { DraftSummary } from "../ipc";

const draft = (id: string, title: string, extra: Partial<DraftSummary> = {}): DraftSummary => ({
  id,
  title,
  line: "",
  tags: [],
  createdAt: 1,
  updatedAt: Date.now(),
  trashedAt: null,
  sync: "local",
  snippet: null,
  ...extra,
});

function setup(list: DraftSummary[], trash: DraftSummary[] = []) {
  const fake = fakeInvoke({
    list_drafts: ({ query }) => (query.trash ? trash : list),
    list_tags: () => [{ tag: "sea", drafts: 1 }],
    search_drafts: ({ query }) =>
      list
        .filter((d) => d.title.toLowerCase().includes(query.toLowerCase()))
        .map((d) => ({ ...d, snippet: "…we came to \u0002Lisbon\u0003 <b>by</b> train…" })),
    empty_trash: () => trash.length,
  });
  const props = {
    invoke: fake.invoke,
    currentId: "b",
    published: new Map(),
    sort: "updated" as const,
    version: 0,
    onopen: vi.fn(),
    ontrash: vi.fn(),
    onrestore: vi.fn(),
    onnew: vi.fn(),
    onsort: vi.fn(),
    onerror: vi.fn(),
  };
  render(Sidebar, props);
  return { ...fake, props };
}

describe("the drafts sidebar", () => {
  it("shows title, list line, tags and state together, and the current draft", async () => {
    setup([
      draft("a", "A long title that goes on and on past the sidebar's width", { line: "First words.", tags: ["sea"], sync: "synced" }),
      draft("b", ""),
    ]);
    const row = (await screen.findByText(/A long title/)).closest("li");
    expect(row?.querySelector(".line")?.textContent).toBe("First words.");
    expect(row?.querySelector(".tags")?.textContent).toBe("#sea");
    expect(row?.querySelector(".sync")?.textContent).toBe("on server");
    const untitled = screen.getByText("Untitled draft").closest("li");
    expect(untitled?.getAttribute("aria-current")).toBe("true");
  });

  it("opens a draft on click and trashes it from its button without opening it", async () => {
    const { props } = setup([draft("a", "Notes")]);
    await fireEvent.click(await screen.findByText("Notes"));
    expect(props.onopen).toHaveBeenCalledWith("a");
    await fireEvent.click(screen.getByRole("button", { name: "Move “Notes” to the trash" }));
    expect(props.ontrash).toHaveBeenCalledWith("a");
    expect(props.onopen).toHaveBeenCalledTimes(1);
  });

  it("says an empty trash is empty, and empties a full one in two clicks", async () => {
    const { calls } = setup([draft("a", "Notes")], []);
    await fireEvent.click(screen.getByRole("button", { name: "Trash" }));
    expect(await screen.findByText("The trash is empty.")).toBeTruthy();
    expect(screen.queryByRole("button", { name: "Empty trash" })).toBeNull();
    expect(calls.filter((c) => c.cmd === "empty_trash")).toHaveLength(0);
  });

  it("searches as you type and remembers the chosen sort through the app", async () => {
    const { props, calls } = setup([draft("a", "Lisbon"), draft("c", "Porto")]);
    await screen.findByText("Porto");
    const search = screen.getByRole("searchbox", { name: "Search drafts" });
    await fireEvent.input(search, { target: { value: "lis" } });
    await waitFor(() => expect(calls.some((c) => c.cmd === "search_drafts")).toBe(true));
    await waitFor(() => expect(screen.queryByText("Porto")).toBeNull());
    // The snippet shows the match marked, and the text as text (no markup from a draft).
    const mark = await screen.findByText("Lisbon", { selector: "mark" });
    expect(mark.parentElement?.textContent).toBe("…we came to Lisbon <b>by</b> train…");
    await fireEvent.change(screen.getByRole("combobox", { name: "Sort drafts" }), { target: { value: "title" } });
    expect(props.onsort).toHaveBeenCalledWith("title");
  });
});
