/**
 * Seeded pseudo-random numbers. Every sampler in the toolkit takes a `Random` so that a seed fixes
 * the whole run; `Math.random` is never used.
 */

/** A deterministic generator (SplitMix32 state update, mulberry32 output), with a forkable stream. */
export class Random {
  private state: number;

  constructor(seed: number) {
    // Hash the seed once so that nearby seeds (0, 1, 2) give unrelated streams.
    this.state = hashSeed(seed);
  }

  /** Returns a float in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) | 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Returns an integer uniform in [lo, hi], both ends included. */
  int(lo: number, hi: number): number {
    if (hi < lo) throw new RangeError(`Random.int: hi must be >= lo, got lo=${lo}, hi=${hi}`);
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }

  /** Returns a standard normal sample (Box-Muller). */
  normal(): number {
    const u = 1 - this.next();
    const v = this.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  /** One element of `items`, uniformly. */
  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new RangeError("Random.pick: items must not be empty");
    return items[Math.floor(this.next() * items.length)];
  }

  /** A shuffled copy of `items` (Fisher-Yates). */
  shuffle<T>(items: readonly T[]): T[] {
    const out = items.slice();
    for (let i = out.length - 1; i > 0; i--) {
      const j = Math.floor(this.next() * (i + 1));
      [out[i], out[j]] = [out[j], out[i]];
    }
    return out;
  }

  /** An independent generator derived from this one's seed and `label`, so sub-streams do not interfere. */
  fork(label: string | number): Random {
    return new Random(hashSeed(this.state ^ hashString(String(label))));
  }

  /** Returns a 32-bit integer seed for a tfjs initializer. */
  seed(): number {
    return Math.floor(this.next() * 2147483647);
  }
}

function hashSeed(seed: number): number {
  let z = (seed | 0) + 0x9e3779b9;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) | 0;
}

/** FNV-1a hash of a string, as a 32-bit integer. */
export function hashString(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h | 0;
}
