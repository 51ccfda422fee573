import { defineConfig } from "vitest/config";

// Measurements of the real app (not tests): start-up time and memory, printed as
// figures. Run with `npm run measure` after `cargo build --release -p pint-desktop`.
export default defineConfig({
  test: {
    include: ["e2e/**/*.measure.ts"],
    testTimeout: 300_000,
    hookTimeout: 60_000,
    fileParallelism: false,
    pool: "forks",
  },
});
