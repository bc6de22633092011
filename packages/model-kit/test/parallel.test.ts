import { describe, expect, it } from "vitest";
import { createContext, type FanOut, ModelCanceledError, runParts, workParts } from "../src/index.ts";

const square = (offset: number, x: number) => offset + x * x;
const items = Array.from({ length: 50 }, (_, i) => i);
const expected = items.map((x) => square(1, x));

/** Helpers that work the board in this thread after `delayMs` (the pool does it on other threads). */
function fakeFanOut(
  behave: (k: number) => "work" | "fail-after-claiming" | "never-start",
  delayMs = 0,
): FanOut & { claimed: number[] } {
  const claimed: number[] = [];
  return {
    helpers: 3,
    claimed,
    startHelpers: ({ shared, items: its, board, count }) =>
      Array.from({ length: count }, (_, k) => {
        const mode = behave(k);
        if (mode === "never-start") return new Promise<[number, unknown][]>(() => {});
        return new Promise((r) => setTimeout(r, delayMs)).then(() => {
          const pairs = workParts((s: number, x: number) => square(s, x), shared, its, board);
          claimed.push(...pairs.map(([i]) => i));
          if (mode === "fail-after-claiming") throw new Error("thread died");
          return pairs;
        });
      }),
  };
}

describe("runParts", () => {
  it("runs every item in this thread without a fan-out, results in item order, progress to the total", async () => {
    const seen: number[] = [];
    const out = await runParts(createContext(), {
      part: "square",
      fn: square,
      shared: 1,
      items,
      onProgress: (done, total) => seen.push(done / total),
    });
    expect(out).toEqual(expected);
    expect(seen.at(-1)).toBe(1);
    expect([...seen].sort((a, b) => a - b)).toEqual(seen);
  });

  it("shares the items with helpers: each done once, same results", async () => {
    // A slow part makes this thread yield, so the helpers get to claim some items.
    const slow = (s: number, x: number) => {
      const until = performance.now() + 2;
      while (performance.now() < until);
      return square(s, x);
    };
    const fan = fakeFanOut(() => "work");
    const out = await runParts(createContext({ fanOut: fan }), {
      part: "square",
      fn: slow,
      shared: 1,
      items,
    });
    expect(out).toEqual(expected);
    expect(fan.claimed.length).toBeGreaterThan(0);
    expect(new Set(fan.claimed).size).toBe(fan.claimed.length);
  });

  it("does not wait for a helper that never starts, and redoes the items of one that died", async () => {
    const never = await runParts(createContext({ fanOut: fakeFanOut(() => "never-start") }), {
      part: "square",
      fn: square,
      shared: 1,
      items,
    });
    expect(never).toEqual(expected);
    const slow = (s: number, x: number) => {
      const until = performance.now() + 2;
      while (performance.now() < until);
      return square(s, x);
    };
    const dying = fakeFanOut(() => "fail-after-claiming");
    const out = await runParts(createContext({ fanOut: dying }), {
      part: "square",
      fn: slow,
      shared: 1,
      items,
    });
    expect(dying.claimed.length).toBeGreaterThan(0);
    expect(out).toEqual(expected);
  });

  it("stops between items when the signal aborts, and stops the helpers' board", async () => {
    const controller = new AbortController();
    let calls = 0;
    const fn = (s: number, x: number) => {
      calls++;
      if (calls === 5) controller.abort();
      return square(s, x);
    };
    let board: Int32Array | undefined;
    const fanOut: FanOut = {
      helpers: 1,
      startHelpers: (req) => {
        board = req.board;
        return [new Promise(() => {})];
      },
    };
    await expect(
      runParts(createContext({ signal: controller.signal, fanOut }), { part: "f", fn, shared: 1, items }),
    ).rejects.toBeInstanceOf(ModelCanceledError);
    expect(calls).toBe(5);
    // A helper starting now claims nothing.
    expect(workParts(fn, 1, items, board!)).toEqual([]);
  });
});
