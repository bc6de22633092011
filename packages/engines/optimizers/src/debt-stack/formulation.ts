/**
 * debt-stack@3 as an LP — a MILP when some tranche has a minimum size or a fixed fee. Variables
 * (currency): d_k ≥ 0 the amount of tranche k, E ≥ 0 the equity, h_j ≥ 0 the notional of hedge j
 * at closing (caps, swaps on the floating index); y_k ∈ {0,1} "tranche k is used" for the tranches
 * with a minimum amount m_k or a fixed fee F_k (only those: without them the model stays an LP);
 * in worst-case mode also a free epigraph variable z. (An explicit binary rather than HiGHS's
 * semi-continuous column type: the fixed fee needs the same on/off variable, and the duals of the
 * LP with the choices fixed need it as an integer column.)
 *
 *   Sources = uses        E + Σ_k (1 − fee_k)·d_k − Σ_k F_k·y_k = P + C (fees come out of the proceeds)
 *   Equity available      E ≤ E_avail
 *   LTV                   Σ_k d_k ≤ LTV_max · V                      (V = appraised value, else P)
 *   LTC                   Σ_k d_k ≤ LTC_max · (P + C)                (optional)
 *   DSCR (year t, scen s) Σ_k κ(k,s,t)·d_k + Σ_j η(j,s,t)·h_j ≤ NOI_t / DSCR_min
 *   Debt yield            Σ_k d_k ≤ NOI_1 / DY_min                   (optional)
 *   Tranche cap k         d_k ≤ U_k (U_k = maxShare_k · P), or d_k − U_k·y_k ≤ 0 with a y_k
 *   Min size k            d_k − m_k·y_k ≥ 0                          (m_k > 0: d_k = 0 or d_k ≥ m_k)
 *   Fixed-or-hedged share Σ_k (1[k fixed] − δ)·b(k,s,t)·d_k + Σ_j n(j,s,t)·h_j ≥ 0   (δ > 0;
 *                         at closing and each anniversary: t = 1…N, every scenario s)
 *   Hedges ≤ floating     Σ_j n(j,s,t)·h_j − Σ_{floating k} b(k,s,t)·d_k ≤ 0   (every t, s)
 *   Hedges on tranche k   Σ_{j follows k} h_j − d_k ≤ 0               (amortizing hedges)
 *
 * κ(k,s,t) is tranche k's annual debt service (interest + principal) per unit of principal in
 * year t of scenario s — its mortgage constant for that year, from the monthly schedule
 * (schedule.ts); b(k,s,t) its per-unit balance outstanding at the start of year t (1 in year 1);
 * n(j,s,t) the per-unit notional of hedge j at the start of year t (1 for a constant hedge within
 * its tenor, b(k,s,t) for a hedge that follows tranche k, 0 after the tenor); η(j,s,t) its
 * premium minus payoff on the year's average notional. The rows with amortizing debt are linear
 * in the amounts: the whole schedule scales with the principal. Rows with identical coefficients
 * (e.g. the same balances in every scenario) are written once.
 *
 * Annual financing cost in scenario s (currency/yr):
 *   c_s = Σ_k [ (1/N)·Σ_t interest(k,s,t) + fee_k/N ]·d_k + Σ_k (F_k/N)·y_k
 *         + Σ_j (1/N)·Σ_t η(j,s,t)·h_j + r_E·E
 * (average over the N NOI years; upfront fees spread over the horizon; r_E the cost of equity).
 * Objective: min Σ_s w_s·c_s (expected), or min z with z ≥ c_s for every s (worst case, min-max).
 */
import { ModelBuilder, type ModelSpec } from "@modelworks/solver";
import { hedgeUnitYear, horizonYears, unitSchedule, weights } from "./schedule.ts";
import type { DebtStackInputParsed } from "./schema.ts";

export type RowKind =
  | "funding"
  | "equity"
  | "ltv"
  | "ltc"
  | "dscr"
  | "debt-yield"
  | "tranche-cap"
  | "min-size"
  | "hedge-tranche"
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
  minSize: (id: string) => `Min size ${id}`,
  hedgeTranche: (id: string) => `Hedges on ${id} ≤ ${id}`,
  fixedShare: (year: number, scenario: string | null) =>
    `Min fixed-or-hedged share year ${year}${scenario === null ? "" : ` scenario ${scenario}`}`,
  hedgeFloating: (year: number, scenario: string | null) =>
    `Hedge notional ≤ floating debt year ${year}${scenario === null ? "" : ` scenario ${scenario}`}`,
  hedgeCap: (id: string) => `Max notional ${id}`,
  worst: (scenario: string) => `Worst case ≥ cost in ${scenario}`,
} as const;

export const amountVar = (id: string) => `amount[${id}]`;
export const notionalVar = (id: string) => `notional[${id}]`;
export const usedVar = (id: string) => `used[${id}]`;

/** A tranche needs an on/off binary when it has a minimum amount or a fixed fee. */
export const isSwitched = (t: { minAmount: number; fixedFee: number }) => t.minAmount > 0 || t.fixedFee > 0;
export const EQUITY = "equity";
export const WORST = "worst-case annual cost";

export interface Built {
  spec: ModelSpec;
  objectiveUnit: string;
  about: Record<
    string,
    {
      kind: RowKind;
      what: string;
      year?: number;
      scenario?: string;
      trancheId?: string;
      scenarios?: string[];
    }
  >;
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
  input.tranches.forEach((t) => {
    if (!isSwitched(t)) return;
    for (const c of scenarioCosts) c[usedVar(t.id)] = t.fixedFee / N;
  });
  const trancheIndex = new Map(input.tranches.map((t, k) => [t.id, k]));
  // hedgeYear[j][s][t-1]: the per-unit notional and cost of hedge j.
  const hedgeYear = input.hedges.map((h) =>
    S.map((sc, s) => {
      const k = h.trancheId === null ? undefined : trancheIndex.get(h.trancheId);
      const sch = k === undefined ? null : sched[k]![s]!;
      return Array.from({ length: N }, (_, y) => hedgeUnitYear(h, sc, y + 1, sch));
    }),
  );
  input.hedges.forEach((h, j) => {
    S.forEach((_, s) => {
      scenarioCosts[s]![notionalVar(h.id)] = hedgeYear[j]![s]!.reduce((a, r) => a + r.cost, 0) / N;
    });
  });
  S.forEach((_, s) => {
    scenarioCosts[s]![EQUITY] = input.equityCostRate;
  });
  const expected = (name: string) =>
    worst ? 0 : S.reduce((a, _, s) => a + w[s]! * (scenarioCosts[s]![name] ?? 0), 0);

  // A tranche the input switches off lends nothing; one switched on has its on/off choice fixed at 1.
  const d = input.tranches.map((t) =>
    m.variable({
      name: amountVar(t.id),
      cost: expected(amountVar(t.id)),
      unit: cur,
      ...(t.use === "off" ? { upper: 0 } : {}),
    }),
  );
  const E = m.variable({ name: EQUITY, cost: expected(EQUITY), unit: cur });
  const h = input.hedges.map((hg) =>
    m.variable({ name: notionalVar(hg.id), cost: expected(notionalVar(hg.id)), unit: cur }),
  );
  const y = input.tranches.map((t) =>
    isSwitched(t)
      ? m.variable({
          name: usedVar(t.id),
          binary: true,
          cost: expected(usedVar(t.id)),
          unit: "0/1",
          ...(t.use === "auto" ? {} : { lower: t.use === "on" ? 1 : 0, upper: t.use === "on" ? 1 : 0 }),
        })
      : null,
  );
  const allDebt = d.map((v) => [v, 1] as const);

  m.constraint({
    name: ROW.funding,
    terms: [
      [E, 1],
      ...input.tranches.map((t, k) => [d[k]!, 1 - t.upfrontFee] as const),
      ...input.tranches.flatMap((t, k) => (y[k] && t.fixedFee > 0 ? [[y[k]!, -t.fixedFee] as const] : [])),
    ],
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
    for (let yr = 1; yr <= N; yr++) {
      S.forEach((sc, s) => {
        const ks = input.tranches.map((_, k) => sched[k]![s]![yr - 1]!.payment);
        const mean = ks.reduce((a, x) => a + x, 0) / ks.length;
        const name = ROW.dscr(yr, sc.id);
        m.constraint({
          name,
          terms: [
            ...d.map((v, k) => [v, ks[k]!] as const),
            ...input.hedges.map((_, j) => [h[j]!, hedgeYear[j]![s]![yr - 1]!.cost] as const),
          ],
          upper: input.noi[yr - 1]! / D,
          unit: `${cur}/yr of debt service`,
          // One currency/yr of debt service weighs as much as the debt it carries (1/κ).
          relaxPenalty: mean > 0 ? 1 / mean : 1,
        });
        about[name] = {
          kind: "dscr",
          year: yr,
          scenario: sc.id,
          what: `debt service in year ${yr}, scenario ${sc.id} ≤ NOI ${input.noi[yr - 1]} / DSCR ${D}`,
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
    const U = t.maxShare * P;
    const name = ROW.trancheCap(t.id);
    const yk = y[k];
    if (yk) {
      // d_k ≤ U_k·y_k: nothing unless the tranche is used (its fixed fee paid), at most the cap.
      m.constraint({
        name,
        terms: [
          [d[k]!, 1],
          [yk, -U],
        ],
        upper: 0,
        unit: cur,
        relaxPenalty: 1,
      });
      about[name] = {
        kind: "tranche-cap",
        trancheId: t.id,
        what: `${t.id} ≤ ${t.maxShare} × price if used, else 0`,
      };
      if (t.minAmount > 0) {
        const min = ROW.minSize(t.id);
        m.constraint({
          name: min,
          terms: [
            [d[k]!, 1],
            [yk, -t.minAmount],
          ],
          lower: 0,
          unit: cur,
          relaxPenalty: 1,
        });
        about[min] = { kind: "min-size", trancheId: t.id, what: `${t.id} is 0 or at least ${t.minAmount}` };
      }
    } else {
      m.constraint({ name, terms: [[d[k]!, 1]], upper: U, unit: cur, relaxPenalty: 1 });
      about[name] = { kind: "tranche-cap", trancheId: t.id, what: `${t.id} ≤ ${t.maxShare} × price` };
    }
  });

  /**
   * Rows per (year, scenario) on balances outstanding; identical rows (same balances in several
   * scenarios or years) are written once, named after their first year (and scenario when the
   * row does not hold for every scenario of that year).
   */
  const perYearRows = (
    coefs: (yr: number, s: number) => number[],
    write: (
      name: string,
      terms: (readonly [(typeof d)[number], number])[],
      cover: [number, string][],
    ) => void,
    rowName: (year: number, scenario: string | null) => string,
  ) => {
    const vars = [...d, ...h];
    const groups = new Map<string, { c: number[]; cover: [number, string][] }>();
    for (let yr = 1; yr <= N; yr++)
      S.forEach((sc, s) => {
        const c = coefs(yr, s);
        if (c.every((x) => x === 0)) return;
        const key = c.map((x) => x.toPrecision(12)).join(",");
        const g = groups.get(key);
        if (g) g.cover.push([yr, sc.id]);
        else groups.set(key, { c, cover: [[yr, sc.id]] });
      });
    for (const { c, cover } of groups.values()) {
      const [y0] = cover[0]!;
      const allOfYear = S.every((sc) => cover.some(([yy, id]) => yy === y0 && id === sc.id));
      const name = rowName(y0, S.length === 1 || allOfYear ? null : cover[0]![1]);
      write(
        name,
        vars.flatMap((v, i) => (c[i] !== 0 ? [[v, c[i]!] as const] : [])),
        cover,
      );
    }
  };
  const coverText = (cover: [number, string][]) =>
    S.length === 1
      ? `year${cover.length > 1 ? "s" : ""} ${[...new Set(cover.map(([yy]) => yy))].join(", ")}`
      : cover.map(([yy, id]) => `year ${yy} ${id}`).join(", ");
  const delta = input.targets.minFixedShare;
  if (delta > 0) {
    perYearRows(
      (yr, s) => [
        ...input.tranches.map(
          (t, k) => ((t.rateType === "fixed" ? 1 : 0) - delta) * sched[k]![s]![yr - 1]!.openingBalance,
        ),
        ...input.hedges.map((_, j) => hedgeYear[j]![s]![yr - 1]!.opening),
      ],
      (name, terms, cover) => {
        m.constraint({ name, terms, lower: 0, unit: cur, relaxPenalty: 1 });
        about[name] = {
          kind: "fixed-share",
          year: cover[0]![0],
          scenarios: [...new Set(cover.map(([, id]) => id))],
          what: `fixed-rate balance plus hedged notional ≥ ${delta} × debt outstanding (${coverText(cover)})`,
        };
      },
      ROW.fixedShare,
    );
  }
  if (h.length > 0) {
    perYearRows(
      (yr, s) => {
        const hs = input.hedges.map((_, j) => hedgeYear[j]![s]![yr - 1]!.opening);
        // Only constant-notional hedges can outgrow the amortizing floating debt: a hedge that
        // follows tranche k stays ≤ k's balance by "Hedges on k ≤ k". No constant hedge in force
        // this year: the row is implied, not written.
        if (input.hedges.every((hg, j) => hg.trancheId !== null || hs[j] === 0)) return [];
        return [
          ...input.tranches.map((t, k) =>
            t.rateType === "floating" ? -sched[k]![s]![yr - 1]!.openingBalance : 0,
          ),
          ...hs,
        ];
      },
      (name, terms, cover) => {
        m.constraint({ name, terms, upper: 0, unit: cur, relaxPenalty: null });
        about[name] = {
          kind: "hedge-floating",
          year: cover[0]![0],
          what: `hedges cover at most the floating debt outstanding (${coverText(cover)})`,
        };
      },
      ROW.hedgeFloating,
    );
    input.tranches.forEach((t, k) => {
      const on = input.hedges.flatMap((hg, j) => (hg.trancheId === t.id ? [[h[j]!, 1] as const] : []));
      if (on.length === 0) return;
      const name = ROW.hedgeTranche(t.id);
      m.constraint({ name, terms: [...on, [d[k]!, -1]], upper: 0, unit: cur, relaxPenalty: null });
      about[name] = {
        kind: "hedge-tranche",
        trancheId: t.id,
        what: `hedges that follow ${t.id} are at most its amount (then its balance, year by year)`,
      };
    });
    input.hedges.forEach((hg, j) => {
      if (hg.maxNotional === null) return;
      const name = ROW.hedgeCap(hg.id);
      m.constraint({ name, terms: [[h[j]!, 1]], upper: hg.maxNotional, unit: cur, relaxPenalty: 1 });
      about[name] = { kind: "hedge-cap", what: `${hg.id} notional ≤ ${hg.maxNotional}` };
    });
  }
  if (worst) {
    const z = m.variable({ name: WORST, lower: Number.NEGATIVE_INFINITY, cost: 1, unit: `${cur}/yr` });
    const vars = [...d, E, ...h, ...y.filter((v) => v !== null)];
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
