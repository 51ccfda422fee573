// A draft the AI wrote: the level-one heading it opens with is the draft's title.

/** The title in `text`'s opening `# Heading` line, and where the body starts after it. */
export function splitTitle(text: string): { title: string; bodyStart: number } | null {
  const m = /^\s*# +(.+?) *#* *(?:\r?\n|$)(?:[ \t]*\r?\n)*/.exec(text);
  if (!m) return null;
  const title = m[1]!.trim();
  return title === "" ? null : { title, bodyStart: m[0].length };
}
