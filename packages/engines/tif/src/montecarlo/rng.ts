/**
 * Random streams for the Monte Carlo. Every iteration has its own stream, a xoroshiro128+
 * generator (pure-rand) whose 128-bit state is hashed from (seed, iteration): an iteration's draws
 * depend on nothing else, so the results are identical however the iterations are split into
 * chunks or spread over threads, and a chunk can start anywhere without replaying the stream.
 *
 * The state hash is MurmurHash3's 32-bit finalizer (`fmix32`, a bijection on 32-bit words) applied
 * to the seed, offset by the iteration, then to four counters in a SplitMix-like sequence
 * (golden-ratio increments) — the usual way to expand a small seed into a generator state.
 */
import { uniformFloat64 } from "pure-rand/distribution/uniformFloat64";
import { xoroshiro128plusFromState } from "pure-rand/generator/xoroshiro128plus";

const GOLDEN = 0x9e3779b9;

/** MurmurHash3 fmix32: a bijective 32-bit mixer. */
export function fmix32(h: number): number {
  let x = h | 0;
  x ^= x >>> 16;
  x = Math.imul(x, 0x85ebca6b);
  x ^= x >>> 13;
  x = Math.imul(x, 0xc2b2ae35);
  x ^= x >>> 16;
  return x | 0;
}

/** The generator of iteration `i` of a run seeded with `seed` (both non-negative integers). */
export function iterationStream(seed: number, i: number) {
  const h = (fmix32(seed) + i) | 0;
  const state: number[] = [1, 2, 3, 4].map((k) => fmix32((h + Math.imul(k, GOLDEN)) | 0));
  // xoroshiro's all-zero state is a fixed point; fmix32 makes it next to impossible, but cheap to rule out.
  if (!state.some((w) => w !== 0)) state[0] = 1;
  return xoroshiro128plusFromState(state);
}

/**
 * `count` uniforms in the open interval (0, 1) for iteration `i`: 53-bit doubles from pure-rand
 * (at most 1 − 2⁻⁵³), with an exact 0 (odds 2⁻⁵³) replaced by 2⁻⁵⁴ so that quantile functions
 * never see 0 (−∞ for a normal).
 */
export function iterationUniforms(seed: number, i: number, count: number): number[] {
  const rng = iterationStream(seed, i);
  const out = new Array<number>(count);
  for (let k = 0; k < count; k++) out[k] = uniformFloat64(rng) || 2 ** -54;
  return out;
}
