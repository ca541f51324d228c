// Type-checks every ```ts code block of the docs (docs/*.md, README.md, packages/*/README.md) with
// the repository's strict settings against the packages' sources, in one TypeScript program.
// Blocks after a `<!-- snippet: name -->` marker are docs/snippets/<name>.ts, compiled by tsconfig.json.
//
// Each block is its own module (its imports are its own). A comment just before a block changes that:
//   <!-- ts: continue -->        the block builds on the previous block of the page (one module)
//   <!-- ts: prelude             code the block needs but the page leaves out, e.g. imports or
//   declare const samples: …;    `declare const` of values it takes as given; it is compiled
//   -->                          first, and its lines are reported as lines of the page
//   <!-- ts: in folder -->       compiled in that folder rather than docs/snippets (a page's own folder for
//                                package READMEs): for source files the docs show, with relative imports
//   <!-- ts: skip: reason -->    not compiled (e.g. it needs a package the repository does not install)
// They combine in this order: `<!-- ts: continue in folder prelude` …. A comment containing `error:`
// marks a deliberate mistake: the code line it ends (or, on a line of its own, the code line above it)
// must fail, with a message containing the text after `error:` (`…` separates fragments expected in order).
// Every other diagnostic fails the check with file:line of the page.
// Usage: node scripts/docs-typecheck.mjs [page.md ...]
import { readFileSync, readdirSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");

const pages = () => [
  ...readdirSync(join(root, "docs")).filter((f) => f.endsWith(".md")).map((f) => join("docs", f)),
  "README.md",
  ...readdirSync(join(root, "packages")).map((p) => join("packages", p, "README.md")).filter((f) => existsIn(f)),
];
const existsIn = (f) => {
  try {
    readFileSync(join(root, f));
    return true;
  } catch {
    return false;
  }
};

/** The modules of one page: each its code as { text, line } (line: 1-based line of the page) and the folder it is compiled in. */
export function modulesOf(page, markdown) {
  const lines = markdown.split("\n");
  const modules = [];
  const skipped = [];
  let marker; // the directives of the comment before the next block
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    const directive = line.trimStart().match(/^<!-- ts: (.*)$/);
    if (directive) {
      const closed = directive[1].endsWith("-->");
      const words = directive[1].replace(/-->$/, "").trim();
      const skip = words.match(/^skip:\s*(.*)$/);
      const parsed = skip ? undefined : words.match(/^(continue\b)?\s*(?:in (\S+))?\s*(prelude)?$/);
      if (skip ? !skip[1] || !closed : !parsed || !words || closed === Boolean(parsed[3]))
        throw new Error(`${page}:${i + 1}: expected <!-- ts: skip: reason -->, or <!-- ts: [continue] [in folder] [prelude …] -->`);
      marker = { continue: Boolean(parsed?.[1]), folder: parsed?.[2], skip: skip?.[1], prelude: [] };
      if (parsed?.[3]) for (i++; i < lines.length && lines[i].trim() !== "-->"; i++) marker.prelude.push({ text: lines[i].trim(), line: i + 1 });
      continue;
    }
    if (/^<!-- snippet: /.test(line)) marker = { snippet: true };
    const fence = line.match(/^( *)```ts$/);
    if (fence) {
      const indent = fence[1];
      const block = [];
      for (i++; i < lines.length && lines[i] !== `${indent}\`\`\``; i++) block.push({ text: lines[i].slice(indent.length), line: i + 1 });
      const m = marker ?? {};
      marker = undefined;
      if (m.snippet) continue;
      if (m.skip) {
        skipped.push(`${page}:${block[0]?.line ?? i}`);
        continue;
      }
      const code = [...(m.prelude ?? []), ...block];
      if (m.continue) {
        if (!modules.length) throw new Error(`${page}:${i + 1}: \`continue\` with no block before it`);
        modules[modules.length - 1].code.push(...code);
      } else modules.push({ code, folder: m.folder ?? folderOf(page) });
      continue;
    }
    if (line.trim() !== "" && !/^<!--/.test(line.trimStart())) marker = undefined;
  }
  return { modules, skipped };
}

/** Where each module is compiled: in a folder whose node_modules hold the packages the page uses. */
const folderOf = (page) => (page.startsWith("packages/") ? dirname(page) : "docs/snippets");

/** `error:` expectations: code line (1-based, in the module) → expected fragments. */
function expectations(code) {
  const expected = new Map();
  let lastCode = 0;
  code.forEach(({ text }, k) => {
    const comment = text.match(/\/\/(.*)$/);
    const codePart = text.replace(/\/\/.*$/, "").trim();
    if (codePart) lastCode = k + 1;
    const message = comment?.[1].match(/(?:^|\s)error:\s*(.*)$/);
    if (message && lastCode) expected.set(lastCode, message[1].split("…").map((s) => s.trim()).filter(Boolean));
  });
  return expected;
}

export function check(pageList = pages()) {
  const files = new Map(); // virtual path → { page, code }
  const skipped = [];
  for (const page of pageList) {
    const { modules, skipped: s } = modulesOf(page, readFileSync(join(root, page), "utf8"));
    skipped.push(...s);
    for (const { code, folder } of modules) {
      const name = `${page.replace(/[/.]/g, "_")}_L${code[0].line}.docs.ts`;
      files.set(join(root, folder, name), { page, code });
    }
  }
  const config = ts.getParsedCommandLineOfConfigFile(join(root, "tsconfig.json"), {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => {} });
  const options = { ...config.options, noEmit: true, sourceMap: false, declaration: false };
  const host = ts.createCompilerHost(options);
  const source = (f) => files.get(resolve(f));
  const text = (entry) => `${entry.code.map((l) => l.text).join("\n")}\nexport {};\n`;
  const { fileExists, readFile, getSourceFile } = host;
  host.fileExists = (f) => Boolean(source(f)) || fileExists.call(host, f);
  host.readFile = (f) => (source(f) ? text(source(f)) : readFile.call(host, f));
  host.getSourceFile = (f, lang, ...rest) => (source(f) ? ts.createSourceFile(f, text(source(f)), lang, true) : getSourceFile.call(host, f, lang, ...rest));
  const program = ts.createProgram([...files.keys()], options, host);

  const problems = [];
  for (const [file, { page, code }] of files) {
    const sf = program.getSourceFile(file);
    const expected = expectations(code);
    const met = new Set();
    const where = (k) => `${page}:${code[Math.min(k, code.length) - 1]?.line ?? "?"}`;
    for (const d of ts.getPreEmitDiagnostics(program, sf)) {
      const k = d.file && d.start !== undefined ? d.file.getLineAndCharacterOfPosition(d.start).line + 1 : 0;
      const message = ts.flattenDiagnosticMessageText(d.messageText, "\n");
      const want = expected.get(k);
      if (want && inOrder(message, want)) met.add(k);
      else problems.push(`${where(k)}: error TS${d.code}: ${message.split("\n").join("\n    ")}`);
    }
    for (const [k, want] of expected)
      if (!met.has(k)) problems.push(`${where(k)}: expected an error${want.length ? ` containing ${want.map((w) => JSON.stringify(w)).join(" … ")}` : ""}, got none that matches`);
  }
  return { checked: files.size, skipped, problems };
}

const inOrder = (message, fragments) => {
  let at = 0;
  for (const f of fragments) {
    const i = message.indexOf(f, at);
    if (i < 0) return false;
    at = i + f.length;
  }
  return true;
};

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2).map((p) => relative(root, resolve(p)));
  const { checked, skipped, problems } = check(args.length ? args : undefined);
  for (const p of problems) console.error(p);
  console.log(`docs: ${checked} ts modules type-checked, ${skipped.length} skipped (${skipped.join(", ") || "none"}), ${problems.length} problems`);
  process.exit(problems.length ? 1 : 0);
}
