/**
 * The prototype's request and response JSON (seed 004, `schemas/debt_stack.py` /
 * `debt_stack_lp.py`, spec §1.2) ↔ debt-stack@3. There is NO compatibility mode: the prototype's
 * LP always returned zero debt (nothing required the purchase to be funded), so its numbers are
 * not reproduced. This format only lets old requests run through the correct model:
 *
 * `toInput` reads a `DebtStackRequest` (validated like the prototype's pydantic schema, plus a
 * rate for every fixed tranche — the prototype crashed with a 500 there, fixture DS3) and maps
 * it onto debt-stack@3, stating every assumption in `inputNotes` (carried to the output notes):
 * - `equity_cap` is the equity AVAILABLE (an upper bound on equity; the prototype inverted it);
 * - rates and spreads above 1 are read as percent (the prototype's frontend sent 5.5 for 5.5%);
 * - the prototype had no term or amortization: each tranche runs for max(5 years, the NOI
 *   horizon) and amortizes over 25 years after its `io_months`;
 * - `rate_scenarios` become index scenarios (`sofr` for every year); none → one scenario with
 *   index 0, as the prototype did;
 * - `hedge_menu` entries of type cap/swap become hedges (tenor rounded up to whole years); the
 *   prototype ignored them. `cap_rate` on a tranche is ignored (as in the prototype), noted.
 *
 * `fromOutput` writes the prototype's response SHAPE (`stack_summary`, `tranche_allocations`,
 * `hedges`, `constraints_report`) with debt-stack@3's correct numbers — not the prototype's zero
 * debt. `marginal_value` is our price (+objective per +1 of the limit), not SciPy's sign; `unit`
 * is the row's real unit. No `downloads`: the prototype never wrote those files.
 */
import { issuesOf, ModelInputError } from "@modelworks/model-kit";
import { z } from "zod";
import type { DebtStackInputParsed, DebtStackInputRaw, DebtStackOutputT } from "./schema.ts";

const ge0 = z.number().min(0);
const unit01 = z.number().min(0).max(1);

export const PrototypeDebtStackRequest = z.object({
  purchase_price: z.number().gt(0),
  equity_cap: ge0,
  noi_schedule: z.record(z.string(), z.array(z.number())).default({}),
  targets: z.object({
    max_ltv: z.number().gt(0).max(1),
    min_dscr: z.number().gt(0),
    min_fixed_share: unit01.default(0),
  }),
  tranches: z
    .array(
      z.object({
        name: z.string(),
        rate_type: z.string(),
        rate: ge0.nullable().optional(),
        index: z.string().nullable().optional(),
        spread: ge0.nullable().optional(),
        cap_rate: z.number().nullable().optional(),
        max_share: unit01,
        io_months: z.number().int().min(0).default(0),
      }),
    )
    .min(1),
  hedge_menu: z
    .array(
      z.object({
        type: z.string(),
        tenor_months: z.number().int().gt(0),
        premium_rate: z.number().nullable().optional(),
        strike: z.number().nullable().optional(),
        fixed_rate: z.number().nullable().optional(),
      }),
    )
    .default([]),
  rate_scenarios: z.array(z.object({ name: z.string(), sofr: ge0, weight: unit01 })).default([]),
});
export type PrototypeDebtStackRequest = z.infer<typeof PrototypeDebtStackRequest>;

export const PROTOTYPE_AMORTIZATION_MONTHS = 300;

export function prototypeToInput(raw: unknown): DebtStackInputRaw {
  const r = PrototypeDebtStackRequest.safeParse(raw);
  if (!r.success)
    throw new ModelInputError(
      issuesOf(r.error).map((i) => ({
        path: i.path,
        message: /received undefined/.test(i.message) ? "Field required" : i.message,
      })),
      "This is not a valid prototype DebtStackRequest.",
    );
  const q = r.data;
  const notes: string[] = [
    "Read from a prototype DebtStackRequest: equity_cap is the equity available (an upper bound on equity).",
  ];
  const issues: { path: string; message: string }[] = [];
  const noi = q.noi_schedule.noi;
  if (!noi || noi.length === 0)
    issues.push({
      path: "noi_schedule.noi",
      message: "give the annual NOI (the DSCR and debt yield need it)",
    });
  let percent = false;
  const pct = (x: number) => {
    if (x > 1) {
      percent = true;
      return x / 100;
    }
    return x;
  };
  q.tranches.forEach((t, i) => {
    if (t.rate_type === "fixed" && (t.rate === null || t.rate === undefined))
      issues.push({ path: `tranches.${i}.rate`, message: "a fixed tranche needs a rate" });
  });
  if (issues.length) throw new ModelInputError(issues, "This prototype DebtStackRequest cannot be run.");
  const years = noi!.length;
  const term = Math.max(60, 12 * years);
  const used = new Map<string, number>();
  const tranches = q.tranches.map((t, i) => {
    let id =
      t.name
        .trim()
        .toLowerCase()
        .replace(/[^a-z0-9]+/g, "-")
        .replace(/^-|-$/g, "")
        .slice(0, 60) || `tranche-${i + 1}`;
    const n = (used.get(id) ?? 0) + 1;
    used.set(id, n);
    if (n > 1) id = `${id}-${n}`;
    if (t.cap_rate !== null && t.cap_rate !== undefined)
      notes.push(
        `Tranche "${t.name}": cap_rate ${t.cap_rate} is ignored (as in the prototype); model a cap as a hedge.`,
      );
    const fixed = t.rate_type === "fixed";
    return {
      id,
      name: t.name,
      rateType: fixed ? ("fixed" as const) : ("floating" as const),
      fixedRate: fixed ? pct(t.rate as number) : null,
      index: t.index ?? "SOFR",
      spread: fixed ? 0 : pct(t.spread ?? 0),
      maxShare: t.max_share,
      termMonths: Math.max(term, t.io_months),
      ioMonths: t.io_months,
      amortizationMonths: PROTOTYPE_AMORTIZATION_MONTHS,
    };
  });
  if (percent)
    notes.push(
      "Rates or spreads above 1 were read as percent (5.5 → 5.5%), as the prototype's frontend sent them.",
    );
  notes.push(
    `The prototype had no loan terms: each tranche runs ${term} months and amortizes over ${PROTOTYPE_AMORTIZATION_MONTHS} months after its io_months.`,
  );
  const scenarios = q.rate_scenarios.length
    ? q.rate_scenarios.map((s, i) => ({
        id: `s${i + 1}-${s.name}`.slice(0, 64),
        name: s.name,
        weight: s.weight,
        indexRate: s.sofr,
      }))
    : [{ id: "base", name: "base (index 0, as the prototype)", weight: 1, indexRate: 0 }];
  if (!q.rate_scenarios.length && tranches.some((t) => t.rateType === "floating"))
    notes.push(
      "No rate_scenarios: floating tranches pay their spread over an index of 0, as in the prototype.",
    );
  const hedges = q.hedge_menu.flatMap((h, i) => {
    const type = /cap/i.test(h.type) ? "cap" : /swap/i.test(h.type) ? "swap" : null;
    if (!type) {
      notes.push(`hedge_menu.${i}: type "${h.type}" is neither cap nor swap and is ignored.`);
      return [];
    }
    return [
      {
        id: `${type}-${i + 1}`,
        type: type as "cap" | "swap",
        strike: type === "cap" ? (h.strike ?? null) : null,
        fixedRate: type === "swap" ? (h.fixed_rate ?? null) : null,
        premiumRate: h.premium_rate ?? 0,
        tenorYears: Math.ceil(h.tenor_months / 12),
      },
    ];
  });
  return {
    currency: "AED",
    purchasePrice: q.purchase_price,
    equityAvailable: q.equity_cap,
    noi: noi!,
    targets: {
      maxLtv: q.targets.max_ltv,
      minDscr: q.targets.min_dscr,
      minFixedShare: q.targets.min_fixed_share,
    },
    tranches,
    rateScenarios: scenarios,
    hedges,
    inputNotes: notes,
  };
}

/** debt-stack@3 output → the prototype's response shape, with OUR (correct) numbers. */
export function prototypeFromOutput(output: DebtStackOutputT, input: DebtStackInputParsed): unknown {
  if (output.status !== "optimal" || !output.kpis)
    return {
      error: "Model infeasible",
      // Computed, not canned: the smallest changes from the feasibility relaxation.
      fix_suggestions: (output.infeasibility?.relaxation ?? []).map((c) => ({
        change: c.explanation,
        impact: "+ feasibility",
      })),
    };
  const k = output.kpis;
  const byId = new Map(input.tranches.map((t) => [t.id, t]));
  return {
    stack_summary: {
      ltv: k.ltv,
      total_debt: k.totalDebt,
      weighted_cost: k.blendedRate,
      min_dscr: k.minDscr,
      fixed_share: k.fixedOrHedgedShare,
    },
    tranche_allocations: output.tranches.map((t) => {
      const tr = byId.get(t.trancheId)!;
      return {
        name: t.name,
        amount: t.amount,
        rate: tr.rateType === "fixed" ? tr.fixedRate : null,
        index: tr.rateType === "fixed" ? null : tr.index,
        spread: tr.rateType === "fixed" ? null : tr.spread,
        io_months: tr.ioMonths,
      };
    }),
    hedges: output.hedges
      .filter((h) => h.notional > 1e-6)
      .map((h) => ({ type: h.type, notional: h.notional })),
    constraints_report: {
      binding: output.constraints
        .filter((c) => c.binding)
        .map((c) => ({ name: c.constraint, slack: c.slack ?? 0 })),
      shadow_prices: (output.shadowPrices?.rows ?? []).map((p) => ({
        constraint: p.constraint,
        unit: p.unit ?? "",
        marginal_value: p.pricePerUnit,
      })),
    },
    note: "debt-stack@3 numbers in the prototype's response shape (the prototype itself always returned zero debt).",
  };
}

export const debtStackPrototypeFormat = {
  title:
    "The seed-004 prototype's DebtStackRequest / response JSON, run through debt-stack@3's correct model (no compatibility mode: the prototype always returned zero debt)",
  toInput: (raw: unknown): unknown => prototypeToInput(raw),
  fromOutput: (output: unknown, input: unknown): unknown =>
    prototypeFromOutput(output as DebtStackOutputT, input as DebtStackInputParsed),
};
