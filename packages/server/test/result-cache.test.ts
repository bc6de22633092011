import { describe, expect, it } from "vitest";
import { cachedResult, RESULT_CACHE_BYTES, resultCacheStats } from "../src/conversations/result-cache.ts";

describe("kept query answers", () => {
  it("computes a key once, shares it while in flight, and keeps no failure", async () => {
    let runs = 0;
    const compute = async () => {
      runs++;
      await new Promise((r) => setTimeout(r, 5));
      return { rows: [runs] };
    };
    const [a, b] = await Promise.all([cachedResult("k1", compute), cachedResult("k1", compute)]);
    expect(runs).toBe(1);
    expect(a).toBe(b);
    expect(await cachedResult("k1", compute)).toEqual({ rows: [1] });
    expect(runs).toBe(1);

    await expect(
      cachedResult("k2", async () => {
        throw new Error("duckdb said no");
      }),
    ).rejects.toThrow("duckdb said no");
    expect(await cachedResult("k2", compute)).toEqual({ rows: [2] });
  });

  it("stays within its byte bound, the least recently used out first", async () => {
    const big = "x".repeat(Math.floor(RESULT_CACHE_BYTES / 10));
    await cachedResult("first", async () => big);
    for (let i = 0; i < 12; i++) {
      await cachedResult(`big${i}`, async () => big);
      await cachedResult("first", async () => "recomputed"); // used again: stays
    }
    expect(resultCacheStats().bytes).toBeLessThanOrEqual(RESULT_CACHE_BYTES);
    expect(await cachedResult("first", async () => "recomputed")).toBe(big);
    expect(await cachedResult("big0", async () => "recomputed")).toBe("recomputed");
  });
});
