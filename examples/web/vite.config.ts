import { defineConfig } from "vite";

// Threads share memory (SharedArrayBuffer), which browsers allow only on cross-origin isolated
// pages: both servers send these headers. The page works without them, on one thread.
export const isolation = { "Cross-Origin-Opener-Policy": "same-origin", "Cross-Origin-Embedder-Policy": "require-corp" };

export default defineConfig({
  root: import.meta.dirname,
  // Relative URLs, so the built folder can be served from any path.
  base: "./",
  // Build from the packages' TypeScript source (no `pnpm build` needed); restating the defaults.
  resolve: { conditions: ["@typegrad/source", "module", "browser", "development|production"] },
  worker: { format: "es" },
  server: { headers: isolation },
  preview: { headers: isolation },
  build: { outDir: "dist", emptyOutDir: true, target: "es2022", chunkSizeWarningLimit: 1024 },
});
