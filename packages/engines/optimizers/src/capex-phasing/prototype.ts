/**
 * The prototype's request and response JSON (seed 004, `schemas/capex.py` / `capex_milp.py`, spec
 * §1.3) ↔ capex-phasing@2 with `formulation: "prototype"` (the prototype's spend model).
 *
 * `toInput` validates like the prototype's pydantic `CapexRequest` (extra keys ignored) and then
 * rejects, field by field, what the prototype crashed on or silently mis-solved:
 * - a cash list shorter than the horizon (fixture CX5: an IndexError, HTTP 500, in the prototype)
 *   → `monthly_cash_cap` error — a 500 is not behaviour worth reproducing;
 * - latest_month < earliest_month, max_spend < min_spend (the prototype returned "Model
 *   infeasible" for a typo) and duplicate project ids → field errors.
 * `fromOutput` writes the prototype's response: the month-by-month schedule, the expected annual
 * NOI uplift, its always-empty constraints_report and the download paths it never wrote; and for
 * an infeasible model its "Model infeasible" body with the three canned fix suggestions (fixture
 * CX4, which the prototype sent with HTTP 422). The native output of the same run explains the
 * infeasibility by IIS and relaxation.
 */
import { issuesOf, ModelInputError } from "@modelworks/model-kit";
import { z } from "zod";
import type { CapexPhasingInputParsed, CapexPhasingOutputT, CapexPrototypeParsed } from "./schema.ts";

const ge0 = z.number().min(0);
const int1 = z.number().int().min(1);

/** The prototype's `CapexRequest` (pydantic v2: extra keys ignored, every field required). */
export const PrototypeCapexRequest = z.object({
  horizon_months: int1,
  monthly_cash_cap: z.array(ge0),
  contractor_capacity: z.object({ max_parallel_projects: int1 }),
  projects: z.array(
    z.object({
      project_id: z.string(),
      earliest_month: int1,
      latest_month: int1,
      min_spend: ge0,
      max_spend: ge0,
      uplift_rate: ge0,
    }),
  ),
});
export type PrototypeCapexRequest = z.infer<typeof PrototypeCapexRequest>;

export function prototypeToInput(raw: unknown) {
  const r = PrototypeCapexRequest.safeParse(raw);
  if (!r.success)
    throw new ModelInputError(
      issuesOf(r.error).map((i) => ({
        path: i.path,
        // pydantic's word for a missing field, so old error handling keeps working.
        message: /received undefined/.test(i.message) ? "Field required" : i.message,
      })),
      "This is not a valid prototype CapexRequest.",
    );
  const q = r.data;
  const issues: { path: string; message: string }[] = [];
  if (q.monthly_cash_cap.length < q.horizon_months)
    issues.push({
      path: "monthly_cash_cap",
      message: `has ${q.monthly_cash_cap.length} entr${q.monthly_cash_cap.length === 1 ? "y" : "ies"}, horizon_months is ${q.horizon_months}: give one cash cap per month (the prototype failed with an IndexError here)`,
    });
  const seen = new Map<string, number>();
  q.projects.forEach((p, i) => {
    const first = seen.get(p.project_id);
    if (first !== undefined)
      issues.push({
        path: `projects.${i}.project_id`,
        message: `duplicate project_id "${p.project_id}" (also projects.${first}.project_id)`,
      });
    else seen.set(p.project_id, i);
    if (p.project_id.trim().length === 0 || p.project_id.length > 64)
      issues.push({ path: `projects.${i}.project_id`, message: "give a project_id of 1 to 64 characters" });
    if (p.latest_month < p.earliest_month)
      issues.push({
        path: `projects.${i}.latest_month`,
        message: `latest_month (${p.latest_month}) is before earliest_month (${p.earliest_month})`,
      });
    if (p.max_spend < p.min_spend)
      issues.push({
        path: `projects.${i}.max_spend`,
        message: `max_spend (${p.max_spend}) is below min_spend (${p.min_spend})`,
      });
  });
  if (q.horizon_months > 120) issues.push({ path: "horizon_months", message: "at most 120 months" });
  if (issues.length > 0) throw new ModelInputError(issues, "This prototype CapexRequest cannot be solved.");
  return {
    formulation: "prototype" as const,
    currency: "AED",
    horizonMonths: q.horizon_months,
    monthlyCashCap: q.monthly_cash_cap,
    maxParallelProjects: q.contractor_capacity.max_parallel_projects,
    projects: q.projects.map((p) => ({
      id: p.project_id,
      earliestMonth: p.earliest_month,
      latestMonth: p.latest_month,
      minSpend: p.min_spend,
      maxSpend: p.max_spend,
      upliftRateAnnual: p.uplift_rate,
    })),
  };
}

const PROTOTYPE_FIX_SUGGESTIONS = [
  { change: "Increase monthly cash caps", impact: "+ feasibility" },
  { change: "Lower project min spend", impact: "+ feasibility" },
  { change: "Increase max parallel projects", impact: "+ feasibility" },
];

/** capex-phasing@2 output (prototype formulation) → the prototype's response body. */
export function prototypeFromOutput(output: CapexPhasingOutputT, input: CapexPhasingInputParsed): unknown {
  // The prototype accepted OPTIMAL or FEASIBLE (a plan without proof); anything else is its 422 body.
  if (!output.kpis || (output.status !== "optimal" && output.status !== "time_limit"))
    return { error: "Model infeasible", fix_suggestions: PROTOTYPE_FIX_SUGGESTIONS };
  const order = new Map((input as CapexPrototypeParsed).projects.map((p, i) => [p.id, i]));
  const schedule = output.months.map((m) => {
    const projects = output.spendByProjectMonth
      .filter((s) => s.month === m.month && s.spend > 1e-6)
      .sort((a, b) => order.get(a.projectId)! - order.get(b.projectId)!)
      .map((s) => ({ project_id: s.projectId, spend: s.spend }));
    return { month: m.month, spend: projects.reduce((s, p) => s + p.spend, 0), projects };
  });
  return {
    schedule,
    expected_annual_noi_uplift: output.kpis.expectedAnnualNoiUplift ?? output.kpis.objective,
    // The prototype never filled its constraints report for capex.
    constraints_report: { binding: [], shadow_prices: [] },
    downloads: {
      xlsx_gantt: "/files/outputs/capex_gantt_<timestamp>.xlsx",
      csv_schedule: "/files/outputs/capex_schedule_<timestamp>.csv",
    },
  };
}

export const capexPhasingPrototypeFormat = {
  title: "The seed-004 prototype's CapexRequest / response JSON (snake_case; the prototype's spend model)",
  toInput: (raw: unknown): unknown => prototypeToInput(raw),
  fromOutput: (output: unknown, input: unknown): unknown =>
    prototypeFromOutput(output as CapexPhasingOutputT, input as CapexPhasingInputParsed),
};
