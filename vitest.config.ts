import { defineConfig } from "vitest/config";

// Tests import workspace packages from their TypeScript source through the custom condition.
// Setting conditions replaces vite's defaults, so they are restated.
const conditions = ["@typegrad/source", "node", "development|production"];

export default defineConfig({
  resolve: { conditions },
  ssr: { resolve: { conditions } },
  test: {
    setupFiles: ["./vitest.setup.ts"],
    include: ["packages/*/test/**/*.test.ts", "examples/**/*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
