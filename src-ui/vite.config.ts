import { defineConfig } from "vitest/config";

// The app loads the built files from src-ui/dist (tauri.conf.json `frontendDist`).
export default defineConfig({
  clearScreen: false,
  build: {
    target: "safari15",
    outDir: "dist",
    emptyOutDir: true,
    // A desktop app loads its bundle from disk: one file is fine.
    chunkSizeWarningLimit: 2000,
  },
  test: {
    include: ["src/**/*.test.ts"],
  },
});
