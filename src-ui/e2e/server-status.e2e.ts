// The app started with a server URL says whether that server is there.

import { describe, expect, it } from "vitest";
import { startServer, tempDir, waitForState, withApp } from "./harness";

describe("server status in the window", () => {
  it("shows connected when pint-server is running at PINT_SERVER_URL", async () => {
    const server = await startServer(tempDir());
    try {
      await withApp({ PINT_DATA_DIR: tempDir(), PINT_SERVER_URL: server.url }, async (browser) => {
        await waitForState(browser, "server-status", "online");
        expect(await (await browser.$("#server-status")).getText()).toContain("connected");
      });
    } finally {
      await server.stop();
    }
  });

  it("shows the server as unreachable, and still saves locally, when nothing listens there", async () => {
    await withApp({ PINT_DATA_DIR: tempDir(), PINT_SERVER_URL: "http://127.0.0.1:9" }, async (browser) => {
      await waitForState(browser, "server-status", "offline");
      const editor = await browser.$(".cm-content");
      await editor.click();
      await editor.addValue("still writing");
      await waitForState(browser, "save-status", "saved");
    });
  });
});
