// The consumer test: typegrad as someone else's project gets it. Packs every published package
// (after `pnpm build`), checks each tarball's manifest, then follows docs/getting-started.md word
// for word in a new folder outside the repository (npm, the registry for third-party packages),
// type-checks the page's files under `nodenext` and `bundler` resolution, runs them, imports each
// package alone, require()s them from CommonJS and bundles the browser entry.
// Usage: node scripts/consumer.mjs [--keep]
import { execFileSync, execSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

const repo = resolve(import.meta.dirname, "..");
const keep = process.argv.includes("--keep");
const work = mkdtempSync(join(tmpdir(), "typegrad-consumer-"));
const started = performance.now();
const step = (what) => console.log(`consumer: ${what}`);
const fail = (message) => {
  console.error(`consumer: FAILED: ${message}\n  (work folder kept: ${work})`);
  process.exit(1);
};
// A user's shell: without the npm_config_* settings that `pnpm run` passes to its children.
const userEnv = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k)));
const sh = (command, cwd, env = {}) => {
  try {
    return execSync(command, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], env: { ...userEnv, ...env } });
  } catch (e) {
    fail(`\`${command}\` in ${cwd} exited ${e.status}\n${e.stdout}\n${e.stderr}`);
  }
};
const timed = (f) => {
  const t = performance.now();
  const out = f();
  return [out, (performance.now() - t) / 1000];
};

// 1. Pack every non-private package and check what a user would receive.
const packages = readdirSync(join(repo, "packages"))
  .map((dir) => ({ dir: join(repo, "packages", dir), manifest: JSON.parse(readFileSync(join(repo, "packages", dir, "package.json"), "utf8")) }))
  .filter((p) => !p.manifest.private);
const tarballs = new Map();
mkdirSync(join(work, "tarballs"));
for (const { dir, manifest } of packages) {
  for (const entry of Object.values(manifest.exports))
    if (!existsSync(join(dir, entry.default))) fail(`${manifest.name}: ${entry.default} is missing; run \`pnpm build\` first`);
  const out = execFileSync("npx", ["-y", "pnpm@10", "pack", "--pack-destination", join(work, "tarballs")], { cwd: dir, encoding: "utf8", env: userEnv });
  const file = out.trim().split("\n").filter((l) => l.endsWith(".tgz")).pop();
  tarballs.set(manifest.name, resolve(dir, file));
  const files = execFileSync("tar", ["-tzf", tarballs.get(manifest.name)], { encoding: "utf8" }).split("\n");
  const packed = JSON.parse(execFileSync("tar", ["-xzOf", tarballs.get(manifest.name), "package/package.json"], { encoding: "utf8" }));
  const problems = [];
  const ranges = { ...packed.dependencies, ...packed.peerDependencies };
  for (const [dep, range] of Object.entries(ranges)) if (/^workspace:/.test(range)) problems.push(`dependency ${dep} is ${range}`);
  if (packed.sideEffects !== false) problems.push("sideEffects is not false");
  for (const need of ["package/LICENSE", "package/README.md", "package/CHANGELOG.md"]) if (!files.includes(need)) problems.push(`${need.slice(8)} is missing`);
  if (files.some((f) => f.startsWith("package/src/") || f.startsWith("package/test/"))) problems.push("sources or tests are packed");
  for (const [path, entry] of Object.entries(packed.exports)) {
    if (Object.keys(entry)[0] !== "types") problems.push(`exports["${path}"] does not list "types" first`);
    if (Object.keys(entry).some((c) => c.startsWith("@typegrad/"))) problems.push(`exports["${path}"] keeps the workspace source condition`);
    for (const target of Object.values(entry)) if (!files.includes(join("package", target))) problems.push(`exports["${path}"] → ${target} is not packed`);
  }
  if (problems.length > 0) fail(`${manifest.name}@${packed.version}: ${problems.join("; ")}`);
  step(`packed ${manifest.name}@${packed.version} (${files.filter(Boolean).length} files, ${(readFileSync(tarballs.get(manifest.name)).length / 1024).toFixed(0)} KiB)`);
}

// 2. The page, word for word: its commands (package names pointing at the tarballs) and files.
const page = readFileSync(join(repo, "docs/getting-started.md"), "utf8");
const block = (name) => {
  const m = page.match(new RegExp(`<!-- consumer: ${name.replace(".", "\\.")} -->\\n\`\`\`\\w+\\n([\\s\\S]*?)\\n\`\`\``));
  if (!m) fail(`docs/getting-started.md has no \`<!-- consumer: ${name} -->\` block`);
  return m[1];
};
const withTarballs = (commands) =>
  commands.replace(/^npm install (.*)$/gm, (line, args) => `npm install ${args.split(" ").map((a) => tarballs.get(a) ?? a).join(" ")}`);
const npmEnv = { npm_config_fund: "false", npm_config_audit: "false", npm_config_update_notifier: "false" };

const [, installSeconds] = timed(() => sh(withTarballs(block("setup")), work, npmEnv));
const project = join(work, "my-model");
const snippets = [...page.matchAll(/<!-- snippet: (start-[\w-]+) -->/g)].map((m) => m[1]);
for (const name of snippets) cpSync(join(repo, "docs/snippets", `${name}.ts`), join(project, `${name}.ts`));
const du = (path) => Number(execFileSync("du", ["-sk", path], { encoding: "utf8" }).split("\t")[0]) / 1024;
// What `npm install @typegrad/…` costs a user: the packages and their production dependencies.
const production = sh("npm ls --omit=dev --all --parseable", project).trim().split("\n").slice(1);
const runtime = Number(execFileSync("du", ["-skc", ...production], { encoding: "utf8" }).trim().split("\n").at(-1).split("\t")[0]) / 1024;
step(`installed in ${installSeconds.toFixed(1)} s: ${runtime.toFixed(1)} MB for typegrad and its dependencies (${production.length} packages), ${du(join(project, "node_modules")).toFixed(1)} MB with the dev tools`);

const [, checkSeconds] = timed(() => sh("npx tsc --noEmit", project));
step(`tsc --noEmit (tsc --init's tsconfig: strict, nodenext) over ${snippets.length} files: ${checkSeconds.toFixed(1)} s`);
writeFileSync(join(project, "tsconfig.bundler.json"), block("tsconfig.bundler.json"));
const [, bundlerSeconds] = timed(() => sh("npx tsc --noEmit -p tsconfig.bundler.json", project));
step(`tsc --noEmit with moduleResolution bundler: ${bundlerSeconds.toFixed(1)} s`);

// The page shows each snippet's output; the deterministic ones must print exactly that.
const shown = (name) => page.match(new RegExp(`<!-- snippet: ${name} -->\\n\`\`\`ts\\n[\\s\\S]*?\\n\`\`\`\\n\\n\`\`\`text\\n([\\s\\S]*?)\\n\`\`\``))?.[1];
const expectations = {
  "start-grad": (out) => out === shown("start-grad"),
  "start-train": (out) => out === shown("start-train"),
  "start-mnist": (out) => Number(out.match(/test accuracy: ([\d.]+)%/)?.[1]) >= 85,
  "start-taskeither": (out) => /images from \w+/.test(out),
  "start-browser": (out) => out === shown("start-browser"),
};
for (const name of snippets) {
  const [out, seconds] = timed(() => sh(`npx tsx ${name}.ts`, project).trimEnd());
  const ok = expectations[name] ?? (() => fail(`no expectation for ${name}`));
  if (!ok(out)) fail(`${name}.ts printed\n${out}\nwhich is not what docs/getting-started.md shows`);
  step(`npx tsx ${name}.ts: ok in ${seconds.toFixed(1)} s (${out.split("\n").at(-1)})`);
}

// 3. Each package alone, from plain Node (no TypeScript), ESM and CommonJS.
writeFileSync(
  join(project, "datasets-alone.mjs"),
  `import { parseIdx } from "@typegrad/datasets";
// A 2×3 unsigned-byte IDX file: magic 0 0 0x08 rank 2, dims big-endian, then the data.
const bytes = new Uint8Array([0, 0, 0x08, 2, 0, 0, 0, 2, 0, 0, 0, 3, 1, 2, 3, 4, 5, 6]);
const r = parseIdx(bytes);
if (r._tag !== "Right") throw new Error("parseIdx failed: " + JSON.stringify(r.left));
const bad = parseIdx(bytes.subarray(0, 10));
if (bad._tag !== "Left") throw new Error("a truncated file was accepted");
console.log(JSON.stringify(r.right.shape), Array.from(r.right.data).join(","), bad.left._tag);
`,
);
const idxOut = sh("node datasets-alone.mjs", project).trim();
if (!idxOut.startsWith("[2,3] 1,2,3,4,5,6")) fail(`datasets alone printed ${idxOut}`);
step(`@typegrad/datasets alone parses an IDX file (${idxOut})`);

writeFileSync(
  join(project, "require.cjs"),
  `const core = require("@typegrad/core");
const nn = require("@typegrad/nn");
const datasets = require("@typegrad/datasets");
const x = core.input("x", [2]);
const [dx] = core.grad(core.sum(core.mul(x, x)), [x]);
const out = core.compile({ x }, { dx }).run({ x: core.tensor([1, 2]) }).dx.toFlat();
if (out.join() !== "2,4") throw new Error("wrong gradient " + out);
if (typeof nn.fit !== "function" || typeof datasets.parseIdx !== "function") throw new Error("missing exports");
console.log("require(): core, nn and datasets load; d(x·x)/dx =", out.join(","));
`,
);
step(sh("node --no-warnings require.cjs", project).trim());

// 4. The browser entry, bundled as the page says, then run (it needs nothing from Node).
sh(block("bundle"), project, npmEnv);
const bundle = readFileSync(join(project, "public/app.js"));
const bundled = sh("node public/app.js", project).trim();
if (bundled !== shown("start-browser")) fail(`the bundle printed ${bundled}`);
if (/from\s*["']node:/.test(bundle.toString())) fail("the browser bundle imports node: modules statically");
step(`esbuild bundle for the browser: ${(bundle.length / 1024).toFixed(0)} KiB (${(gzipLength(bundle) / 1024).toFixed(0)} KiB gzip), runs: ${bundled}`);

function gzipLength(bytes) {
  return execFileSync("gzip", ["-c"], { input: bytes }).length;
}

if (!keep) rmSync(work, { recursive: true, force: true });
console.log(`consumer: all checks passed in ${((performance.now() - started) / 1000).toFixed(0)} s`);
