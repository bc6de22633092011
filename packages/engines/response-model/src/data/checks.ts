/**
 * The report a user reads before fitting (issue 15 item 1): row count, the target, completion per
 * field, all-missing and constant fields, high cardinality and identifiers, |r| > 0.95 pairs and
 * leakage — and, from those, which fields go into the model with which `FieldSpec`.
 *
 * Errors stop the fit (the platform answers 422 naming the field); a flagged field (leakage, high
 * cardinality, identifier) is excluded unless the user keeps it; warnings are shown.
 */
import { ModelInputError } from "@modelworks/model-kit";
import type { FieldSpec, RawTable } from "../types.ts";
import { correlatedPairs, type CorrelatedPair, type NumericColumn } from "./correlation.ts";
import { type FieldOverride, type FieldProfile, profileField, suggestFieldSpec } from "./infer.ts";
import type { DataIssue, IssueCode } from "./issues.ts";
import { type LeakageFinding, type LeakageOptions, detectLeakage } from "./leakage.ts";
import { type DirectionHint, decideDirection } from "./meta.ts";
import { type TargetSummary, parseTarget } from "./target.ts";
import { compareLevels, isMissing, numericValues } from "./values.ts";

export interface CheckOptions {
  /** Fewer rows is an error (the prototype's validation). */
  minRows: number;
  /** Fewer rows is a warning (the prototype's upload page; the vision asks 10,000 for production). */
  warnRows: number;
  /** |r| above this is a warning. */
  correlationThreshold: number;
  /** Fields named in `coreFields` get a warning below this completion (%). */
  minCompletionPct: number;
  /** A categorical field with more levels is high-cardinality whatever its unique ratio. */
  maxLevels: number;
  leakage: Partial<LeakageOptions>;
}

export const DEFAULT_CHECKS: CheckOptions = {
  minRows: 100,
  warnRows: 2000,
  correlationThreshold: 0.95,
  minCompletionPct: 80,
  maxLevels: 1000,
  leakage: {},
};

export interface CheckInput {
  /** The customer file, names normalised. */
  table: RawTable;
  target: string;
  /** Fields the user left out before checking (an ID column, say); not checked. */
  ignore?: string[];
  /** Type, order and direction the user set, by field. */
  overrides?: Record<string, FieldOverride>;
  /** Imported High/Low hints (`readDirectionMeta`); overrides win over them. */
  directions?: DirectionHint[];
  /** Fields the user keeps although flagged (leakage, high cardinality, identifier). */
  keep?: string[];
  /** normalised → the client's name (`normalizeTable`'s mapping), used in messages only. */
  originalOf?: Record<string, string>;
  /** Fields whose completion must reach `minCompletionPct` (the vision's "core variables"). */
  coreFields?: string[];
  options?: Partial<CheckOptions>;
}

export interface CompletionRow {
  field: string;
  nonMissing: number;
  /** % of rows with a value (original_match_rates.csv's match_rate). */
  completionPct: number;
}

export interface ExcludedField {
  field: string;
  reasons: IssueCode[];
}

export interface DataReport {
  /** No error: the fit may start. */
  ok: boolean;
  rowCount: number;
  target: TargetSummary | null;
  profiles: FieldProfile[];
  completion: CompletionRow[];
  issues: DataIssue[];
  correlations: CorrelatedPair[];
  leakage: LeakageFinding[];
  /** Leakage splits tested (the Bonferroni divisor). */
  leakageSplitsTested: number;
  /** Fields that go into the model, with their specs. */
  specs: FieldSpec[];
  excluded: ExcludedField[];
  /** Fields flagged but kept by the user. */
  kept: ExcludedField[];
  /** Ordinal levels beyond an imported High/Low pair, by field (ordered the same way). */
  levelsBeyondEnds: Record<string, string[]>;
}

function distinctLevels(cells: readonly (string | null)[]): string[] {
  const set = new Set<string>();
  for (const c of cells) if (!isMissing(c)) set.add(c);
  return [...set].sort(compareLevels);
}

/** An ordinal field as numbers for correlation: each level's rank in the order (best = 0). */
function ordinalRanks(order: readonly string[], cells: readonly (string | null)[]): Float64Array {
  const rank = new Map(order.map((v, i) => [v, i]));
  const out = new Float64Array(cells.length);
  cells.forEach((c, i) => {
    out[i] = isMissing(c) ? Number.NaN : (rank.get(c) ?? Number.NaN);
  });
  return out;
}

/** The prototype's > 95 % numeric rule (infer.ts): beyond 5 % text a numeric field is refused. */
const NUMERIC_SHARE = 0.95;

function allIntegers(values: Float64Array): boolean {
  for (const v of values) if (!Number.isNaN(v) && !Number.isInteger(v)) return false;
  return true;
}

function textCells(cells: readonly (string | null)[], values: Float64Array): { count: number; examples: string[] } {
  let count = 0;
  const examples: string[] = [];
  for (let i = 0; i < cells.length; i++) {
    const c = cells[i] ?? null;
    if (isMissing(c) || !Number.isNaN(values[i])) continue;
    count++;
    const shown = JSON.stringify(c);
    if (examples.length < 3 && !examples.includes(shown)) examples.push(shown);
  }
  return { count, examples };
}

/**
 * The spec of one field: the user's override wins; else an imported High/Low hint gives the
 * direction or order; else the inferred type's suggestion.
 */
function resolveSpec(
  profile: FieldProfile,
  cells: readonly (string | null)[],
  override: FieldOverride,
  hint: DirectionHint | undefined,
): { spec: FieldSpec; beyondEnds: string[] } {
  const overridden = override.kind !== undefined || override.order !== undefined || override.direction !== undefined;
  if (!hint || overridden) return { spec: suggestFieldSpec(profile, override), beyondEnds: [] };
  const d = decideDirection(hint, profile.type === "numerical", distinctLevels(cells));
  if (d.kind === "numeric") return { spec: { name: profile.field, kind: "numeric", direction: d.direction }, beyondEnds: [] };
  return { spec: { name: profile.field, kind: "ordinal", order: d.order }, beyondEnds: d.beyondEnds };
}

interface FieldCheck {
  profile: FieldProfile;
  spec: FieldSpec;
  cells: readonly (string | null)[];
  /** The cells parsed as numbers (lazily, shared with the other checks). */
  numeric: () => Float64Array;
  options: CheckOptions;
  core: Set<string>;
  name: (field: string) => string;
}

/** The checks of one field on its own: errors make it unusable; a flag excludes it unless kept. */
function fieldIssues(c: FieldCheck): { issues: DataIssue[]; flag?: IssueCode } {
  const { profile: p, spec, options: o, name } = c;
  const issues: DataIssue[] = [];
  if (p.subtype === "empty") {
    issues.push({
      field: p.field,
      code: "all_missing",
      severity: "error",
      message: `${name(p.field)} has no value in any of the ${p.rowCount} rows; leave it out`,
      counts: { rows: p.rowCount },
    });
    return { issues };
  }
  // One value and no gaps says nothing; one value with gaps is a presence flag for a
  // categorical (MISSING is a level) but still constant for a numeric (missing → median).
  if (p.uniqueCount === 1 && (spec.kind === "numeric" || p.missingCount === 0)) {
    issues.push({
      field: p.field,
      code: "constant",
      severity: "error",
      message: `${name(p.field)} holds one value ("${p.samples[0]}") in every row that has one; leave it out`,
      counts: { nonMissing: p.nonMissingCount },
    });
    return { issues };
  }
  if (spec.kind === "numeric") {
    const text = textCells(c.cells, c.numeric());
    if (text.count > 0) {
      const tooMany = text.count / p.nonMissingCount > 1 - NUMERIC_SHARE;
      issues.push({
        field: p.field,
        code: "text_in_numeric",
        severity: tooMany ? "error" : "warning",
        message: tooMany
          ? `${name(p.field)} is set as numeric but ${text.count} of its ${p.nonMissingCount} values are not numbers (e.g. ${text.examples.join(", ")}); make it categorical or clean it`
          : `${name(p.field)}: ${text.count} value(s) are not numbers (e.g. ${text.examples.join(", ")}) and count as missing`,
        counts: { textCells: text.count, nonMissing: p.nonMissingCount },
      });
      if (tooMany) return { issues };
    }
  }
  if (c.core.has(p.field) && p.completionPct < o.minCompletionPct) {
    issues.push({
      field: p.field,
      code: "low_completion",
      severity: "warning",
      message: `${name(p.field)} is filled in ${p.completionPct.toFixed(1)} % of rows; core fields need ${o.minCompletionPct} %`,
      counts: { completionPct: p.completionPct },
    });
  }
  // A different value in every row: a customer ID (text, or integers — a numeric ID would
  // otherwise enter the model as a "continuous" predictor).
  const allDistinct = p.nonMissingCount >= o.minRows && p.uniqueCount === p.nonMissingCount;
  if (allDistinct && (spec.kind !== "numeric" || allIntegers(c.numeric()))) {
    issues.push({
      field: p.field,
      code: "identifier",
      severity: "warning",
      message: `${name(p.field)} has a different value in every row (${p.uniqueCount}): an identifier, not a predictor`,
      counts: { levels: p.uniqueCount },
    });
    return { issues, flag: "identifier" };
  }
  if (spec.kind === "nominal" && (p.subtype === "high_cardinality" || p.uniqueCount > o.maxLevels)) {
    issues.push({
      field: p.field,
      code: "high_cardinality",
      severity: "warning",
      message: `${name(p.field)} has ${p.uniqueCount} levels (${((100 * p.uniqueCount) / p.nonMissingCount).toFixed(1)} % of its values); one column per level would overfit`,
      counts: { levels: p.uniqueCount, nonMissing: p.nonMissingCount },
    });
    return { issues, flag: "high_cardinality" };
  }
  return { issues };
}

/** The user-facing issue for a leakage finding, led by its largest flagged split. */
function leakageIssue(f: LeakageFinding, name: (field: string) => string, target: string): DataIssue {
  const top = f.splits[0];
  const what = top
    ? `${name(f.field)} ${top.condition} ⇒ ${name(target)} = ${top.predicts} in ${top.predicts === 1 ? top.responders : top.rows - top.responders} of ${top.rows} rows`
    : `${name(f.field)} alone separates ${name(target)} with AUC ${(f.fieldAuc as number).toFixed(3)}`;
  return {
    field: f.field,
    code: "leakage",
    severity: "warning",
    message: `${what}: likely leakage (a value recorded after the response?); left out unless you keep it`,
    counts: {
      ...(top ? { rows: top.rows, responders: top.responders, purity: top.purity } : {}),
      ...(f.fieldAuc !== null ? { fieldAuc: f.fieldAuc } : {}),
    },
  };
}

export function checkData(input: CheckInput): DataReport {
  const o: CheckOptions = { ...DEFAULT_CHECKS, ...input.options };
  const { table, target } = input;
  const issues: DataIssue[] = [];
  const n = table.rowCount;
  const name = (field: string) => input.originalOf?.[field] ?? field;
  // A malformed table is the platform's bug, not the user's input: fail loudly.
  for (const f of table.names) {
    const len = table.columns[f]?.length;
    if (len !== n) throw new Error(`RawTable column "${f}" has ${len ?? "no"} cells for ${n} rows`);
  }
  if (n < o.minRows) {
    issues.push({
      field: null,
      code: "too_few_rows",
      severity: "error",
      message: `${n} rows; a model needs at least ${o.minRows}`,
      counts: { rows: n, minRows: o.minRows },
    });
  } else if (n < o.warnRows) {
    issues.push({
      field: null,
      code: "few_rows",
      severity: "warning",
      message: `${n} rows; fewer than ${o.warnRows} give unstable deciles`,
      counts: { rows: n, warnRows: o.warnRows },
    });
  }

  let y: Uint8Array | null = null;
  let targetSummary: TargetSummary | null = null;
  const targetCells = table.columns[target];
  if (!targetCells) {
    issues.push({
      field: target,
      code: "target_absent",
      severity: "error",
      message: `the file has no field "${name(target)}"`,
    });
  } else {
    const parsed = parseTarget(target, targetCells);
    if (parsed.ok) {
      y = parsed.y;
      targetSummary = parsed.summary;
    } else issues.push(...parsed.issues);
  }

  const ignore = new Set(input.ignore ?? []);
  const keep = new Set(input.keep ?? []);
  const hints = new Map((input.directions ?? []).map((h) => [h.field, h]));
  const fields = table.names.filter((f) => f !== target && !ignore.has(f));
  const profiles = fields.map((f) => profileField(f, table.columns[f] ?? []));
  const completion = profiles.map((p) => ({
    field: p.field,
    nonMissing: p.nonMissingCount,
    completionPct: p.completionPct,
  }));

  // Parsed once per field, shared by the text, correlation and leakage checks.
  const parsed = new Map<string, Float64Array>();
  const numericOf = (field: string): Float64Array => {
    let v = parsed.get(field);
    if (!v) {
      v = numericValues(table.columns[field] ?? []);
      parsed.set(field, v);
    }
    return v;
  };
  const flags = new Map<string, IssueCode[]>();
  const flag = (field: string, code: IssueCode) => flags.set(field, [...(flags.get(field) ?? []), code]);
  const specs = new Map<string, FieldSpec>();
  const levelsBeyondEnds: Record<string, string[]> = {};
  const core = new Set(input.coreFields ?? []);

  for (const p of profiles) {
    const cells = table.columns[p.field] ?? [];
    const { spec, beyondEnds } = resolveSpec(p, cells, input.overrides?.[p.field] ?? {}, hints.get(p.field));
    specs.set(p.field, spec);
    if (beyondEnds.length > 0) levelsBeyondEnds[p.field] = beyondEnds;

    const result = fieldIssues({ profile: p, spec, cells, numeric: () => numericOf(p.field), options: o, core, name });
    issues.push(...result.issues);
    if (result.flag) flag(p.field, result.flag);
  }

  const usable = profiles.filter(
    (p) => !issues.some((i) => i.field === p.field && i.severity === "error"),
  );

  const correlations = correlatedPairs(
    usable
      .map((p) => specs.get(p.field) as FieldSpec)
      .filter((s) => s.kind !== "nominal")
      .map(
        (s): NumericColumn => ({
          field: s.name,
          values: s.kind === "ordinal" ? ordinalRanks(s.order ?? [], table.columns[s.name] ?? []) : numericOf(s.name),
        }),
      ),
    o.correlationThreshold,
  );
  for (const c of correlations) {
    issues.push({
      field: c.field,
      otherField: c.otherField,
      code: "high_correlation",
      severity: "warning",
      message: `${name(c.field)} and ${name(c.otherField)} are correlated (r = ${c.r.toFixed(3)} over ${c.rows} rows); the penalty will share or pick between them`,
      counts: { r: c.r, rows: c.rows },
    });
  }

  let leakage: LeakageFinding[] = [];
  let leakageSplitsTested = 0;
  if (y) {
    const candidates = usable.filter((p) => !flags.has(p.field));
    const result = detectLeakage(
      candidates.map((p) => {
        const spec = specs.get(p.field) as FieldSpec;
        return {
          field: p.field,
          cells: table.columns[p.field] ?? [],
          numeric: spec.kind === "numeric",
          ...(spec.kind === "numeric" ? { values: numericOf(p.field) } : {}),
          ...(spec.kind === "ordinal" && spec.order ? { order: spec.order } : {}),
        };
      }),
      y,
      o.leakage,
    );
    leakage = result.findings;
    leakageSplitsTested = result.splitsTested;
    for (const f of leakage) {
      flag(f.field, "leakage");
      issues.push(leakageIssue(f, name, target));
    }
  }

  const excluded: ExcludedField[] = [];
  const kept: ExcludedField[] = [];
  const included: FieldSpec[] = [];
  for (const p of usable) {
    const reasons = flags.get(p.field);
    if (reasons && !keep.has(p.field)) excluded.push({ field: p.field, reasons });
    else {
      if (reasons) kept.push({ field: p.field, reasons });
      included.push(specs.get(p.field) as FieldSpec);
    }
  }
  if (included.length === 0 && profiles.length > 0) {
    issues.push({
      field: null,
      code: "too_few_fields",
      severity: "error",
      message: "no field is left to model after the checks",
    });
  } else if (profiles.length === 0) {
    issues.push({
      field: null,
      code: "too_few_fields",
      severity: "error",
      message: "the file has no field besides the target",
    });
  }

  return {
    ok: !issues.some((i) => i.severity === "error"),
    rowCount: n,
    target: targetSummary,
    profiles,
    completion,
    issues,
    correlations,
    leakage,
    leakageSplitsTested,
    specs: included,
    excluded,
    kept,
    levelsBeyondEnds,
  };
}

/** The prototype's `original_match_rates.csv` rows: the client's field name and its % non-missing. */
export function matchRateRows(
  completion: CompletionRow[],
  originalOf: Record<string, string> = {},
): { field: string; match_rate: number }[] {
  return completion.map((c) => ({ field: originalOf[c.field] ?? c.field, match_rate: c.completionPct }));
}

/**
 * Throws the report's errors as one `ModelInputError` (the platform's field-level 422), each at
 * the input path `pathOf(field)` gives (default `data.<field>`, `data` for whole-table errors);
 * returns quietly when the fit may start.
 */
export function assertFitReady(
  report: DataReport,
  pathOf: (field: string | null) => string = (field) => (field === null ? "data" : `data.${field}`),
): void {
  const errors = report.issues.filter((i) => i.severity === "error");
  if (errors.length === 0) return;
  throw new ModelInputError(errors.map((i) => ({ path: pathOf(i.field), message: i.message })));
}
