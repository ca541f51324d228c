import { defineConfig } from "tsup";

export default defineConfig({
  entry: { index: "src/index.ts" },
  format: ["esm"],
  dts: true,
  sourcemap: true,
  clean: true,
  target: "es2022",
  platform: "neutral",
  // Keep `node:` specifiers: browser bundlers then see Node built-ins for what they are instead of
  // resolving "fs/promises" to a polyfill.
  removeNodeProtocol: false,
  external: [/^node:/],
});
