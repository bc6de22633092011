/**
 * debt-stack@2 as an LP. Variables (currency): d_k ≥ 0 the amount of tranche k, E ≥ 0 the equity,
 * h_j ≥ 0 the notional of hedge j (caps, swaps on the floating index); in worst-case mode also a
 * free epigraph variable z.
 *
 *   Sources = uses        E + Σ_k (1 − fee_k)·d_k = P + C             (fees come out of the proceeds)
 *   Equity available      E ≤ E_avail
 *   LTV                   Σ_k d_k ≤ LTV_max · V                      (V = appraised value, else P)
 *   LTC                   Σ_k d_k ≤ LTC_max · (P + C)                (optional)
 *   DSCR (year t, scen s) Σ_k κ(k,s,t)·d_k + Σ_j η(j,s,t)·h_j ≤ NOI_t / DSCR_min
 *   Debt yield            Σ_k d_k ≤ NOI_1 / DY_min                   (optional)
 *   Tranche cap k         d_k ≤ maxShare_k · P
 *   Fixed-or-hedged share Σ_{fixed} d_k + Σ_j h_j − δ·Σ_k d_k ≥ 0    (δ = minFixedShare > 0)
 *   Hedge ≤ floating debt Σ_j h_j − Σ_{floating} d_k ≤ 0
 *
 * κ(k,s,t) is tranche k's annual debt service (interest + principal) per unit of principal in
 * year t of scenario s — its mortgage constant for that year, from the monthly schedule
 * (schedule.ts); η(j,s,t) the hedge's premium minus its payoff per unit of notional. The DSCR
 * row with amortizing debt is linear in the tranche amounts: the whole schedule scales with the
 * principal, so the year's debt service is κ·d_k (the same argument holds for interest-only
 * months, floating rates re-set every year and re-amortization).
 *
 * Annual financing cost in scenario s (currency/yr):
 *   c_s = Σ_k [ (1/N)·Σ_t interest(k,s,t) + fee_k/N ]·d_k + Σ_j (1/N)·Σ_t η(j,s,t)·h_j + r_E·E
 * (average over the N NOI years; upfront fees spread over the horizon; r_E the cost of equity).
 * Objective: min Σ_s w_s·c_s (expected), or min z with z ≥ c_s for every s (worst case, min-max).
 */
import { ModelBuilder, type ModelSpec } from "@modelworks/solver";
import { hedgeUnitCost, horizonYears, unitSchedule, weights } from "./schedule.ts";
import type { DebtStackInputParsed } from "./schema.ts";

export type RowKind =
  | "funding"
  | "equity"
  | "ltv"
  | "ltc"
  | "dscr"
  | "debt-yield"
  | "tranche-cap"
  | "fixed-share"
  | "hedge-floating"
  | "hedge-cap"
  | "worst-case";

export const ROW = {
  funding: "Sources = uses",
  equity: "Equity available",
  ltv: "Max LTV",
  ltc: "Max LTC",
  dscr: (year: number, scenario: string) => `Min DSCR year ${year} scenario ${scenario}`,
  debtYield: "Min debt yield",
  trancheCap: (id: string) => `Max share ${id}`,
  fixedShare: "Min fixed-or-hedged share",
  hedgeFloating: "Hedge notional ≤ floating debt",
  hedgeCap: (id: string) => `Max notional ${id}`,
  worst: (scenario: string) => `Worst case ≥ cost in ${scenario}`,
} as const;

export const amountVar = (id: string) => `amount[${id}]`;
export const notionalVar = (id: string) => `notional[${id}]`;
export const EQUITY = "equity";
export const WORST = "worst-case annual cost";

export interface Built {
  spec: ModelSpec;
  objectiveUnit: string;
  about: Record<string, { kind: RowKind; what: string; year?: number; scenario?: string }>;
  /** Annual cost per unit of each variable in each scenario: costs[s][varName]. */
  scenarioCosts: Record<string, number>[];
}

export function buildModel(input: DebtStackInputParsed): Built {
  const cur = input.currency;
  const N = horizonYears(input);
  const w = weights(input);
  const worst = input.objective === "worst-case";
  const objectiveUnit = `${cur}/yr (${worst ? "worst-case" : "expected"} annual financing cost)`;
  const m = new ModelBuilder("min", { objectiveUnit });
  const about: Built["about"] = {};
  const P = input.purchasePrice;
  const uses = P + input.closingCosts;
  const value = input.appraisedValue ?? P;
  const S = input.rateScenarios;

  // Per-unit schedules: sched[k][s][t-1].
  const sched = input.tranches.map((t) => S.map((s) => unitSchedule(t, s, N)));
  const scenarioCosts: Record<string, number>[] = S.map(() => ({}));
  input.tranches.forEach((t, k) => {
    S.forEach((_, s) => {
      const interest = sched[k]![s]!.reduce((a, r) => a + r.interest, 0);
      scenarioCosts[s]![amountVar(t.id)] = interest / N + t.upfrontFee / N;
    });
  });
  input.hedges.forEach((h) => {
    S.forEach((sc, s) => {
      let c = 0;
      for (let y = 1; y <= N; y++) c += hedgeUnitCost(h, sc, y);
      scenarioCosts[s]![notionalVar(h.id)] = c / N;
    });
  });
  S.forEach((_, s) => {
    scenarioCosts[s]![EQUITY] = input.equityCostRate;
  });
  const expected = (name: string) =>
    worst ? 0 : S.reduce((a, _, s) => a + w[s]! * (scenarioCosts[s]![name] ?? 0), 0);

  const d = input.tranches.map((t) =>
    m.variable({ name: amountVar(t.id), cost: expected(amountVar(t.id)), unit: cur }),
  );
  const E = m.variable({ name: EQUITY, cost: expected(EQUITY), unit: cur });
  const h = input.hedges.map((hg) =>
    m.variable({ name: notionalVar(hg.id), cost: expected(notionalVar(hg.id)), unit: cur }),
  );
  const allDebt = d.map((v) => [v, 1] as const);

  m.constraint({
    name: ROW.funding,
    terms: [[E, 1], ...input.tranches.map((t, k) => [d[k]!, 1 - t.upfrontFee] as const)],
    lower: uses,
    upper: uses,
    unit: cur,
    relaxPenalty: null,
  });
  about[ROW.funding] = {
    kind: "funding",
    what: `equity plus net debt proceeds fund the price and closing costs (${uses} ${cur})`,
  };
  m.constraint({
    name: ROW.equity,
    terms: [[E, 1]],
    upper: input.equityAvailable,
    unit: cur,
    relaxPenalty: 1,
  });
  about[ROW.equity] = { kind: "equity", what: "equity at most the equity available" };
  m.constraint({
    name: ROW.ltv,
    terms: allDebt,
    upper: input.targets.maxLtv * value,
    unit: cur,
    relaxPenalty: 1,
  });
  about[ROW.ltv] = { kind: "ltv", what: `total debt ≤ ${input.targets.maxLtv} × value ${value}` };
  if (input.targets.maxLtc !== null) {
    m.constraint({
      name: ROW.ltc,
      terms: allDebt,
      upper: input.targets.maxLtc * uses,
      unit: cur,
      relaxPenalty: 1,
    });
    about[ROW.ltc] = { kind: "ltc", what: `total debt ≤ ${input.targets.maxLtc} × total cost ${uses}` };
  }
  if (input.targets.minDscr !== null) {
    const D = input.targets.minDscr;
    for (let y = 1; y <= N; y++) {
      S.forEach((sc, s) => {
        const ks = input.tranches.map((_, k) => sched[k]![s]![y - 1]!.payment);
        const mean = ks.reduce((a, x) => a + x, 0) / ks.length;
        const name = ROW.dscr(y, sc.id);
        m.constraint({
          name,
          terms: [
            ...d.map((v, k) => [v, ks[k]!] as const),
            ...input.hedges.map((hg, j) => [h[j]!, hedgeUnitCost(hg, sc, y)] as const),
          ],
          upper: input.noi[y - 1]! / D,
          unit: `${cur}/yr of debt service`,
          // One currency/yr of debt service weighs as much as the debt it carries (1/κ).
          relaxPenalty: mean > 0 ? 1 / mean : 1,
        });
        about[name] = {
          kind: "dscr",
          year: y,
          scenario: sc.id,
          what: `debt service in year ${y}, scenario ${sc.id} ≤ NOI ${input.noi[y - 1]} / DSCR ${D}`,
        };
      });
    }
  }
  if (input.targets.minDebtYield !== null) {
    m.constraint({
      name: ROW.debtYield,
      terms: allDebt,
      upper: input.noi[0]! / input.targets.minDebtYield,
      unit: cur,
      relaxPenalty: 1,
    });
    about[ROW.debtYield] = {
      kind: "debt-yield",
      what: `total debt ≤ year-1 NOI / debt yield ${input.targets.minDebtYield}`,
    };
  }
  input.tranches.forEach((t, k) => {
    const name = ROW.trancheCap(t.id);
    m.constraint({ name, terms: [[d[k]!, 1]], upper: t.maxShare * P, unit: cur, relaxPenalty: 1 });
    about[name] = { kind: "tranche-cap", what: `${t.id} ≤ ${t.maxShare} × price` };
  });
  const delta = input.targets.minFixedShare;
  if (delta > 0) {
    m.constraint({
      name: ROW.fixedShare,
      terms: [
        ...input.tranches.map((t, k) => [d[k]!, (t.rateType === "fixed" ? 1 : 0) - delta] as const),
        ...h.map((v) => [v, 1] as const),
      ],
      lower: 0,
      unit: cur,
      relaxPenalty: 1,
    });
    about[ROW.fixedShare] = {
      kind: "fixed-share",
      what: `fixed-rate debt plus hedged notional ≥ ${delta} × total debt`,
    };
  }
  if (h.length > 0) {
    m.constraint({
      name: ROW.hedgeFloating,
      terms: [
        ...h.map((v) => [v, 1] as const),
        ...input.tranches.flatMap((t, k) => (t.rateType === "floating" ? [[d[k]!, -1] as const] : [])),
      ],
      upper: 0,
      unit: cur,
      relaxPenalty: null,
    });
    about[ROW.hedgeFloating] = { kind: "hedge-floating", what: "hedges cover at most the floating debt" };
    input.hedges.forEach((hg, j) => {
      if (hg.maxNotional === null) return;
      const name = ROW.hedgeCap(hg.id);
      m.constraint({ name, terms: [[h[j]!, 1]], upper: hg.maxNotional, unit: cur, relaxPenalty: 1 });
      about[name] = { kind: "hedge-cap", what: `${hg.id} notional ≤ ${hg.maxNotional}` };
    });
  }
  if (worst) {
    const z = m.variable({ name: WORST, lower: Number.NEGATIVE_INFINITY, cost: 1, unit: `${cur}/yr` });
    const vars = [...d, E, ...h];
    S.forEach((sc, s) => {
      const name = ROW.worst(sc.id);
      m.constraint({
        name,
        terms: [[z, 1], ...vars.map((v) => [v, -(scenarioCosts[s]![v.name] ?? 0)] as const)],
        lower: 0,
        unit: `${cur}/yr`,
        relaxPenalty: null,
      });
      about[name] = { kind: "worst-case", what: `the worst-case cost is at least scenario ${sc.id}'s cost` };
    });
  }
  return { spec: m.build(), objectiveUnit, about, scenarioCosts };
}
