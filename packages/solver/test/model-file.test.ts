import highsLoader from "highs";
import { describe, expect, it } from "vitest";
import { ModelBuilder, modelFile, solveInThisThread } from "../src/index.ts";

/** The model as MPS/LP for another solver: generated names only, and it reads back to the same optimum. */
describe("modelFile", () => {
  const b = new ModelBuilder("max");
  // User strings that would break (or inject into) LP text if they were written as names.
  const x = b.variable({ name: "x: DROP\nst", integer: true, upper: 10, cost: 5 });
  const y = b.variable({ name: "y \\ 2", upper: 4, cost: 4 });
  b.le(
    "budget + [cap]",
    [
      [x, 6],
      [y, 4],
    ],
    24,
  );
  b.le(
    "end",
    [
      [x, 1],
      [y, 1],
    ],
    5,
  );
  const spec = b.build();

  it("writes generated names (c0…, r0…), never the model's own", async () => {
    const lp = await modelFile(spec, "lp");
    const mps = new TextDecoder().decode(await modelFile(spec, "mps"));
    for (const text of [lp, mps]) {
      expect(text).toMatch(/\bc0\b/);
      expect(text).toMatch(/\br1\b/);
      expect(text).not.toContain("DROP");
      expect(text).not.toContain("budget");
    }
    expect(mps).toMatch(/OBJSENSE\s+MAX/);
  });

  it("reads back into HiGHS (LP and MPS) with the optimum of the model solved directly", async () => {
    const direct = await solveInThisThread(spec);
    // max 5x + 4y, 6x + 4y ≤ 24, x + y ≤ 5, x ∈ {0…10}, y ≤ 4: x = 2, y = 3 → 22.
    expect(direct.objective).toBeCloseTo(22, 9);
    const highs = await (highsLoader as unknown as () => Promise<import("highs").Highs>)();
    for (const source of [
      { format: "lp" as const, data: await modelFile(spec, "lp") },
      { format: "mps" as const, data: await modelFile(spec, "mps") },
    ]) {
      const m = highs.createModel(source);
      m.options.set({ output_flag: false });
      m.run();
      expect(Number(m.info.get("objective_function_value"))).toBeCloseTo(22, 9);
      m.dispose();
    }
  });
});
