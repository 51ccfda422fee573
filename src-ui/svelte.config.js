import { vitePreprocess } from "@sveltejs/vite-plugin-svelte";

// TypeScript in components, checked by svelte-check (`npm run typecheck`).
export default { preprocess: vitePreprocess() };
