import { MODELS } from "@modelworks/catalog";
import { describe, expect, it } from "vitest";
import { loadConfig } from "../src/config.ts";
import { runs } from "../src/db/schema.ts";
import { DomainError } from "../src/errors/domain-error.ts";
import { createRunBudget } from "../src/runs/budget.ts";
import { createOwner, createTestApp, request } from "./harness.ts";

const config = loadConfig({
  DATABASE_URL: "memory://",
  RUN_RATE_LIMIT_PER_HOUR: "5",
  RUN_HEAVY_RATE_LIMIT_PER_HOUR: "2",
});

describe("run budget", () => {
  it("gives heavy models their own, smaller hourly budget, per caller", async () => {
    const budget = createRunBudget(config, null);
    await budget.spend("user:a", true, 1);
    await budget.spend("user:a", true, 1);
    const refused = await budget.spend("user:a", true, 1).catch((e) => e);
    expect(refused).toBeInstanceOf(DomainError);
    expect(refused.status).toBe(429);
    expect(refused.detail).toMatch(
      /^Run limit of 2 per hour for heavy models reached \(2 used\); the next run is allowed at \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC \(in \d+ minutes\)\.$/,
    );
    expect(Number(refused.headers["retry-after"])).toBeGreaterThan(3500);
    // The detail's clock time is Retry-After from now.
    const at = Date.parse(`${/allowed at (\S+ \S+) UTC/.exec(refused.detail)![1]!.replace(" ", "T")}Z`);
    const expected = Date.now() + Number(refused.headers["retry-after"]) * 1000;
    expect(Math.abs(at - expected)).toBeLessThan(2000);
    // Standard models and other callers are unaffected.
    await budget.spend("user:a", false, 5);
    await budget.spend("user:b", true, 2);
  });
});

describe("only accepted runs count against the budget", () => {
  it("gives back what a refused (429) attempt counted, and what a refund returns", async () => {
    const budget = createRunBudget(config, null);
    await budget.spend("user:c", true, 2);
    // Ten refused attempts: each reports the same two runs used, and none is counted.
    for (let i = 0; i < 10; i++) {
      const refused = await budget.spend("user:c", true, 1).catch((e) => e);
      expect(refused.status).toBe(429);
      expect(refused.detail).toMatch(/\(2 used\)/);
    }
    await budget.refund("user:c", true, 1);
    await budget.spend("user:c", true, 1);
    expect((await budget.spend("user:c", true, 1).catch((e) => e)).status).toBe(429);
  });

  it("through the API: ten invalid heavy submissions (422) spend nothing; a valid one is still accepted", async () => {
    const t = await createTestApp({ RUN_HEAVY_RATE_LIMIT_PER_HOUR: "2" });
    try {
      const u = await createOwner(t.app, "Budget");
      const example = MODELS.find((m) => m.id === "deal-picker")!.examples[0]!.input as {
        budget: number;
      };
      const post = (input: unknown) =>
        request(t.app, u, {
          method: "POST",
          url: "/api/v1/models/deal-picker/runs?cache=false",
          payload: { input },
        });
      for (let i = 0; i < 10; i++) {
        const bad = await post({ ...example, budget: -1 - i });
        expect(bad.statusCode).toBe(422);
        expect(bad.json().errors.map((e: { path: string }) => e.path)).toContain("body.input.budget");
      }
      expect((await post(example)).statusCode).toBe(202);
      expect((await post({ ...example, budget: example.budget + 1 })).statusCode).toBe(202);
      const over = await post({ ...example, budget: example.budget + 2 });
      expect(over.statusCode).toBe(429);
      expect(over.json().detail).toMatch(/^Run limit of 2 per hour for heavy models reached \(2 used\);/);
      expect(await t.database.db.select().from(runs)).toHaveLength(2);
    } finally {
      await t.close();
    }
  });
});
