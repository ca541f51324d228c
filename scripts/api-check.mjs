// Checks docs/api.md against the packages' entry points: every export has an entry in its
// package's section, and every entry names an export. An entry is a list item starting with a
// code span whose first word is the name: "- `grad(y, xs)` — …". Run by `pnpm docs:check`.
import { existsSync, readFileSync } from "node:fs";

const ENTRY_POINTS = {
  "@typegrad/core": "packages/core/src/index.ts",
  "@typegrad/core/testing": "packages/core/src/testing/index.ts",
  "@typegrad/nn": "packages/nn/src/index.ts",
  "@typegrad/datasets": "packages/datasets/src/index.ts",
  "@typegrad/onnx": "packages/onnx/src/index.ts",
};

/** The names an index file exports: `export { a, type B, c as d } from …` and direct declarations. */
function exportsOf(file) {
  const src = readFileSync(file, "utf8").replace(/\/\/.*$/gm, "");
  const names = new Set();
  for (const [, list] of src.matchAll(/export\s+(?:type\s+)?\{([^}]*)\}/g))
    for (const item of list.split(",").map((s) => s.trim()).filter(Boolean)) names.add(item.replace(/^type\s+/, "").split(/\s+as\s+/).pop());
  for (const [, name] of src.matchAll(/export\s+(?:declare\s+)?(?:const|let|function\*?|class|type|interface|enum)\s+([A-Za-z_$][\w$]*)/g)) names.add(name);
  return names;
}

/** The entries of each package section (`## \`@typegrad/…\``) of the reference. */
function entriesOf(markdown) {
  const sections = new Map();
  let current;
  for (const line of markdown.split("\n")) {
    const heading = line.match(/^## `(@typegrad\/[\w/]+)`/);
    if (heading) sections.set((current = heading[1]), new Set());
    const entry = line.match(/^- `(?:new |class |type |interface |const )?([A-Za-z_$][\w$]*)/);
    if (entry && current) sections.get(current).add(entry[1]);
  }
  return sections;
}

const sections = entriesOf(readFileSync("docs/api.md", "utf8"));
const problems = [];
const checked = [];
for (const [pkg, file] of Object.entries(ENTRY_POINTS)) {
  if (!existsSync(file)) continue;
  const exported = exportsOf(file);
  if (exported.size === 0) continue; // a package whose entry point exports nothing yet
  checked.push(pkg);
  const documented = sections.get(pkg) ?? new Set();
  if (exported.size > 0 && !sections.has(pkg)) problems.push(`${pkg}: no section "## \`${pkg}\`" in docs/api.md`);
  for (const name of exported) if (!documented.has(name)) problems.push(`${pkg}: \`${name}\` is exported by ${file} but missing from docs/api.md`);
  for (const name of documented) if (!exported.has(name)) problems.push(`${pkg}: docs/api.md lists \`${name}\`, which ${file} does not export`);
}
for (const pkg of sections.keys()) if (!(pkg in ENTRY_POINTS)) problems.push(`docs/api.md has a section for unknown package ${pkg}`);

if (problems.length > 0) {
  console.error(`docs:check: docs/api.md is out of date (${problems.length}):\n  ${problems.join("\n  ")}`);
  process.exit(1);
}
console.log(`docs:check: docs/api.md lists every export of ${checked.join(", ")}`);
