/**
 * Keeps dist/ in step with lib/: notebooks import the compiled `../dist/lib/...` (tslab compiles
 * cells with the notebook's folder as root, so they cannot import lib/*.ts), so a stale dist/
 * would make a report show old code's numbers.
 */
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { ToolkitError } from "../util/errors";

/** Lists the `.ts` sources under `root/lib` whose `root/dist/lib/*.js` is missing or older. */
export function staleDistFiles(root: string): string[] {
  const stale: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) {
        walk(path);
        continue;
      }
      if (!entry.name.endsWith(".ts") || entry.name.endsWith(".d.ts")) continue;
      const compiled = join(root, "dist", relative(root, path)).replace(/\.ts$/, ".js");
      if (!existsSync(compiled) || statSync(compiled).mtimeMs < statSync(path).mtimeMs) stale.push(relative(root, path));
    }
  };
  walk(join(root, "lib"));
  return stale.sort();
}

/**
 * Compiles lib/ into dist/ with `tsc -p tsconfig.build.json`.
 * @throws ToolkitError with the compiler's first lines of output when it reports errors.
 */
export function buildDist(root: string): void {
  const tsc = require.resolve("typescript/bin/tsc");
  const result = spawnSync(process.execPath, [tsc, "-p", join(root, "tsconfig.build.json")], { cwd: root, encoding: "utf8" });
  if (result.status !== 0) {
    const output = `${result.stdout ?? ""}${result.stderr ?? ""}`.trim().split("\n").slice(0, 20).join("\n");
    throw new ToolkitError(`buildDist: tsc -p tsconfig.build.json failed (exit ${result.status}); fix these errors and rerun:\n${output}`);
  }
}
