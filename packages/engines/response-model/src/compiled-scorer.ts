/**
 * A record-at-a-time scorer compiled from a stored preparation, coefficients and scorecard: per
 * field one lookup (level → term, or the numeric rule) instead of a dense design matrix, so a
 * stream of millions of records is scored without building columns.
 *
 * Exactly the same numbers as the column-wise path, by construction:
 * - log-odds: `scoreLogOdds` adds c_j · x_j over the design columns in order, skipping c_j = 0.
 *   Here the same terms are added in the same order, skipping also x_j = 0 (adding ±0 leaves a sum
 *   unchanged), with x_j computed as `applyPreparation` does (median fill, flip, ranks, indicators).
 * - points: `scoreRecord` adds, per field, the first matching rule, in rule order; `buildScorecard`
 *   writes each field's rules together, so adding each field's match in field order is the same sum.
 *   A card whose fields' rules are interleaved is scored by `scoreRecord` itself.
 * Each field's term and points are plain data (TermTable, PointTable) applied by one function each
 * (`addTerm`, `pointsOf`), which the record scorer here and the column scorer (column-scorer.ts:
 * CSV bytes, DuckDB columns) both call: one arithmetic for every path.
 * test/compiled-scorer.test.ts holds them all to `toBe` equality on real and junk records.
 */
import type { ScoringModel } from "./fit/scoring-model.ts";
import { isMissingText, parseNumericText } from "./prepare/numeric-text.ts";
import { MISSING_LEVEL, OTHER_LEVEL } from "./prepare/types.ts";
import { type CustomerRecord, cellText } from "./records.ts";
import { type Scorecard, type ScorecardRule, scoreRecord } from "./scorecard/scorecard.ts";

type Text = string | null;

/** Distinct texts remembered per numeric field: codes such as recency 1–5 repeat millions of times. */
const MEMO_LIMIT = 4096;

/** `parseNumericText` with a bounded memo (the same function's answers, cached). */
export function memoParser(): (text: string) => number | undefined {
  const memo = new Map<string, number | undefined>();
  return (text) => {
    if (memo.has(text)) return memo.get(text);
    const x = parseNumericText(text);
    if (memo.size < MEMO_LIMIT) memo.set(text, x);
    return x;
  };
}
/** A text cell that is missing (null or empty), in the id space of the tables below. */
export const MISSING_ID = -2;
/** A text no lookup knows, or (numeric fields) a text that is not a number. */
export const UNKNOWN_ID = -1;

export const NOMINAL = 0;
export const ORDINAL = 1;
export const NUMERIC = 2;

/**
 * One field's part of the log-odds as plain data, so that a record's text, a CSV cell's bytes
 * and a column of DuckDB values all go through the one function `addTerm`. A text field's cell is
 * an id: its index in `known` (levels and pooled levels), UNKNOWN_ID or MISSING_ID; a numeric
 * field's cell is 0 with its number, UNKNOWN_ID (not a number) or MISSING_ID.
 */
export interface TermTable {
  field: string;
  kind: typeof NOMINAL | typeof ORDINAL | typeof NUMERIC;
  known: string[];
  ids: Map<string, number>;
  /** NOMINAL: the coefficient per known text (NaN: none); ORDINAL: the rank per known text. */
  table: Float64Array;
  /** NOMINAL: the missing level's coefficient (NaN: none). */
  missingCoef: number;
  fill: number;
  cv: number;
  ci: number;
  /** NUMERIC: x becomes flipAbout − x when `flip`. */
  flip: boolean;
  flipAbout: number;
}

/** Text → its index in `known`; a repeated text keeps its last index, as `new Map(entries)` does. */
function textIds(known: readonly string[]): Map<string, number> {
  return new Map(known.map((s, k) => [s, k]));
}

export function compileTermTables(model: ScoringModel): TermTable[] {
  const { preparation, coefficients: c } = model;
  const terms: TermTable[] = [];
  let col = 0;
  for (const f of preparation.fields) {
    if (f.kind === "nominal") {
      // level → its column's coefficient (only the level's own dummy is 1); a pooled level → OTHER's
      const coefOf = new Map<string, number>();
      f.levels.forEach((l, k) => {
        coefOf.set(l, c[col + k] as number);
      });
      const other = coefOf.get(OTHER_LEVEL);
      const pooled = new Set(f.pooled);
      const known = [...new Set([...f.levels, ...f.pooled])];
      terms.push({
        field: f.field,
        kind: NOMINAL,
        known,
        ids: textIds(known),
        table: Float64Array.from(known, (l) => (pooled.has(l) ? other : coefOf.get(l)) ?? Number.NaN),
        missingCoef: coefOf.get(MISSING_LEVEL) ?? Number.NaN,
        fill: 0,
        cv: 0,
        ci: 0,
        flip: false,
        flipAbout: 0,
      });
      col += f.levels.length;
      continue;
    }
    const cv = c[col] as number;
    const ci = f.missingIndicator ? (c[col + 1] as number) : 0;
    const known = f.kind === "ordinal" ? f.levels : [];
    const n = known.length;
    terms.push({
      field: f.field,
      kind: f.kind === "ordinal" ? ORDINAL : NUMERIC,
      known,
      ids: textIds(known),
      table: Float64Array.from(known, (_, i) => n - 1 - i),
      missingCoef: Number.NaN,
      fill: f.fill,
      cv,
      ci,
      flip: f.kind === "numeric" && f.flipAbout !== null,
      flipAbout: f.kind === "numeric" ? (f.flipAbout ?? 0) : 0,
    });
    col += f.missingIndicator ? 2 : 1;
  }
  return terms;
}

/**
 * z plus the term of one cell (`id` as TermTable says, `x` its number). The same steps as the
 * design matrix: median fill, flip, ranks, indicators; a zero term is skipped.
 */
export function addTerm(t: TermTable, id: number, x: number, z: number): number {
  if (t.kind === NOMINAL) {
    const k = id === MISSING_ID ? t.missingCoef : id < 0 ? Number.NaN : t.table[id]!;
    return Number.isNaN(k) || k === 0 ? z : z + k * 1;
  }
  const missing = t.kind === ORDINAL ? id === MISSING_ID : id < 0;
  const value = id < 0 ? t.fill : t.kind === ORDINAL ? t.table[id]! : t.flip ? t.flipAbout - x : x;
  let out = t.cv === 0 || value === 0 ? z : z + t.cv * value;
  if (missing && t.ci !== 0) out += t.ci * 1;
  return out;
}

type Term = (value: Text, z: number) => number;

/** One field's part of the log-odds over a cell's text (records, CSV rows of strings). */
export interface CompiledTerm {
  field: string;
  add: Term;
}

export function compileTerms(model: ScoringModel): CompiledTerm[] {
  return compileTermTables(model).map((t) => {
    const parse = memoParser();
    return {
      field: t.field,
      add: (v, z) => {
        if (isMissingText(v)) return addTerm(t, MISSING_ID, 0, z);
        if (t.kind !== NUMERIC) return addTerm(t, t.ids.get(v as string) ?? UNKNOWN_ID, 0, z);
        const x = parse(v as string);
        return x === undefined ? addTerm(t, UNKNOWN_ID, 0, z) : addTerm(t, 0, x, z);
      },
    };
  });
}

function compileLogOdds(model: ScoringModel): (record: CustomerRecord) => number {
  const terms = compileTerms(model);
  const { intercept } = model;
  return (record) => {
    let z = intercept;
    for (const t of terms) z = t.add(cellText(record[t.field]), z);
    return z;
  };
}

type FieldPoints = (value: Text) => number;

export const CATEGORY = 0;
export const LINEAR = 1;

/** One field's points as plain data (ids as in TermTable: labels for CATEGORY, numbers for LINEAR). */
export interface PointTable {
  field: string;
  kind: typeof CATEGORY | typeof LINEAR;
  known: string[];
  ids: Map<string, number>;
  /** CATEGORY: the points of each known label's first matching rule. */
  table: Float64Array;
  /** Points of a missing cell. */
  missingPoints: number;
  /** CATEGORY: points of a label no rule names (a catch-all rule's, or 0). */
  fallback: number;
  pointsPerUnit: number;
  reference: number;
}

/** The points of one cell (`id`, `x` as for `addTerm`). */
export function pointsOf(p: PointTable, id: number, x: number): number {
  if (p.kind === LINEAR) return id < 0 ? p.missingPoints : p.pointsPerUnit * (x - p.reference);
  return id === MISSING_ID ? p.missingPoints : id < 0 ? p.fallback : p.table[id]!;
}

/** Per field (in rule order) its points; null when the card's rules interleave fields. */
export function compilePointTables(card: Scorecard): { base: number; fields: PointTable[] } | null {
  let base = 0;
  const order: string[] = [];
  const byField = new Map<string, ScorecardRule[]>();
  for (const rule of card.rules) {
    if (rule.kind === "base") {
      base += rule.points;
      continue;
    }
    const list = byField.get(rule.field);
    if (list) {
      if (order.at(-1) !== rule.field) return null; // interleaved: not this compiler's case
      list.push(rule);
    } else {
      byField.set(rule.field, [rule]);
      order.push(rule.field);
    }
  }
  if (card.rules.findIndex((r) => r.kind === "base") > 0) return null; // base must come first
  const fields: PointTable[] = [];
  for (const field of order) {
    const rules = byField.get(field) as ScorecardRule[];
    const first = rules[0] as ScorecardRule;
    if (first.kind === "linear") {
      fields.push({
        field,
        kind: LINEAR,
        known: [],
        ids: new Map(),
        table: new Float64Array(0),
        missingPoints: first.missingPoints,
        fallback: 0,
        pointsPerUnit: first.pointsPerUnit,
        reference: first.reference,
      });
      continue;
    }
    if (rules.some((r) => r.kind !== "category")) return null;
    const byLabel = new Map<string, number>();
    let fallback: number | undefined;
    let missingPoints: number | undefined;
    for (const r of rules) {
      if (r.kind !== "category") continue;
      if (missingPoints === undefined && (r.missing || r.labels.includes(MISSING_LEVEL)))
        missingPoints = r.points;
      if (fallback !== undefined) continue; // a catch-all earlier wins every later label
      for (const l of r.labels) if (!byLabel.has(l)) byLabel.set(l, r.points);
      if (!r.missing && r.labels.length === 0) fallback = r.points;
    }
    const known = [...byLabel.keys()];
    fields.push({
      field,
      kind: CATEGORY,
      known,
      ids: textIds(known),
      table: Float64Array.from(known, (l) => byLabel.get(l)!),
      missingPoints: missingPoints ?? 0,
      fallback: fallback ?? 0,
      pointsPerUnit: 0,
      reference: 0,
    });
  }
  return { base, fields };
}

/** One field's points over a cell's text. */
export interface CompiledPointField {
  field: string;
  points: FieldPoints;
}

export function compilePointFields(card: Scorecard): { base: number; fields: CompiledPointField[] } | null {
  const tables = compilePointTables(card);
  if (!tables) return null;
  return {
    base: tables.base,
    fields: tables.fields.map((p) => {
      const parse = memoParser();
      return {
        field: p.field,
        points: (v) => {
          if (isMissingText(v)) return pointsOf(p, MISSING_ID, 0);
          if (p.kind !== LINEAR) return pointsOf(p, p.ids.get(v as string) ?? UNKNOWN_ID, 0);
          const x = parse(v as string);
          return x === undefined ? pointsOf(p, UNKNOWN_ID, 0) : pointsOf(p, 0, x);
        },
      };
    }),
  };
}

function compilePoints(card: Scorecard): ((record: CustomerRecord) => number) | null {
  const compiled = compilePointFields(card);
  if (!compiled) return null;
  const { base, fields } = compiled;
  return (record) => {
    let points = base;
    for (const f of fields) points += f.points(cellText(record[f.field]));
    return points;
  };
}

export interface CompiledScorer {
  logOdds(record: CustomerRecord): number;
  probability(record: CustomerRecord): number;
  points(record: CustomerRecord): number;
}

export function compileScorer(model: ScoringModel, card: Scorecard): CompiledScorer {
  const logOdds = compileLogOdds(model);
  const compiled = compilePoints(card);
  const points =
    compiled ??
    ((record: CustomerRecord) => {
      const text: Record<string, string | null> = {};
      for (const k of Object.keys(record)) text[k] = cellText(record[k]);
      return scoreRecord(card, text);
    });
  return { logOdds, probability: (r) => 1 / (1 + Math.exp(-logOdds(r))), points };
}
