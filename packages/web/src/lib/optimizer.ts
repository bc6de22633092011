/**
 * How the optimizer view reads an optimizer's explanation (engines/optimizers common/
 * explain-schema.ts, and deal-picker@2's older shapes): the smallest changes that make a plan
 * possible, what binds with its re-solved value, and which what-ifs can be run as they stand.
 * Pure, so the wording is tested without a browser.
 */
import { formatValue } from "../format.ts";
import { withChange } from "./output.ts";

type Obj = Record<string, unknown>;

const text = (v: unknown) => (typeof v === "string" && v.trim() !== "" ? v : null);
const num = (v: unknown) => (typeof v === "number" && Number.isFinite(v) ? v : null);

/**
 * The smallest changes that make a plan possible, one sentence each: the engine's own wording
 * (`explanation`, deal-picker@2's `text`), else one built from its numbers; a row with neither is
 * left out, never shown as "undefined" (issue 18 item 4).
 */
export function relaxationLines(inf: unknown): string[] {
  if (!inf || typeof inf !== "object") return [];
  const r = (inf as Obj).relaxation;
  const rows = Array.isArray(r) ? (r as unknown[]) : r && typeof r === "object" ? [r] : [];
  return rows.flatMap((row) => {
    if (!row || typeof row !== "object") return [];
    const o = row as Obj;
    const own = text(o.explanation) ?? text(o.text);
    if (own) return [own];
    const name = text(o.constraint) ?? text(o.name);
    const from = num(o.current) ?? num(o.from);
    const to = num(o.required) ?? num(o.to);
    if (!name || from === null || to === null) return [];
    const unit = text(o.unit);
    const v = (x: number) => `${formatValue(x)}${unit ? ` ${unit}` : ""}`;
    return [`${to > from ? "Raise" : "Lower"} ${name} from ${v(from)} to ${v(to)}`];
  });
}

/** The infeasibility summary, as sentences (the shared shape lists them; deal-picker@2 has one string). */
export function infeasibilitySummary(inf: unknown): string[] {
  if (!inf || typeof inf !== "object") return [];
  const s = (inf as Obj).summary;
  if (Array.isArray(s)) return s.flatMap((x) => (text(x) ? [x as string] : []));
  return text(s) ? [s as string] : [];
}

export interface BindingGroupView {
  family: string;
  label: string;
  count: number;
  top: { constraint: string; what: string | null }[];
  /** Rows of the family not named in `top`. */
  more: number;
  /** The re-solved marginal value in words, or null when no what-if relaxes this limit. */
  marginal: { question: string; delta: number | null; sentence: string } | null;
}

/**
 * What binds, as the view lists it: the engine's groups (kind, count, top rows, the re-solved
 * what-if that relaxes it), or for runs before them one group per binding constraint. "Binding"
 * means one thing everywhere: the plan uses the limit in full. Whether relaxing it pays is the
 * re-solve, said next to it (issue 18 item 5).
 */
export function bindingGroupsOf(output: Obj, opts: { lowerBetter?: boolean } = {}): BindingGroupView[] {
  const groups = output.bindingGroups;
  if (Array.isArray(groups)) {
    return (groups as Obj[]).map((g) => {
      const top = Array.isArray(g.top) ? (g.top as Obj[]) : [];
      const count = num(g.count) ?? top.length;
      const resolved = g.resolved as Obj | null | undefined;
      return {
        family: String(g.family),
        label: String(g.label ?? g.family),
        count,
        top: top.map((t) => ({ constraint: String(t.constraint), what: text(t.what) })),
        more: Math.max(0, count - top.length),
        marginal: resolved ? marginalOf(resolved, opts.lowerBetter ?? false) : null,
      };
    });
  }
  const binding = Array.isArray(output.binding) ? (output.binding as unknown[]).map(String) : [];
  return binding.map((b) => ({ family: b, label: b, count: 1, top: [], more: 0, marginal: null }));
}

function marginalOf(r: Obj, lowerBetter: boolean): BindingGroupView["marginal"] {
  const question = String(r.question ?? "");
  const delta = num(r.deltaObjective);
  const sentence =
    delta === null
      ? `${question} Re-solved: ${text(r.answer) ?? "no plan"}.`
      : Math.abs(delta) < 0.005
        ? `${question} Re-solved: no change of the objective. The plan uses this limit in full, but it is not what holds the plan back.`
        : `${question} Re-solved: objective ${delta > 0 ? "+" : "−"}${formatValue(Math.abs(delta), undefined, 2)}` +
          (delta > 0 !== lowerBetter ? " (better)." : " (worse).");
  return { question, delta, sentence };
}

/**
 * Whether the prices are the LP's own (valid marginal values) or an integer plan's LP with the
 * choices fixed / its relaxation: then the re-solved what-ifs lead and the prices are a labelled
 * detail (issue 18 item 5).
 */
export function pricesAreDetail(output: Obj): boolean {
  const sp = output.shadowPrices as Obj | null | undefined;
  const basis = sp && typeof sp === "object" ? sp.basis : undefined;
  return basis === "mip-integers-fixed" || basis === "lp-relaxation";
}

/** The heading of the prices for a basis: "LP dual at the fixed integer plan" for integer plans. */
export function pricesTitle(output: Obj): string {
  const basis = (output.shadowPrices as Obj | null | undefined)?.basis;
  if (basis === "mip-integers-fixed") return "LP dual at the fixed integer plan";
  if (basis === "lp-relaxation") return "LP dual of the relaxation (fractional choices)";
  return "Shadow prices";
}

export interface WhatIfLike {
  question: string;
  parameter?: string;
  to?: unknown;
}

/**
 * The new run's input for a what-if, and its button's words; null when the what-if is not one
 * change of this run's input (its path is not in the input): such a what-if is shown with its
 * answer and offers no button (issue 18 item 13).
 */
export function whatIfRun(w: WhatIfLike, input: unknown): { input: unknown; label: string } | null {
  if (w.parameter === undefined || w.to === undefined || w.to === null) return null;
  const changed = withChange(input, w.parameter, w.to);
  if (changed === undefined) return null;
  const to = w.to;
  const shown =
    typeof to === "number"
      ? formatValue(to)
      : typeof to === "boolean"
        ? to
          ? "yes"
          : "no"
        : Array.isArray(to)
          ? `${to.length} monthly values`
          : String(to);
  return { input: changed, label: `Run this change (${w.parameter} = ${shown})` };
}

/** The empty plan's reason and the limit stopping each candidate (deal-picker@3's `emptyPlan`). */
export function emptyPlanOf(output: Obj): { reason: string; blockers: string[] } | null {
  const e = output.emptyPlan as Obj | null | undefined;
  if (!e || typeof e !== "object") return null;
  const reason = text(e.reason);
  if (!reason) return null;
  const blockers = Array.isArray(e.blockers)
    ? (e.blockers as Obj[]).flatMap((b) => (text(b.explanation) ? [b.explanation as string] : []))
    : [];
  return { reason, blockers };
}
