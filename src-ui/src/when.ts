// Dates and times as the app shows and reads them: one formatter for every place a time
// is shown (the publish dialog's fields and the status say 9:30 PM or 21:30 alike, as the
// system's locale does), and a forgiving reader for what a creator types.

const SHOWN = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });
const TIME = new Intl.DateTimeFormat(undefined, { hour: "numeric", minute: "2-digit" });

/** A moment, as every status line shows it. */
export function formatWhen(ms: number): string {
  return SHOWN.format(new Date(ms));
}

/** The date field's text for a moment: YYYY-MM-DD, local time. */
export function dateField(ms: number): string {
  const d = new Date(ms);
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

/** The time field's text for a moment, in the locale's clock (as `formatWhen` shows it). */
export function timeField(ms: number): string {
  return TIME.format(new Date(ms));
}

export type Parsed = { at: number | null } | { error: string };

const DATE = /^(\d{4})-(\d{1,2})-(\d{1,2})$/;
const CLOCK = /^(\d{1,2})(?:[:.h](\d{2}))?\s*([ap])?\.?\s*m?\.?$/i;

/**
 * The moment typed into the date and time fields. Both empty: now (`at: null`). The date
 * is YYYY-MM-DD, "today" or "tomorrow" (empty with a time: today); the time is 9, 9:30,
 * 21:30, 9:30 pm or 9.30pm. A moment already past is refused, as is anything unreadable,
 * each with what to type instead.
 */
export function parseWhen(date: string, time: string, now: number): Parsed {
  const d = date.trim().toLowerCase();
  const t = time.trim().toLowerCase().replace(/\s+/g, " ");
  if (d === "" && t === "") return { at: null };
  const base = new Date(now);
  let day: Date;
  if (d === "" || d === "today") {
    day = new Date(base.getFullYear(), base.getMonth(), base.getDate());
  } else if (d === "tomorrow") {
    day = new Date(base.getFullYear(), base.getMonth(), base.getDate() + 1);
  } else {
    const m = DATE.exec(d);
    if (!m) return { error: "Type the date as YYYY-MM-DD (2026-12-24), today or tomorrow." };
    const [y, mo, da] = [Number(m[1]), Number(m[2]), Number(m[3])];
    day = new Date(y, mo - 1, da);
    if (day.getFullYear() !== y || day.getMonth() !== mo - 1 || day.getDate() !== da) {
      return { error: `There is no ${date.trim()}: check the month and the day.` };
    }
  }
  if (t === "") return { error: "Add a time, such as 9:30, 9:30 pm or 21:30." };
  const c = CLOCK.exec(t);
  if (!c) return { error: "Type the time as 9:30, 9:30 pm or 21:30." };
  let hour = Number(c[1]);
  const minute = c[2] === undefined ? 0 : Number(c[2]);
  const half = c[3];
  if (half !== undefined) {
    if (hour < 1 || hour > 12) return { error: "With am or pm, the hour is 1 to 12." };
    hour = (hour % 12) + (half === "p" ? 12 : 0);
  }
  if (hour > 23 || minute > 59) return { error: "Type the time as 9:30, 9:30 pm or 21:30." };
  const at = new Date(day.getFullYear(), day.getMonth(), day.getDate(), hour, minute).getTime();
  if (at <= now) return { error: `${formatWhen(at)} has passed: choose a later time, or leave both fields empty to publish now.` };
  return { at };
}
