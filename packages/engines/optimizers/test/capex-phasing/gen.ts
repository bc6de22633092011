import { rng } from "../../src/common/rng.ts";
import {
  type CapexModelworksParsed,
  type CapexModelworksRaw,
  type CapexStartPlan,
  checkCapexStartPlan,
  evaluateCapexStartPlan,
} from "../../src/index.ts";

/**
 * A random capex programme (seeded): `n` projects over `horizon` months, durations up to
 * `maxDuration`, random windows, flat or front/back-loaded spend, uplift yields 5–25% of cost,
 * downtime, some mandatory projects, precedence only towards earlier projects (acyclic), cash
 * that covers about `cashCover` of the total cost over the horizon.
 */
export function randomProgramme(
  seed: number,
  n: number,
  horizon: number,
  o: {
    maxDuration?: number;
    carryOver?: boolean;
    parallel?: number | null;
    cashCover?: number;
    precedence?: number;
  } = {},
): CapexModelworksRaw {
  const r = rng(seed);
  const int = (lo: number, hi: number) => lo + Math.floor(r() * (hi - lo + 1));
  const maxD = o.maxDuration ?? 4;
  const projects = Array.from({ length: n }, (_, i) => {
    const d = int(1, Math.min(maxD, horizon));
    const earliest = int(1, horizon - d + 1);
    const latest = int(earliest, Math.max(earliest, horizon - d + 1));
    const cost = int(2, 50) * 100_000;
    const profile =
      d > 1 && r() < 0.3
        ? (() => {
            const w = Array.from({ length: d }, () => int(1, 4));
            const s = w.reduce((a, b) => a + b, 0);
            const f = w.map((x) => x / s);
            f[d - 1] = 1 - f.slice(0, d - 1).reduce((a, b) => a + b, 0);
            return f;
          })()
        : null;
    const preds: string[] = [];
    if (i > 0 && r() < (o.precedence ?? 0.15)) preds.push(`p${int(0, i - 1)}`);
    return {
      id: `p${i}`,
      earliestStartMonth: earliest,
      latestStartMonth: latest,
      durationMonths: d,
      cost,
      spendProfile: profile,
      rentUpliftAnnual: Math.round((cost * int(5, 25)) / 100),
      downtimeLossPerMonth: r() < 0.5 ? int(0, 20) * 1_000 : 0,
      mandatory: r() < 0.1,
      predecessors: preds,
    };
  });
  const total = projects.reduce((s, p) => s + p.cost, 0);
  const cover = o.cashCover ?? 0.7;
  return {
    horizonMonths: horizon,
    monthlyCashCap: Array.from({ length: horizon }, () =>
      Math.round((total * cover * int(6, 14)) / 10 / horizon),
    ),
    cashCarryOver: o.carryOver ?? r() < 0.5,
    openingCash: 0,
    maxParallelProjects: o.parallel === undefined ? int(1, Math.max(1, n - 1)) : o.parallel,
    discountRateAnnual: r() < 0.5 ? 0 : int(3, 10) / 100,
    projects,
    whatIf: { enabled: false },
  };
}

/** Every combination of start months (or none, for optional projects), checked independently. */
export function bruteForce(input: CapexModelworksParsed): { best: number | null; feasible: number } {
  const choices = input.projects.map((p) => {
    const c: (number | null)[] = p.mandatory ? [] : [null];
    for (
      let t = p.earliestStartMonth;
      t <= Math.min(p.latestStartMonth, input.horizonMonths - p.durationMonths + 1);
      t++
    )
      c.push(t);
    return c;
  });
  let best: number | null = null;
  let feasible = 0;
  const plan: CapexStartPlan = {};
  const visit = (j: number) => {
    if (j === input.projects.length) {
      if (checkCapexStartPlan(input, plan).length > 0) return;
      feasible++;
      const v = evaluateCapexStartPlan(input, plan).objective;
      if (best === null || v > best) best = v;
      return;
    }
    for (const c of choices[j]!) {
      plan[input.projects[j]!.id] = c;
      visit(j + 1);
    }
  };
  visit(0);
  return { best, feasible };
}
