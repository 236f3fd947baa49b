/**
 * The three roundings that LongBench v1 scores pass through, each reproduced for IEEE doubles:
 * - fuzzywuzzy's `int(round(x))` (Python's built-in `round` with no digits),
 * - Python's `round(x, n)` on a plain float (the non-`--e` overall score),
 * - numpy's rounding, which `round(np.float64, n)` uses (the `--e` bucket scores).
 * The last two differ on values such as 2.675: Python returns 2.67 because the stored double is
 * 2.67499999…, while numpy computes rint(2.675 × 100) / 100 = rint(267.5) / 100 = 2.68.
 */

/** Rounds to the nearest integer, ties to even, like C's `rint` in the default rounding mode. */
export function roundHalfEven(x: number): number {
  if (!Number.isFinite(x) || Math.abs(x) >= 2 ** 52) return x;
  const floor = Math.floor(x);
  const fraction = x - floor; // exact, because |x| < 2^52
  if (fraction < 0.5) return floor;
  if (fraction > 0.5) return floor + 1;
  return floor % 2 === 0 ? floor : floor + 1;
}

/**
 * Python's `round(x)` with no digits: the nearest integer, ties to even (`round(2.5) == 2`).
 * fuzzywuzzy's `utils.intr` is `int(round(x))`.
 */
export function pythonRoundInt(x: number): number {
  return roundHalfEven(x);
}

/**
 * Python's `round(x, digits)` for a float: the decimal with `digits` places nearest to the exact
 * binary value of `x`, ties to even. `toFixed` already rounds the exact value but breaks ties away
 * from zero. An exact tie is only possible when x × 2^(digits+1) is an odd integer, because x must
 * be a dyadic rational k/2^p that also equals an odd multiple of 1/(2 × 10^digits).
 */
export function pythonRound(x: number, digits: number): number {
  if (!Number.isFinite(x)) return x;
  const magnitude = Math.abs(x);
  const sign = x < 0 ? -1 : 1;
  const fixed = magnitude.toFixed(digits);
  const scaledHalf = magnitude * 2 ** (digits + 1); // exact: a power-of-two scaling
  const isTie = Number.isInteger(scaledHalf) && scaledHalf % 2 === 1;
  if (!isTie) return sign * Number(fixed);
  let scaled = Number(fixed.replace(".", "")); // toFixed picked the larger neighbour
  if (scaled % 2 === 1) scaled -= 1;
  return (sign * scaled) / 10 ** digits;
}

/**
 * numpy's `round(x, decimals)` for decimals ≥ 0, which is what Python's `round` does with a
 * `np.float64` (checked with numpy 2.4.6): multiply by 10^decimals, round half to even, divide.
 * The multiplication itself rounds, so this is not the correctly rounded decimal.
 */
export function numpyRound(x: number, decimals: number): number {
  const factor = 10 ** decimals;
  return roundHalfEven(x * factor) / factor;
}
