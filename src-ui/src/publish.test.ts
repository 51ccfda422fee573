import { describe, expect, it } from "vitest";
import { detailsFromFields, fieldsFromDetails, nextScheduleWait, publishLabel, publishOptions } from "./publish";

describe("publish state in words", () => {
  it("says whether the draft is on the blog and whether it changed since", () => {
    const post = { slug: "s", url: "http://x/b/y/s", heads: ["a"], publishedAt: 1, updatedAt: 1 };
    expect(publishLabel(null)).toBe("");
    expect(publishLabel({ published: null, changedSince: false, scheduled: null })).toBe("Not published");
    expect(publishLabel({ published: post, changedSince: false, scheduled: null })).toBe("Published");
    expect(publishLabel({ published: post, changedSince: true, scheduled: null })).toBe("Published · changed since");
    const scheduled = publishLabel({
      published: null,
      changedSince: false,
      scheduled: { runAt: Date.UTC(2030, 0, 2, 9), lastError: "slug taken" },
    });
    expect(scheduled).toMatch(/^Not published · scheduled for .*2030.*\(last try failed: slug taken\)$/);
  });

  it("turns the dialog's fields into publish options", () => {
    expect(publishOptions("", null, "")).toEqual({ slug: "", at: null, password: null });
    const at = publishOptions("my-post", 1_900_000_000_000, "secret!");
    expect(at).toEqual({ slug: "my-post", at: 1_900_000_000_000, password: "secret!" });
  });

  it("checks a scheduled publication again just after its time", () => {
    const scheduled = (runAt: number) => ({ published: null, changedSince: false, scheduled: { runAt, lastError: null } });
    expect(nextScheduleWait([], 1000)).toBeNull();
    expect(nextScheduleWait([scheduled(61_000)], 1000)).toBe(65_000);
    expect(nextScheduleWait([scheduled(200_000), scheduled(61_000)], 1000)).toBe(65_000);
    expect(nextScheduleWait([scheduled(1000 + 2 * 86_400_000)], 1000)).toBeNull();
    expect(nextScheduleWait([scheduled(-3_600_000)], 1000), "a failing job long past is not polled").toBeNull();
  });

  it("turns the detail fields into the draft's details and back", () => {
    const fields = {
      slug: " night-trains ",
      excerpt: " Sleeping across Europe. ",
      tags: "travel, rail,, travel , ",
      image: " https://images.example.com/t.webp ",
      imageAlt: " A sleeper train at dawn ",
      metaTitle: "Night trains",
      metaDescription: "",
      canonical: "",
      ogImage: "/media/card.png",
    };
    const details = detailsFromFields(fields);
    expect(details).toEqual({
      slug: "night-trains",
      excerpt: "Sleeping across Europe.",
      tags: ["travel", "rail"],
      featuredImage: "https://images.example.com/t.webp",
      featuredImageAlt: "A sleeper train at dawn",
      seo: { meta_title: "Night trains", meta_description: "", canonical_url: "", og_image: "/media/card.png" },
    });
    expect(fieldsFromDetails(details).tags).toBe("travel, rail");
    expect(detailsFromFields(fieldsFromDetails(details))).toEqual(details);
  });
});
