// scripts/docs-typecheck.mjs (run by `pnpm docs:check` on the real docs) on a page written here:
// it must report a wrong block with page:line, keep deliberate mistakes marked `error:` quiet only
// when the message matches, join `continue` blocks into one module, honour `skip` and leave
// snippet blocks to tsconfig.json. The page imports nothing, so the check loads only the lib.
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const root = join(dirname(fileURLToPath(import.meta.url)), "../../..");

const page = [
  "# A page", //                                                    1
  "",
  "```ts",
  "const n: number = 1;",
  'const s: string = n;', //                                        5: wrong
  "```",
  "",
  "<!-- ts: continue -->",
  "```ts",
  "const m: number = s.length + n;   // uses the block above", //  10
  'const t: string = m;   // error: Type \'number\' is not assignable to type \'string\'',
  "const u: string = m;   // error: something else", //            12: wrong message
  "const v: number = m;   // error: a mistake that is not one", //  13: no error
  "```",
  "",
  "```ts",
  "const s = 2;   // a new module: no clash with the first block's s",
  "```",
  "",
  "<!-- ts: skip: shows a fragment -->", //                        20
  "```ts",
  "this is not TypeScript",
  "```",
  "",
  "<!-- snippet: some-snippet -->",
  "```ts",
  "neither is this",
  "```",
  "",
].join("\n");

let dir: string;
let output: string;
let status: number;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "docs-typecheck-"));
  writeFileSync(join(dir, "page.md"), page);
  try {
    output = execFileSync("node", ["scripts/docs-typecheck.mjs", join(dir, "page.md")], { cwd: root, encoding: "utf8", stdio: "pipe" });
    status = 0;
  } catch (e) {
    const err = e as { status: number; stdout: string; stderr: string };
    [status, output] = [err.status, err.stderr + err.stdout];
  }
}, 60_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("docs type-check", () => {
  it("fails, reporting each problem at its line of the page", () => {
    expect(status).toBe(1);
    const problems = output.split("\n").filter((l) => l.includes("page.md:") && !l.startsWith("docs:")).map((l) => l.replace(/^.*page\.md:/, ""));
    expect(problems).toEqual([
      "5: error TS2322: Type 'number' is not assignable to type 'string'.",
      "12: error TS2322: Type 'number' is not assignable to type 'string'.",
      "12: expected an error containing \"something else\", got none that matches",
      "13: expected an error containing \"a mistake that is not one\", got none that matches",
    ]);
  });

  it("counts the modules it compiled and the blocks it skipped", () => {
    expect(output).toMatch(/docs: 2 ts modules type-checked, 1 skipped \(.*page\.md:22\), 4 problems/);
  });
});
