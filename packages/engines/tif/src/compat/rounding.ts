/**
 * Python's number conversions, which the prototype relies on (spec "Parity traps" 1).
 */

/**
 * Python 3 `round(x)` for a float: to the nearest integer, exact halves to the even neighbour
 * (banker's rounding): 2.5 → 2, 3.5 → 4, −2.5 → −2, 4.8 → 5. Math.round would send 2.5 to 3.
 * Python decides on the float's exact binary value, and so does this: `x − floor(x)` is exact for
 * every float below 2^52, so only values that really are k + 0.5 count as halves
 * (0.1 × 5 = 0.5 exactly is a half; 2.675 is not).
 */
export function pyRound(x: number): number {
  if (!Number.isFinite(x)) throw new RangeError(`cannot round ${x}`);
  const f = Math.floor(x);
  const diff = x - f;
  if (diff < 0.5) return f;
  if (diff > 0.5) return f + 1;
  return f % 2 === 0 ? f : f + 1;
}

/** Python `int(x)` for a float: truncation toward zero (`int(600 × 0.82)` is 491, not 492). */
export function pyInt(x: number): number {
  return Math.trunc(x);
}
