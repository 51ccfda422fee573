import { defineConfig } from "vitest/config";
import { svelte } from "@sveltejs/vite-plugin-svelte";

// The app loads the built files from src-ui/dist (tauri.conf.json `frontendDist`).
export default defineConfig({
  plugins: [svelte()],
  clearScreen: false,
  build: {
    target: "safari15",
    outDir: "dist",
    emptyOutDir: true,
    // A desktop app loads its bundle from disk: one file is fine.
    chunkSizeWarningLimit: 2000,
  },
  // Components are tested in a DOM (happy-dom), with Svelte's browser build.
  resolve: process.env.VITEST ? { conditions: ["browser"] } : {},
  test: {
    include: ["src/**/*.test.ts"],
    environment: "happy-dom",
    setupFiles: ["./vitest.setup.ts"],
  },
});
