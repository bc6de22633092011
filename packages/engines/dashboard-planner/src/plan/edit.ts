import type { TableProfile } from "../profile/types.ts";
import { checkPlan, type PlanNote } from "./check.ts";
import type { Aggregation, DashboardPlan, Visual, VisualKind } from "./schema.ts";

/** One changed value between two plan revisions, by dot path. */
export interface PlanChange {
  path: string;
  from: unknown;
  to: unknown;
}

export interface EditResult {
  /** True when the instruction was understood and the edited plan passed the checks. */
  applied: boolean;
  /** The new revision (the old plan when nothing was applied). */
  plan: DashboardPlan;
  /** What the interpreter did, in words, one line per request it recognised. */
  understood: string[];
  /** Every changed value, old and new: the revision's readable diff. */
  diff: PlanChange[];
  repairs: PlanNote[];
  issues: PlanNote[];
}

const NUMBER_WORDS: Record<string, number> = {
  one: 1,
  two: 2,
  three: 3,
  four: 4,
  five: 5,
  six: 6,
  seven: 7,
  eight: 8,
  nine: 9,
  ten: 10,
  twenty: 20,
};
const KIND_WORDS: [RegExp, VisualKind][] = [
  [/\b(line|lines|line chart)\b/, "line"],
  [/\barea\b/, "area"],
  [/\bscatter\b/, "scatter"],
  [/\b(table|list)\b/, "table"],
  [/\bpivot\b/, "pivot"],
  [/\bmap\b/, "map"],
  [/\bhistogram\b/, "histogram"],
  [/\b(columns?|column chart)\b/, "column"],
  [/\b(bars?|bar chart)\b/, "bar"],
  [/\b(kpi|card|number)\b/, "kpi"],
];
const AGG_WORDS: [RegExp, Aggregation][] = [
  [/\b(average|avg|mean)\b/, "avg"],
  [/\b(total|sum)\b/, "sum"],
  [/\bmedian\b/, "median"],
  [/\b(minimum|min|lowest)\b/, "min"],
  [/\b(maximum|max|highest)\b/, "max"],
  [/\bdistinct\b/, "countDistinct"],
  [/\b(count|number of)\b/, "count"],
];

/**
 * A small deterministic interpreter for the change requests people make most ("make it
 * horizontal", "top 5 only", "show as line", "sort ascending", "by class", "use the median"). It
 * edits one visual, runs the result through `checkPlan`, and answers the new revision with a diff;
 * what it does not recognise it leaves alone and says so (`understood` is empty), so the
 * language-model path can take over.
 */
export function editVisual(
  plan: DashboardPlan,
  visualId: string,
  instruction: string,
  tables: TableProfile[],
): EditResult {
  const next = structuredClone(plan);
  const visual = next.pages.flatMap((p) => p.visuals).find((v) => v.id === visualId);
  const unchanged = (issues: PlanNote[]): EditResult => ({
    applied: false,
    plan,
    understood: [],
    diff: [],
    repairs: [],
    issues,
  });
  if (!visual) return unchanged([{ path: "", message: `no visual "${visualId}"` }]);
  const text = ` ${instruction
    .toLowerCase()
    .replace(/[^a-z0-9_ ]+/g, " ")
    .replace(/\s+/g, " ")} `;
  const understood: string[] = [];

  const byMatch =
    / (?:by|per|across) ([a-z0-9_ ]+?) (?:instead |only |please )?$| (?:by|per|across) ([a-z0-9_]+) /.exec(
      text,
    );
  if (byMatch && !/ sort(ed)? by /.test(text)) {
    const wanted = (byMatch[1] ?? byMatch[2] ?? "").trim();
    const table = tables.find((t) => t.name === visual.table);
    const column = table?.columns.find(
      (c) => c.name.toLowerCase() === wanted || c.name.toLowerCase().replace(/_/g, " ") === wanted,
    );
    const group = visual.bindings.find(
      (b) => !b.aggregation && ["category", "x", "rows", "region"].includes(b.channel),
    );
    if (column && group) {
      group.field = { table: visual.table, column: column.name };
      group.label = column.name;
      delete group.timeGrain;
      understood.push(`grouped by ${column.name}`);
    }
  }

  const kind = asKind(text, visual);
  if (kind && kind !== visual.kind) {
    retarget(visual, kind);
    understood.push(`shown as a ${kind} chart`);
  }
  if (/ (horizontal|sideways) /.test(text)) {
    const to = visual.kind === "stackedColumn" || visual.kind === "stackedBar" ? "stackedBar" : "bar";
    if (visual.kind !== to) retarget(visual, to);
    understood.push("made horizontal");
  } else if (/ vertical /.test(text)) {
    const to = visual.kind === "stackedBar" || visual.kind === "stackedColumn" ? "stackedColumn" : "column";
    if (visual.kind !== to) retarget(visual, to);
    understood.push("made vertical");
  }
  if (/ stack(ed)? /.test(text) && (visual.kind === "bar" || visual.kind === "column")) {
    visual.kind = visual.kind === "bar" ? "stackedBar" : "stackedColumn";
    understood.push("stacked");
  }

  const top = / top (\d{1,4}|one|two|three|four|five|six|seven|eight|nine|ten|twenty) /.exec(text);
  if (top) {
    const n = NUMBER_WORDS[top[1]!] ?? Number(top[1]);
    visual.topN = { n, other: / (with|and) (the )?(rest|others?) /.test(text) };
    ensureSort(visual, "desc");
    understood.push(`top ${n}${visual.topN.other ? ", the rest as Other" : " only"}`);
  } else if (/ (all|every) (categories|values|of them) | no top /.test(text) && visual.topN) {
    delete visual.topN;
    understood.push("all categories");
  }

  const direction = / (ascending|asc|smallest first|lowest first) /.test(text)
    ? "asc"
    : / (descending|desc|largest first|highest first) /.test(text)
      ? "desc"
      : null;
  if (direction) {
    ensureSort(visual, direction);
    understood.push(`sorted ${direction === "asc" ? "ascending" : "descending"}`);
  }

  // "highest first" orders; it does not ask for the maximum.
  const aggText = text.replace(/ (smallest|largest|lowest|highest) first /g, " ");
  const agg = AGG_WORDS.find(([re]) => re.test(aggText))?.[1];
  const value = visual.bindings.find((b) => b.aggregation && b.field);
  if (agg && value && agg !== value.aggregation) {
    const before = value.aggregation;
    value.aggregation = agg;
    if (visual.sort?.field && visual.sort.aggregation === before) visual.sort.aggregation = agg;
    understood.push(`${agg} of ${value.field!.column} instead of ${before}`);
  }

  const titled = /(?:title|rename)(?: it)?(?: to| as)? "?([^"]+)"?$/i.exec(instruction.trim());
  if (titled) {
    visual.title = titled[1]!.trim().slice(0, 200);
    understood.push(`titled "${visual.title}"`);
  }

  if (understood.length === 0) return unchanged([]);
  const checked = checkPlan(next, tables);
  if (!checked.ok || !checked.plan)
    return { ...unchanged(checked.issues), understood, repairs: checked.repairs };
  return {
    applied: true,
    plan: checked.plan,
    understood,
    diff: diffPlans(plan, checked.plan),
    repairs: checked.repairs,
    issues: [],
  };
}

function asKind(text: string, visual: Visual): VisualKind | null {
  const m =
    / (?:as|to|into|show(?:n)? as|make it|change to|switch to) (?:a |an )?([a-z ]+?) (?:chart |graph |instead )?/.exec(
      text,
    );
  if (!m) return null;
  const phrase = ` ${m[1]} `;
  for (const [re, kind] of KIND_WORDS) if (re.test(phrase)) return kind === visual.kind ? null : kind;
  return null;
}

/** Moves bindings to the channels the new kind reads: x/y for lines and scatters, category/value for bars. */
function retarget(v: Visual, kind: VisualKind) {
  const xy = kind === "line" || kind === "area";
  for (const b of v.bindings) {
    if (b.aggregation) {
      if (b.channel === "value" || b.channel === "y") b.channel = xy ? "y" : "value";
    } else if (["category", "x", "rows", "region"].includes(b.channel)) {
      b.channel = xy ? "x" : kind === "map" ? "region" : kind === "pivot" ? "rows" : "category";
    }
  }
  if (kind !== "map") delete v.geo;
  v.kind = kind;
}

function ensureSort(v: Visual, direction: "asc" | "desc") {
  if (v.sort) {
    v.sort.direction = direction;
    return;
  }
  const value = v.bindings.find((b) => b.aggregation);
  if (value)
    v.sort = { ...(value.field ? { field: value.field } : {}), aggregation: value.aggregation!, direction };
}

/** Leaf-by-leaf differences between two revisions, in document order. */
export function diffPlans(before: unknown, after: unknown, path = ""): PlanChange[] {
  if (JSON.stringify(before) === JSON.stringify(after)) return [];
  const isObj = (x: unknown) => typeof x === "object" && x !== null;
  if (!isObj(before) || !isObj(after) || Array.isArray(before) !== Array.isArray(after)) {
    return [{ path, from: before, to: after }];
  }
  const a = before as Record<string, unknown>;
  const b = after as Record<string, unknown>;
  const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])];
  return keys.flatMap((k) => diffPlans(a[k], b[k], path ? `${path}.${k}` : k));
}
