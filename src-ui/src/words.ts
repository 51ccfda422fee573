// Words in a text, counted exactly as pint-model's `count_words` counts them (the
// preview's and the blog's count): runs of letters or digits, apostrophes and hyphens
// inside a word, and each character of scripts written without spaces.

function unspaced(cp: number): boolean {
  return (
    (cp >= 0x3040 && cp <= 0x30ff) ||
    (cp >= 0x3400 && cp <= 0x4dbf) ||
    (cp >= 0x4e00 && cp <= 0x9fff) ||
    (cp >= 0xac00 && cp <= 0xd7af) ||
    (cp >= 0xf900 && cp <= 0xfaff) ||
    (cp >= 0x20000 && cp <= 0x2fa1f)
  );
}

const ALNUM = /[\p{L}\p{N}]/u;

export function countWords(text: string): number {
  let words = 0;
  let inWord = false;
  for (const ch of text) {
    const cp = ch.codePointAt(0) ?? 0;
    if (unspaced(cp)) {
      words++;
      inWord = false;
    } else if (ALNUM.test(ch)) {
      if (!inWord) words++;
      inWord = true;
    } else if (!(inWord && (ch === "'" || ch === "’" || ch === "-"))) {
      inWord = false;
    }
  }
  return words;
}

/** The status line's words about length, goal and selection. */
export function wordsLabel(words: number, minutes: number, goal: number | null, selected: number): string {
  const fmt = (n: number) => n.toLocaleString();
  const parts = [`${fmt(words)} ${words === 1 ? "word" : "words"}`];
  if (minutes > 0) parts.push(`${minutes} min read`);
  if (goal !== null) {
    const pct = Math.min(100, Math.floor((words / goal) * 100));
    parts.push(words >= goal ? `goal of ${fmt(goal)} reached` : `${pct}% of ${fmt(goal)}`);
  }
  if (selected > 0) parts.push(`${fmt(selected)} selected`);
  return parts.join(" · ");
}
