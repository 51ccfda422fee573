import { describe, expect, it } from "vitest";
import { damagedNotice } from "./damaged";

const draft = (id: string, title: string) => ({ id, title, reason: "bad bytes", movedAt: 1 });

describe("damagedNotice", () => {
  it("says nothing when no draft was set aside", () => {
    expect(damagedNotice([])).toBeNull();
  });

  it("names each draft set aside and says it was not deleted", () => {
    const one = damagedNotice([draft("a", "Plane notes")]);
    expect(one?.text).toContain("One draft could not be read and was set aside, not deleted");
    expect(one?.text).toContain("“Plane notes”");
    const two = damagedNotice([draft("a", "Plane notes"), draft("b", "")]);
    expect(two?.text).toContain("2 drafts could not be read and were set aside");
    expect(two?.text).toContain("“Untitled draft”");
    expect(two?.key).not.toEqual(one?.key);
  });
});
