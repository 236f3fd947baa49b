import { execFileSync } from "node:child_process";
import { cpus, totalmem } from "node:os";
import { backendInfo, type BackendInfo } from "../backend";

/** Origin of a result (commit, backend, machine, date), written into every result file. */
export interface Provenance {
  /** The commit of this repository, with `-dirty` when the tree had uncommitted changes, or `unknown`. */
  commit: string;
  backend: BackendInfo | null;
  node: string;
  machine: { cpus: number; cpuModel: string; memoryGiB: number };
  /** ISO time the result was written. */
  date: string;
}

let cachedCommit: string | undefined;

/** Returns the current git commit (short hash), or `unknown` outside a checkout. */
export function gitCommit(): string {
  if (cachedCommit !== undefined) return cachedCommit;
  try {
    const hash = execFileSync("git", ["rev-parse", "--short=12", "HEAD"], { stdio: ["ignore", "pipe", "ignore"] }).toString().trim();
    const dirty = execFileSync("git", ["status", "--porcelain", "--untracked-files=no"], { stdio: ["ignore", "pipe", "ignore"] }).toString().trim();
    cachedCommit = dirty ? `${hash}-dirty` : hash;
  } catch {
    cachedCommit = "unknown";
  }
  return cachedCommit;
}

export function provenance(): Provenance {
  const cpuList = cpus();
  return {
    commit: gitCommit(),
    backend: backendInfo() ?? null,
    node: process.version,
    machine: { cpus: cpuList.length, cpuModel: cpuList[0]?.model ?? "unknown", memoryGiB: Math.round(totalmem() / 2 ** 30) },
    date: new Date().toISOString(),
  };
}
