/**
 * One error format for the whole toolkit: `where: what must be rule, got value`, plus a fix when
 * one is known. Build messages lazily through `assert` so the happy path never formats strings.
 */

/** An input, config value or file that the toolkit rejects; `message` names the value and the fix. */
export class ToolkitError extends Error {
  override name = "ToolkitError";
}

/** A config field outside its allowed range; raised before any training starts. */
export class ConfigError extends ToolkitError {
  override name = "ConfigError";
}

/** A data, cache or checkpoint file that is missing, corrupt or does not match the run. */
export class FileFormatError extends ToolkitError {
  override name = "FileFormatError";
}

/**
 * Throws `new ErrorType(message())` unless `condition` holds.
 * @throws ToolkitError (or the given subclass) with the lazily built message.
 */
export function assert(
  condition: unknown,
  message: () => string,
  ErrorType: new (message: string) => Error = ToolkitError,
): asserts condition {
  if (!condition) throw new ErrorType(message());
}

/** Formats a value for an error message: strings quoted, numbers as written, objects as JSON. */
export function show(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value);
  if (typeof value === "number" || typeof value === "boolean" || value === undefined || value === null) {
    return String(value);
  }
  try {
    const text = JSON.stringify(value);
    return text.length > 200 ? `${text.slice(0, 200)}…` : text;
  } catch {
    return String(value);
  }
}

/** Builds the standard message `where: name must be rule, got value[. hint]`. */
export function mustBe(where: string, name: string, rule: string, value: unknown, hint?: string): string {
  return `${where}: ${name} must be ${rule}, got ${show(value)}${hint ? `. ${hint}` : ""}`;
}

/** Returns the candidate closest to `name` by edit distance, for "did you mean" hints. */
export function nearest(name: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    const distance = editDistance(name.toLowerCase(), candidate.toLowerCase());
    if (distance < bestDistance) {
      bestDistance = distance;
      best = candidate;
    }
  }
  return bestDistance <= Math.max(2, Math.floor(name.length / 3)) ? best : undefined;
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return row[b.length];
}

/**
 * Checks that `value` is one of `options` and returns it typed; otherwise throws a ConfigError that
 * lists the options and the nearest match.
 */
export function oneOf<T extends string>(where: string, name: string, value: unknown, options: readonly T[]): T {
  if (typeof value === "string" && (options as readonly string[]).includes(value)) return value as T;
  const guess = typeof value === "string" ? nearest(value, options) : undefined;
  const hint = guess ? `Did you mean ${show(guess)}?` : undefined;
  throw new ConfigError(mustBe(where, name, `one of ${options.map((o) => show(o)).join(", ")}`, value, hint));
}

/** Checks that `value` is an integer in [min, max] and returns it. */
export function intInRange(where: string, name: string, value: unknown, min: number, max = Infinity): number {
  assert(
    typeof value === "number" && Number.isInteger(value) && value >= min && value <= max,
    () => mustBe(where, name, `an integer in [${min}, ${max === Infinity ? "∞" : max}]`, value),
    ConfigError,
  );
  return value;
}

/** Checks that `value` is a finite number in [min, max] (or (min, max] when `minExclusive`) and returns it. */
export function numberInRange(
  where: string,
  name: string,
  value: unknown,
  min: number,
  max = Infinity,
  minExclusive = false,
): number {
  const ok =
    typeof value === "number" &&
    Number.isFinite(value) &&
    (minExclusive ? value > min : value >= min) &&
    value <= max;
  const low = minExclusive ? `(${min}` : `[${min}`;
  const high = max === Infinity ? "∞)" : `${max}]`;
  assert(ok, () => mustBe(where, name, `a finite number in ${low}, ${high}`, value), ConfigError);
  return value as number;
}
