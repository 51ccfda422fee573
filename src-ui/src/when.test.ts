import { describe, expect, it } from "vitest";
import { dateField, formatWhen, parseWhen, timeField } from "./when";

const now = new Date(2026, 11, 6, 18, 0).getTime();
const local = (y: number, mo: number, d: number, h: number, mi = 0) => new Date(y, mo - 1, d, h, mi).getTime();

describe("reading a moment typed by a creator", () => {
  it("both fields empty means now", () => {
    expect(parseWhen("", "", now)).toEqual({ at: null });
  });
  it("takes 24-hour and 12-hour times alike", () => {
    expect(parseWhen("2026-12-24", "21:30", now)).toEqual({ at: local(2026, 12, 24, 21, 30) });
    expect(parseWhen("2026-12-24", "9:30 pm", now)).toEqual({ at: local(2026, 12, 24, 21, 30) });
    expect(parseWhen("2026-12-24", "9.30PM", now)).toEqual({ at: local(2026, 12, 24, 21, 30) });
    expect(parseWhen("2026-12-24", "12 am", now)).toEqual({ at: local(2026, 12, 24, 0) });
    expect(parseWhen("2026-12-24", "12:15 pm", now)).toEqual({ at: local(2026, 12, 24, 12, 15) });
    expect(parseWhen("2026-12-24", "9", now)).toEqual({ at: local(2026, 12, 24, 9) });
  });
  it("knows today and tomorrow", () => {
    expect(parseWhen("", "20:00", now)).toEqual({ at: local(2026, 12, 6, 20) });
    expect(parseWhen("tomorrow", "8:00 am", now)).toEqual({ at: local(2026, 12, 7, 8) });
  });
  it("refuses what it cannot read, or a time past, saying what to type", () => {
    expect(parseWhen("24/12/2026", "9:00", now)).toHaveProperty("error", expect.stringMatching(/YYYY-MM-DD/));
    expect(parseWhen("2026-02-30", "9:00", now)).toHaveProperty("error", expect.stringMatching(/no 2026-02-30/));
    expect(parseWhen("2026-12-24", "", now)).toHaveProperty("error", expect.stringMatching(/Add a time/));
    expect(parseWhen("2026-12-24", "25:00", now)).toHaveProperty("error");
    expect(parseWhen("2026-12-24", "13 pm", now)).toHaveProperty("error", expect.stringMatching(/1 to 12/));
    expect(parseWhen("today", "9:00", now)).toHaveProperty("error", expect.stringMatching(/has passed/));
  });
  it("fills the fields with what it would read back, in the clock the status uses", () => {
    const at = local(2027, 3, 5, 21, 30);
    expect(parseWhen(dateField(at), timeField(at), now)).toEqual({ at });
    expect(formatWhen(at)).toContain(timeField(at));
  });
});
