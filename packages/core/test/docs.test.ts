// The docs' snippets are real programs: every `<!-- snippet: name -->` marker in docs/*.md is
// followed by the code of docs/snippets/<name>.ts and the output it prints. This runs the snippets
// that need only @typegrad/core and compares; `node scripts/docs-snippets.mjs` rewrites the blocks.
import { readFileSync, readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { format } from "node:util";
import { describe, expect, it, vi } from "vitest";

const root = join(dirname(fileURLToPath(import.meta.url)), "../../..");
const snippetDir = join(root, "docs/snippets");
const MARKER = /<!-- snippet: ([\w-]+) -->\n```ts\n([\s\S]*?)\n```\n(?:\n```text\n([\s\S]*?)\n```\n)?/g;

const docs = readdirSync(join(root, "docs")).filter((f) => f.endsWith(".md"));
const blocks = docs.flatMap((doc) =>
  [...readFileSync(join(root, "docs", doc), "utf8").matchAll(MARKER)].map(([, name, code, output]) => ({ doc, name: name ?? "", code, output: output ?? "" })),
);
const snippets = readdirSync(snippetDir).filter((f) => f.endsWith(".ts")).map((f) => f.slice(0, -3));
const sourceOf = (name: string) => readFileSync(join(snippetDir, `${name}.ts`), "utf8").trimEnd();
const coreOnly = (source: string) => [...source.matchAll(/from "([^"]+)"/g)].every(([, m]) => m === "@typegrad/core" || m === "@typegrad/core/testing" || m === "fast-check");

describe("docs snippets", () => {
  it("every snippet appears in a doc, and every marker names a snippet", () => {
    expect(new Set(blocks.map((b) => b.name))).toEqual(new Set(snippets));
  });

  for (const b of blocks) {
    it(`${b.doc}: ${b.name} shows the snippet's code`, () => {
      expect(b.code).toBe(sourceOf(b.name));
    });
    if (!snippets.includes(b.name) || !coreOnly(sourceOf(b.name))) continue;
    it(`${b.doc}: ${b.name} prints what the doc shows`, async () => {
      const lines: string[] = [];
      const log = vi.spyOn(console, "log").mockImplementation((...args: unknown[]) => void lines.push(format(...args)));
      try {
        await import(pathToFileURL(join(snippetDir, `${b.name}.ts`)).href);
      } finally {
        log.mockRestore();
      }
      expect(lines.join("\n")).toBe(b.output);
    });
  }
});
