/**
 * The two formulations of capex-phasing@2 as solver models.
 *
 * `modelworks` — a time-indexed MILP (spec §4.3; the time-indexed RCPSP structure). For project
 * j with duration d_j, cost K_j, spend fractions φ_{j,k} (k = 0…d_j − 1; flat = 1/d_j), annual
 * rent uplift U_j, downtime loss L_j per month of works, horizon H and monthly discount factor
 * δ_m = (1 + r)^(−m/12):
 *
 *   z_{j,t} ∈ {0,1}  "j starts in month t",  t ∈ T_j = [earliest_j, min(latest_j, H − d_j + 1)]
 *   max  Σ_j Σ_t v_{j,t} z_{j,t},   v_{j,t} = Σ_{m=t+d_j}^{H} δ_m U_j/12 − Σ_{m=t}^{t+d_j−1} δ_m L_j
 *   Σ_t z_{j,t} = 1 (mandatory) or ≤ 1 (optional)                              "Schedule j"
 *   spend_m = Σ_j Σ_{t ≤ m < t+d_j} K_j φ_{j,m−t} z_{j,t}
 *   spend_m ≤ C_m                                    (no carry-over)             "Cash month m"
 *   b_m − b_{m−1} + spend_m = C_m, b_m ≥ 0, b_0 = B₀ (carry-over; the same row name, and its
 *                                       dual is still the value of +1 of month m's cap)
 *   Σ_j Σ_{t ≤ m < t+d_j} z_{j,t} ≤ P                                            "Capacity month m"
 *   i before j (j starts after i completes), for every t ∈ T_j:
 *     Σ_{s ∈ T_j, s ≤ t} z_{j,s} ≤ Σ_{s ∈ T_i, s ≤ t − d_i} z_{i,s}             "Precedence i→j by t"
 *
 *   interchangeable projects a, b (same data, a listed first), for every t ∈ T_b:
 *     Σ_{s ≤ t} z_{b,s} ≤ Σ_{s ≤ t} z_{a,s}                                      "Order a≤b by month t"
 *
 * The precedence rows are the disaggregated (time-indexed) form: "if j has started by t, i has
 * started by t − d_i". It is the tight form — its LP relaxation is much stronger than the
 * aggregated Σ t·z_j ≥ Σ t·z_i + d_i, needs no big-M for optional projects (an unscheduled i
 * forbids j), and stays sparse. Capacity rows are written only for months in which more than P
 * projects could be under works (the others cannot bind).
 *
 * Uplift accrues from the month after completion to the end of the horizon, so the same project
 * is worth more the earlier it finishes ("lift rents sooner"); a project worth less than its
 * downtime within the horizon is skipped unless mandatory.
 *
 * `prototype` — exactly the seed-004 prototype's `capex_milp.py` (spec §1.3): s_{j,t} ∈ [0, M]
 * continuous, y_{j,t} ∈ {0,1} inside the window only, M = max_j maxSpend_j, s ≤ M·y,
 * min_j ≤ Σ_t s_{j,t} ≤ max_j, Σ_j s_{j,t} ≤ cash_t, Σ_j y_{j,t} ≤ P, max Σ_j rate_j Σ_t s_{j,t}.
 */
import { ModelBuilder, type ModelSpec } from "@modelworks/solver";
import { spendFraction } from "./check.ts";
import {
  type CapexModelworksParsed,
  type CapexPhasingInputParsed,
  type CapexPrototypeParsed,
  capOf,
} from "./schema.ts";

export const ROW = {
  cash: (m: number) => `Cash month ${m}`,
  capacity: (m: number) => `Capacity month ${m}`,
  schedule: (id: string) => `Schedule ${id}`,
  precedence: (a: string, b: string, t: number) => `Precedence ${a}→${b} by month ${t}`,
  order: (a: string, b: string, t: number) => `Order ${a}≤${b} by month ${t}`,
  spendRange: (id: string) => `Spend range ${id}`,
  link: (id: string, t: number) => `Spend needs works ${id} month ${t}`,
} as const;

export const startVar = (id: string, t: number) => `start[${id}@${t}]`;
export const balanceVar = (m: number) => `balance[${m}]`;
export const spendVar = (id: string, t: number) => `spend[${id}@${t}]`;
export const worksVar = (id: string, t: number) => `works[${id}@${t}]`;

type RowKind = "cash" | "capacity" | "schedule" | "precedence" | "symmetry" | "spend-range" | "link";

export interface Built {
  spec: ModelSpec;
  objectiveUnit: string;
  /** Row name → what it says and which month / project it is about. */
  about: Record<string, { what: string; kind: RowKind; month?: number; projectId?: string }>;
  /** modelworks: project id → [start month, variable name]. */
  starts: Record<string, [number, string][]>;
  /** prototype: project id → [month, spend variable name]. */
  spends: Record<string, [number, string][]>;
}

/** Feasible start months of a project: its window cut so that the works end within the horizon. */
export function startMonths(
  input: CapexModelworksParsed,
  p: CapexModelworksParsed["projects"][number],
): number[] {
  const last = Math.min(p.latestStartMonth, input.horizonMonths - p.durationMonths + 1);
  const out: number[] = [];
  for (let t = p.earliestStartMonth; t <= last; t++) out.push(t);
  return out;
}

/** v_{j,t}: discounted uplift after completion minus discounted downtime, within the horizon. */
export function startValue(
  input: CapexModelworksParsed,
  p: CapexModelworksParsed["projects"][number],
  t: number,
): number {
  const r = input.discountRateAnnual;
  let v = 0;
  for (let m = t; m <= input.horizonMonths; m++) {
    const disc = r === 0 ? 1 : (1 + r) ** (-m / 12);
    v += m < t + p.durationMonths ? -p.downtimeLossPerMonth * disc : (p.rentUpliftAnnual / 12) * disc;
  }
  return v;
}

export function objectiveUnitOf(input: CapexPhasingInputParsed): string {
  if (input.formulation === "prototype") return `${input.currency}/yr (annual NOI uplift, prototype)`;
  return input.discountRateAnnual > 0
    ? `${input.currency} (rent uplift − downtime within the horizon, discounted at ${input.discountRateAnnual * 100}%/yr)`
    : `${input.currency} (rent uplift − downtime within the horizon)`;
}

/**
 * `labels: false` leaves `about` empty: a what-if's solve reads only its plan and status, and the
 * row descriptions were a third of a small model's build.
 */
export function buildModel(input: CapexPhasingInputParsed, opts: { labels?: boolean } = {}): Built {
  const labels = opts.labels ?? true;
  return input.formulation === "prototype" ? buildPrototype(input) : buildModelworks(input, labels);
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? 0 : s[s.length >> 1]!;
};

function buildModelworks(input: CapexModelworksParsed, labels: boolean): Built {
  const H = input.horizonMonths;
  const cur = input.currency;
  const objectiveUnit = objectiveUnitOf(input);
  const m = new ModelBuilder("max", { objectiveUnit });
  const about: Built["about"] = {};
  const starts: Built["starts"] = {};
  const z = new Map<string, Map<number, ReturnType<ModelBuilder["variable"]>>>();

  for (const p of input.projects) {
    const byT = new Map<number, ReturnType<ModelBuilder["variable"]>>();
    starts[p.id] = [];
    for (const t of startMonths(input, p)) {
      const name = startVar(p.id, t);
      byT.set(t, m.variable({ name, binary: true, cost: startValue(input, p, t), unit: "start (0/1)" }));
      starts[p.id]!.push([t, name]);
    }
    z.set(p.id, byT);
  }

  // Spend and works-in-progress terms per month.
  const spendTerms: [ReturnType<ModelBuilder["variable"]>, number][][] = Array.from(
    { length: H + 1 },
    () => [],
  );
  const workTerms: [ReturnType<ModelBuilder["variable"]>, number][][] = Array.from(
    { length: H + 1 },
    () => [],
  );
  // Projects that could be under works in each month (a count: the projects come one by one).
  const workProjects = new Int32Array(H + 1);
  const lastProject = new Int32Array(H + 1).fill(-1);
  input.projects.forEach((p, pi) => {
    for (const [t, v] of z.get(p.id)!) {
      for (let k = 0; k < p.durationMonths; k++) {
        const month = t + k;
        const x = p.cost * spendFraction(p, k);
        if (x !== 0) spendTerms[month]!.push([v, x]);
        workTerms[month]!.push([v, 1]);
        if (lastProject[month] !== pi) {
          lastProject[month] = pi;
          workProjects[month]!++;
        }
      }
    }
  });

  for (const p of input.projects) {
    const name = ROW.schedule(p.id);
    const terms = [...z.get(p.id)!.values()].map((v) => [v, 1] as const);
    m.constraint({
      name,
      terms,
      lower: p.mandatory ? 1 : 0,
      upper: 1,
      unit: "starts",
      // Whether a project is done is the user's decision; the relaxation moves cash and capacity.
      relaxPenalty: null,
    });
    if (labels)
      about[name] = {
        what: p.mandatory ? `${p.id} is mandatory: it starts exactly once` : `${p.id} starts at most once`,
        kind: "schedule",
        projectId: p.id,
      };
  }

  let prevBalance: ReturnType<ModelBuilder["variable"]> | null = null;
  for (let month = 1; month <= H; month++) {
    const name = ROW.cash(month);
    const cap = capOf(input, month);
    if (input.cashCarryOver) {
      const b = m.variable({ name: balanceVar(month), lower: 0, unit: cur });
      const terms: [ReturnType<ModelBuilder["variable"]>, number][] = [...spendTerms[month]!, [b, 1]];
      if (prevBalance) terms.push([prevBalance, -1]);
      const limit = cap + (month === 1 ? input.openingCash : 0);
      m.constraint({ name, terms, lower: limit, upper: limit, unit: cur, relaxPenalty: 1 });
      if (labels)
        about[name] = {
          what: `month ${month}: spend + balance carried out = ${month === 1 ? "opening cash + " : "balance carried in + "}cap`,
          kind: "cash",
          month,
        };
      prevBalance = b;
    } else {
      m.constraint({ name, terms: spendTerms[month]!, upper: cap, unit: cur, relaxPenalty: 1 });
      if (labels) about[name] = { what: `month ${month}: spend ≤ the month's cash cap`, kind: "cash", month };
    }
  }

  if (input.maxParallelProjects !== null) {
    const P = input.maxParallelProjects;
    // One project-month of works weighs like the median project's monthly spend in the relaxation.
    const weight = 1 / Math.max(1, median(input.projects.map((p) => p.cost / p.durationMonths)));
    for (let month = 1; month <= H; month++) {
      if (workProjects[month]! <= P) continue;
      const name = ROW.capacity(month);
      m.constraint({ name, terms: workTerms[month]!, upper: P, unit: "projects", relaxPenalty: weight });
      if (labels)
        about[name] = { what: `month ${month}: at most ${P} projects under works`, kind: "capacity", month };
    }
  }

  const byId = new Map(input.projects.map((p) => [p.id, p]));
  for (const b of input.projects) {
    for (const aId of b.predecessors) {
      const a = byId.get(aId)!;
      const zb = [...z.get(b.id)!];
      const za = [...z.get(a.id)!];
      for (const [t] of zb) {
        const terms: [ReturnType<ModelBuilder["variable"]>, number][] = [];
        for (const [s, v] of zb) if (s <= t) terms.push([v, 1]);
        for (const [s, v] of za) if (s <= t - a.durationMonths) terms.push([v, -1]);
        const name = ROW.precedence(a.id, b.id, t);
        m.constraint({ name, terms, upper: 0, unit: "starts", relaxPenalty: null });
        if (labels)
          about[name] = {
            what: `${b.id} may start by month ${t} only if ${a.id} started by month ${t - a.durationMonths} (complete before ${b.id} starts)`,
            kind: "precedence",
            projectId: b.id,
          };
      }
    }
  }
  // Symmetry: interchangeable projects are started in input order — any plan can be relabelled
  // so, and branch and bound no longer explores every permutation of them.
  for (const g of interchangeableGroups(input)) {
    for (let k = 1; k < g.length; k++) {
      const a = g[k - 1]!;
      const b = g[k]!;
      const zb = [...z.get(b.id)!];
      const za = [...z.get(a.id)!];
      for (const [t] of zb) {
        const terms: [ReturnType<ModelBuilder["variable"]>, number][] = [];
        for (const [s, v] of zb) if (s <= t) terms.push([v, 1]);
        for (const [s, v] of za) if (s <= t) terms.push([v, -1]);
        const name = ROW.order(a.id, b.id, t);
        m.constraint({ name, terms, upper: 0, unit: "starts", relaxPenalty: null });
        if (labels)
          about[name] = {
            what: `${a.id} and ${b.id} are interchangeable: ${a.id} starts no later than ${b.id} (symmetry)`,
            kind: "symmetry",
            projectId: b.id,
          };
      }
    }
  }
  return { spec: m.build(), objectiveUnit, about, starts, spends: {} };
}

/**
 * Groups of interchangeable projects (same window, duration, cost, profile, uplift, downtime,
 * mandatory flag, predecessors, and nobody's predecessor), in input order.
 */
export function interchangeableGroups(input: CapexModelworksParsed): CapexModelworksParsed["projects"][] {
  // The groups depend on the projects only: the greedy start and the model of every what-if that
  // keeps them (cash, capacity) share one answer instead of keying each project again.
  let groups = groupsOf.get(input.projects);
  if (!groups) {
    groups = findInterchangeable(input.projects);
    groupsOf.set(input.projects, groups);
  }
  return groups;
}
const groupsOf = new WeakMap<readonly object[], CapexModelworksParsed["projects"][]>();

function findInterchangeable(
  projects: CapexModelworksParsed["projects"],
): CapexModelworksParsed["projects"][] {
  const input = { projects };
  const isPred = new Set(input.projects.flatMap((p) => p.predecessors));
  const groups = new Map<string, CapexModelworksParsed["projects"]>();
  for (const p of input.projects) {
    if (isPred.has(p.id)) continue;
    const key = JSON.stringify([
      p.earliestStartMonth,
      p.latestStartMonth,
      p.durationMonths,
      p.cost,
      p.spendProfile,
      p.rentUpliftAnnual,
      p.downtimeLossPerMonth,
      p.mandatory,
      [...p.predecessors].sort(),
    ]);
    groups.set(key, [...(groups.get(key) ?? []), p]);
  }
  return [...groups.values()].filter((g) => g.length > 1);
}

function buildPrototype(input: CapexPrototypeParsed): Built {
  const H = input.horizonMonths;
  const cur = input.currency;
  const objectiveUnit = objectiveUnitOf(input);
  const m = new ModelBuilder("max", { objectiveUnit });
  const about: Built["about"] = {};
  const spends: Built["spends"] = {};
  // The prototype's single big-M: the largest max spend of any project.
  const M = Math.max(0, ...input.projects.map((p) => p.maxSpend));
  const cash: [ReturnType<ModelBuilder["variable"]>, number][][] = Array.from({ length: H + 1 }, () => []);
  const works: [ReturnType<ModelBuilder["variable"]>, number][][] = Array.from({ length: H + 1 }, () => []);
  for (const p of input.projects) {
    spends[p.id] = [];
    const total: [ReturnType<ModelBuilder["variable"]>, number][] = [];
    for (let t = Math.max(1, p.earliestMonth); t <= Math.min(H, p.latestMonth); t++) {
      const s = m.variable({ name: spendVar(p.id, t), upper: M, cost: p.upliftRateAnnual, unit: cur });
      const y = m.variable({ name: worksVar(p.id, t), binary: true, unit: "works (0/1)" });
      const link = ROW.link(p.id, t);
      m.constraint({
        name: link,
        terms: [
          [s, 1],
          [y, -M],
        ],
        upper: 0,
        unit: cur,
      });
      about[link] = {
        what: `${p.id} spends in month ${t} only if under works`,
        kind: "link",
        projectId: p.id,
      };
      spends[p.id]!.push([t, s.name]);
      total.push([s, 1]);
      cash[t]!.push([s, 1]);
      works[t]!.push([y, 1]);
    }
    const name = ROW.spendRange(p.id);
    m.constraint({ name, terms: total, lower: p.minSpend, upper: p.maxSpend, unit: cur });
    about[name] = {
      what: `${p.id} spends between ${p.minSpend} and ${p.maxSpend} in all`,
      kind: "spend-range",
      projectId: p.id,
    };
  }
  for (let t = 1; t <= H; t++) {
    const name = ROW.cash(t);
    m.constraint({ name, terms: cash[t]!, upper: input.monthlyCashCap[t - 1]!, unit: cur });
    about[name] = { what: `month ${t}: spend ≤ the month's cash cap`, kind: "cash", month: t };
  }
  for (let t = 1; t <= H; t++) {
    const name = ROW.capacity(t);
    m.constraint({ name, terms: works[t]!, upper: input.maxParallelProjects, unit: "projects" });
    about[name] = {
      what: `month ${t}: at most ${input.maxParallelProjects} projects spend`,
      kind: "capacity",
      month: t,
    };
  }
  return { spec: m.build(), objectiveUnit, about, starts: {}, spends };
}

/** The LP relaxation of a MILP (integrality dropped), for its labelled duals. */
export function lpRelaxation(spec: ModelSpec): ModelSpec {
  return { ...spec, variables: spec.variables.map((v) => ({ ...v, integer: false })) };
}
