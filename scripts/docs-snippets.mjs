// Fills every `<!-- snippet: name -->` marker in docs/*.md with the code of docs/snippets/<name>.ts
// and the output it prints (run with tsx from the source), replacing the blocks already there.
// packages/core/test/docs.test.ts checks that the docs stay equal to what this would write.
// Usage: node scripts/docs-snippets.mjs [doc.md ...]
import { execFileSync } from "node:child_process";
import { readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const MARKER = /<!-- snippet: ([\w-]+) -->\n(?:\n?```ts\n[\s\S]*?\n```\n(?:\n?```text\n[\s\S]*?\n```\n)?)?/g;

const run = (name) =>
  execFileSync("node_modules/.bin/tsx", ["--conditions=@typegrad/source", join("docs/snippets", `${name}.ts`)], { encoding: "utf8" }).trimEnd();

const block = (name) => {
  const code = readFileSync(join("docs/snippets", `${name}.ts`), "utf8").trimEnd();
  const output = run(name);
  return `<!-- snippet: ${name} -->\n\`\`\`ts\n${code}\n\`\`\`\n${output ? `\n\`\`\`text\n${output}\n\`\`\`\n` : ""}`;
};

const docs = process.argv.length > 2 ? process.argv.slice(2) : readdirSync("docs").filter((f) => f.endsWith(".md")).map((f) => join("docs", f));
for (const doc of docs) {
  const text = readFileSync(doc, "utf8");
  const filled = text.replace(MARKER, (_, name) => block(name));
  if (filled !== text) {
    writeFileSync(doc, filled);
    console.log(`updated ${doc}`);
  }
}
