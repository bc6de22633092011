import { catalog } from "@modelworks/catalog";
import type { AnyModel } from "@modelworks/model-kit";
import { loadSolver } from "@modelworks/solver";
import { describe, expect, it } from "vitest";
import { warmUpEngines } from "../src/runs/warm-up.ts";

/** An engine thread's warm-up (runs/warm-up.ts): each engine's `warmUp`, once, never fatal. */
describe("engine warm-up", () => {
  it("calls each distinct hook once, and a failing hook does not fail the warm-up", async () => {
    const calls: string[] = [];
    const shared = async () => void calls.push("shared");
    const failing = async () => {
      calls.push("failing");
      throw new Error("no WebAssembly here");
    };
    const models = [
      { id: "a", version: "1.0.0", warmUp: shared },
      { id: "a", version: "2.0.0", warmUp: shared },
      { id: "b", version: "1.0.0", warmUp: failing },
      { id: "c", version: "1.0.0" },
    ] as unknown as AnyModel[];
    await expect(warmUpEngines(models)).resolves.toBe(2);
    expect(calls.sort()).toEqual(["failing", "shared"]);
  });

  it("loads the solver for every optimizer version in the catalog, and nothing else warms up", () => {
    const all = catalog.list({ includeInternal: true }).flatMap((m) => catalog.versions(m.id));
    const warmed = all.filter((m) => m.warmUp).map((m) => `${m.id}@${m.version}`);
    expect(warmed.sort()).toEqual(
      all
        .filter((m) => ["deal-picker", "leasing-mix", "debt-stack", "capex-phasing"].includes(m.id))
        .map((m) => `${m.id}@${m.version}`)
        .sort(),
    );
    for (const m of all) if (m.warmUp) expect(m.warmUp, m.id).toBe(loadSolver);
  });
});
