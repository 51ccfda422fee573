import { defineConfig } from "vitest/config";

// End-to-end tests: the real app window (built by `cargo build -p pint-desktop`) under
// Xvfb, driven through WebDriver (tauri-driver + WebKitWebDriver). One window at a time.
export default defineConfig({
  test: {
    include: ["e2e/**/*.e2e.ts"],
    testTimeout: 120_000,
    hookTimeout: 60_000,
    fileParallelism: false,
    pool: "forks",
  },
});
