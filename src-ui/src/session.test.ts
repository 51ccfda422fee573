import { describe, expect, it, vi } from "vitest";
import { DraftSession } from "./session";
import { fakeInvoke } from "./components/fake-invoke";
import { ANIMATION_DROPPED } from "./editor/images";

const ID = "0123456789abcdef0123456789abcdef";

describe("DraftSession", () => {
  it("puts dropped images into the text and says when an animation was kept as a still", async () => {
    const { invoke } = fakeInvoke({
      set_presence: () => null,
      check_text: () => [],
      add_image_file: ({ path }) => {
        if (path.endsWith(".txt")) throw { kind: "invalid", message: "the file is not an image Pint can read" };
        return {
          id: ID,
          width: 40,
          height: 30,
          storedBytes: 1,
          originalBytes: 1,
          animationDropped: path.endsWith(".gif"),
          addedAt: 0,
          variants: [],
        };
      },
    });
    const onProblem = vi.fn();
    const onNotice = vi.fn();
    const session = new DraftSession(document.createElement("div"), invoke, () => {}, onProblem, onNotice);
    await session.open({ id: "d", title: "", body: "Hello", tags: [], heads: [], wordGoal: null });

    await session.dropImages(["/photos/boats.jpg"], 0, 0);
    expect(session.view.state.doc.toString()).toContain(`(media:${ID})`);
    expect(onNotice).not.toHaveBeenCalled();

    await session.dropImages(["/photos/dance.gif", "/notes.txt"], 0, 0);
    expect(onNotice).toHaveBeenCalledWith(ANIMATION_DROPPED);
    expect(onProblem).toHaveBeenCalledTimes(1);
    session.view.destroy();
  });
});
