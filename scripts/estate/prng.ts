// Deterministic pseudo-random numbers for the synthetic estate.
//
// Every resource draws from its own generator, seeded by (estate seed, stream, index), rather than
// from one shared sequence: resource #n is then the same whatever was generated before it, so any
// entity can be rebuilt from its index alone (the benchmark recomputes ids this way) and changing
// one part of the generator does not reshuffle all the others.

/** murmur3's 32-bit finaliser: a bijection on 32-bit integers that scatters neighbouring inputs. */
export function fmix32(x: number): number {
  let h = x >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/** A 32-bit integer hash of several integers. */
export function hash32(...parts: number[]): number {
  let h = 0x9e3779b9;
  for (const p of parts) h = fmix32(h ^ (p >>> 0));
  return h;
}

/** Small, fast, seedable generator (mulberry32): plenty for synthetic data, not for cryptography. */
export class Rng {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** For (estate seed, stream, index): the generator of one entity. */
  static for(seed: number, stream: number, index: number): Rng {
    return new Rng(hash32(seed, stream, index));
  }

  /** Uniform 32-bit unsigned integer. */
  u32(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    return this.u32() / 4294967296;
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** Uniform integer in [lo, hi]. */
  range(lo: number, hi: number): number {
    return lo + this.int(hi - lo + 1);
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]!;
  }

  /** Index drawn from cumulative-free weights, e.g. [80, 15, 5]. */
  weighted(weights: readonly number[]): number {
    let total = 0;
    for (const w of weights) total += w;
    let x = this.next() * total;
    for (let i = 0; i < weights.length; i++) {
      x -= weights[i]!;
      if (x < 0) return i;
    }
    return weights.length - 1;
  }
}

/**
 * The id of entity `index` of `stream`, shaped like the version-4 UUID a FHIR server assigns on
 * create, so ids carry no order or meaning (a scan in id order meets resources in random order, as it
 * would in production). Three words are hashes; the last is a bijection of the index (fmix32 of the
 * index under a per-stream mask), which makes ids unique within a stream by construction (32-bit
 * hashes alone would collide a few hundred times among a million ids).
 */
export function entityId(seed: number, stream: number, index: number): string {
  const hex = (n: number) => (n >>> 0).toString(16).padStart(8, '0');
  const a = hex(hash32(seed, stream, index, 1));
  const b = hex(hash32(seed, stream, index, 2));
  const c = hex(hash32(seed, stream, index, 3));
  const d = hex(fmix32(index ^ hash32(seed, stream)));
  const variant = ((parseInt(c[0]!, 16) & 0x3) | 0x8).toString(16);
  return `${a}-${b.slice(0, 4)}-4${b.slice(5, 8)}-${variant}${c.slice(1, 4)}-${c.slice(4)}${d}`;
}
