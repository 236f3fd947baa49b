import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { ConfigError, FileFormatError, nearest } from "./util/errors";

/**
 * Helpers shared by the thin scripts in scripts/: typed flags with help text, JSON config files,
 * and a main wrapper that prints the error message and exits non-zero.
 */

/** One command-line flag: its type, help text (what it sets and in what unit) and how it maps onto the config. */
export interface FlagSpec {
  type: "string" | "boolean";
  help: string;
  /** Example value shown in --help. */
  value?: string;
  short?: string;
}

/** Parses `argv` against `flags`. @throws ConfigError for an unknown flag (naming the nearest known one) or a missing value. */
export function parseFlags(argv: string[], flags: Record<string, FlagSpec>): { values: Record<string, string | boolean | undefined>; positionals: string[] } {
  const options: Record<string, { type: "string" | "boolean"; short?: string }> = { help: { type: "boolean", short: "h" } };
  for (const [name, spec] of Object.entries(flags)) options[name] = { type: spec.type, ...(spec.short ? { short: spec.short } : {}) };
  try {
    const parsed = parseArgs({ args: argv, options, allowPositionals: true, strict: true });
    return { values: parsed.values as Record<string, string | boolean | undefined>, positionals: parsed.positionals };
  } catch (error) {
    throw new ConfigError(describeParseError(error as Error & { code?: string }, Object.keys(options)));
  }
}

/** Rewords node:util parseArgs errors: names the nearest known flag for an unknown one, and the missing value otherwise. */
function describeParseError(error: Error & { code?: string }, known: string[]): string {
  const flag = /'(-{1,2}[^'\s]+)/.exec(error.message)?.[1];
  if (error.code === "ERR_PARSE_ARGS_UNKNOWN_OPTION" && flag) {
    const name = flag.replace(/^-+/, "");
    const guess = nearest(name, known);
    return `unknown flag ${flag}${guess ? ` (did you mean --${guess}?)` : ""}. Run with --help to list the flags.`;
  }
  if (error.code === "ERR_PARSE_ARGS_INVALID_OPTION_VALUE" && flag) {
    // "--steps -5" reads as two flags, and "--steps" at the end has no value at all.
    return `${flag} needs a value (write ${flag}=VALUE when the value starts with "-"). Run with --help to list the flags.`;
  }
  return `${error.message.replace(/\.+$/, "")}. Run with --help to list the flags.`;
}

/** Formats --help text from the flag specs. */
export function helpText(usage: string, description: string, flags: Record<string, FlagSpec>): string {
  const rows = Object.entries(flags).map(([name, spec]) => {
    const left = `  --${name}${spec.type === "string" ? ` ${spec.value ?? "VALUE"}` : ""}`;
    return `${left.padEnd(30)} ${spec.help}`;
  });
  return `${usage}\n\n${description}\n\nOptions:\n${rows.join("\n")}\n  ${"--help".padEnd(28)} Show this help.\n`;
}

/** Parses a flag as a finite number, naming the flag in the error. */
export function numberFlag(name: string, value: string | boolean | undefined): number | undefined {
  if (value === undefined) return undefined;
  const parsed = Number(value);
  if (typeof value !== "string" || value.trim() === "" || !Number.isFinite(parsed)) {
    throw new ConfigError(`--${name} must be a number, got ${JSON.stringify(value)}`);
  }
  return parsed;
}

/** Parses a comma-separated list of numbers. */
export function numberListFlag(name: string, value: string | boolean | undefined): number[] | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "string") throw new ConfigError(`--${name} must be a comma-separated list of numbers`);
  return value.split(",").map((item) => numberFlag(name, item.trim())!);
}

/** Reads a JSON config file, naming the file and the parse error on failure. */
export function readJsonFile(path: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    throw new FileFormatError(`config file not found or unreadable: ${path} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
  try {
    const value = JSON.parse(text);
    if (value === null || typeof value !== "object" || Array.isArray(value)) {
      throw new FileFormatError(`config file ${path} must hold a JSON object at the top level, got ${Array.isArray(value) ? "an array" : JSON.stringify(value)}`);
    }
    return value as Record<string, unknown>;
  } catch (error) {
    if (error instanceof FileFormatError) throw error;
    throw new FileFormatError(`config file ${path} is not valid JSON: ${(error as Error).message}`);
  }
}

/** Deep-merges plain objects: values from `override` win, arrays are replaced. */
export function deepMerge<T extends Record<string, unknown>>(base: T, override: Record<string, unknown>): T {
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(override)) {
    if (value === undefined) continue;
    const current = out[key];
    out[key] =
      value && typeof value === "object" && !Array.isArray(value) && current && typeof current === "object" && !Array.isArray(current)
        ? deepMerge(current as Record<string, unknown>, value as Record<string, unknown>)
        : value;
  }
  return out as T;
}

/**
 * Runs a script's async main. On failure it prints the error message (the stack only with
 * LSA_DEBUG=1) and exits with the error's `exitCode`, or 1.
 */
export function runMain(main: () => Promise<void>): void {
  main().catch((error: unknown) => {
    const err = error as Error & { exitCode?: unknown };
    process.stderr.write(`error: ${process.env.LSA_DEBUG ? err.stack : err.message}\n`);
    process.exit(typeof err.exitCode === "number" ? err.exitCode : 1);
  });
}
