import { describe, expect, it } from "vitest";
import { loadConfig } from "../src/config.ts";
import { HttpProblem } from "../src/http/problem.ts";
import { createRunBudget } from "../src/runs/budget.ts";

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
    expect(refused).toBeInstanceOf(HttpProblem);
    expect(refused.status).toBe(429);
    expect(refused.detail).toMatch(
      /^Run limit of 2 per hour for heavy models reached \(2 used\); retry in \d+ s\.$/,
    );
    expect(Number(refused.headers["retry-after"])).toBeGreaterThan(3500);
    // Standard models and other callers are unaffected.
    await budget.spend("user:a", false, 5);
    await budget.spend("user:b", true, 2);
  });
});
