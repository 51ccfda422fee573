import { describe, expect, it, vi } from "vitest";
import { render, screen, fireEvent } from "@testing-library/svelte";
import PublishDialog from "./PublishDialog.svelte";
import { fakeInvoke } from "./fake-invoke";
import type { DraftDetails, PublishState } from "../ipc";

const details: DraftDetails = {
  slug: "",
  excerpt: "",
  tags: ["rail"],
  featuredImage: "",
  featuredImageAlt: "",
  seo: { meta_title: "", meta_description: "", canonical_url: "", og_image: "" },
};
const notPublished: PublishState = { published: null, changedSince: false, scheduled: null };

function setup(current: PublishState | null = notPublished, signedIn = true) {
  const fake = fakeInvoke({
    draft_details: () => details,
    publish_state: () => current ?? notPublished,
    set_draft_details: ({ details: d }) => d,
    publish: ({ options }) => ({
      published: null,
      changedSince: false,
      scheduled: options.at === null ? null : { runAt: options.at, lastError: null },
    }),
    cancel_schedule: () => notPublished,
  });
  const onstate = vi.fn();
  const onsignin = vi.fn();
  render(PublishDialog, {
    invoke: fake.invoke,
    draftId: "d",
    current,
    open: true,
    signedIn,
    onsignin,
    onstate,
    ondetails: vi.fn(),
    onclose: vi.fn(),
  });
  return { ...fake, onstate, onsignin };
}

describe("the publish dialog", () => {
  it("publishes at a time typed in 12-hour form, and publishes nothing for a time it cannot read", async () => {
    const { calls, onstate } = setup();
    await screen.findByDisplayValue("rail");
    await fireEvent.input(screen.getByLabelText("Date"), { target: { value: "tomorrow" } });
    await fireEvent.input(screen.getByLabelText("Time"), { target: { value: "25:99" } });
    await fireEvent.submit(screen.getByRole("button", { name: "Publish" }).closest("form") as HTMLFormElement);
    expect(await screen.findByText(/Type the time as/)).toBeTruthy();
    expect(calls.some((c) => c.cmd === "publish")).toBe(false);

    await fireEvent.input(screen.getByLabelText("Time"), { target: { value: "9:30 pm" } });
    await fireEvent.submit(screen.getByRole("button", { name: "Publish" }).closest("form") as HTMLFormElement);
    await vi.waitFor(() => expect(calls.some((c) => c.cmd === "publish")).toBe(true));
    const at = (calls.find((c) => c.cmd === "publish")?.args as { options: { at: number } }).options.at;
    const when = new Date(at);
    expect([when.getHours(), when.getMinutes()]).toEqual([21, 30]);
    await vi.waitFor(() => expect(onstate).toHaveBeenLastCalledWith(expect.objectContaining({ scheduled: { runAt: at, lastError: null } })));
  });

  it("offers Cancel schedule for a scheduled draft", async () => {
    const scheduled: PublishState = { published: null, changedSince: false, scheduled: { runAt: Date.now() + 3_600_000, lastError: null } };
    const { calls } = setup(scheduled);
    expect(screen.getByRole("button", { name: "Change schedule" })).toBeTruthy();
    await fireEvent.click(screen.getByRole("button", { name: "Cancel schedule" }));
    await vi.waitFor(() => expect(calls.some((c) => c.cmd === "cancel_schedule")).toBe(true));
  });

  it("asks to sign in first when this device is not signed in, and publishes nothing", async () => {
    const { calls, onsignin } = setup(null, false);
    await screen.findByDisplayValue("rail");
    expect((screen.getByRole("button", { name: "Publish" }) as HTMLButtonElement).disabled).toBe(true);
    await fireEvent.click(screen.getByRole("button", { name: "Sign in…" }));
    expect(onsignin).toHaveBeenCalled();
    expect(calls.some((c) => c.cmd === "publish_state" || c.cmd === "publish")).toBe(false);
  });
});

describe("the featured image", () => {
  it("can be one of the draft's own photos, chosen by a click, saved as media:ID", async () => {
    const ID = "0123456789abcdef0123456789abcdef";
    const fake = fakeInvoke({
      draft_details: () => details,
      publish_state: () => notPublished,
      set_draft_details: ({ details: d }) => d,
      publish: () => notPublished,
    });
    render(PublishDialog, {
      invoke: fake.invoke,
      draftId: "d",
      current: notPublished,
      open: true,
      signedIn: true,
      onsignin: vi.fn(),
      onstate: vi.fn(),
      ondetails: vi.fn(),
      onclose: vi.fn(),
      images: [{ id: ID, alt: "Two boats" }],
    });
    await screen.findByDisplayValue("rail");
    const choice = screen.getByRole("button", { name: "Use “Two boats”" });
    expect(choice.querySelector("img")?.getAttribute("src")).toBe(`pint-media://localhost/${ID}/480.webp`);
    await fireEvent.click(choice);
    expect((screen.getByLabelText("Featured image") as HTMLInputElement).value).toBe(`media:${ID}`);
    expect(choice.getAttribute("aria-pressed")).toBe("true");
    // Its words in the text describe it until the writer types others.
    const alt = screen.getByLabelText("Describe the image") as HTMLInputElement;
    expect(alt.value).toBe("Two boats");
    await fireEvent.input(alt, { target: { value: "Two red boats at the quay" } });
    await fireEvent.submit(screen.getByRole("button", { name: "Publish" }).closest("form") as HTMLFormElement);
    await vi.waitFor(() => expect(fake.calls.some((c) => c.cmd === "set_draft_details")).toBe(true));
    const saved = fake.calls.find((c) => c.cmd === "set_draft_details")?.args as { details: DraftDetails };
    expect(saved.details.featuredImage).toBe(`media:${ID}`);
    expect(saved.details.featuredImageAlt).toBe("Two red boats at the quay");
    await fireEvent.click(choice);
    expect((screen.getByLabelText("Featured image") as HTMLInputElement).value).toBe("");
    expect(screen.queryByLabelText("Describe the image"), "no image: nothing to describe").toBeNull();
  });
});
