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
 * test/compiled-scorer.test.ts holds both to `toBe` equality on real and junk records.
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
function memoParser(): (text: string) => number | undefined {
  const memo = new Map<string, number | undefined>();
  return (text) => {
    if (memo.has(text)) return memo.get(text);
    const x = parseNumericText(text);
    if (memo.size < MEMO_LIMIT) memo.set(text, x);
    return x;
  };
}
type Term = (value: Text, z: number) => number;

function compileTerms(model: ScoringModel): { field: string; add: Term }[] {
  const { preparation, coefficients: c } = model;
  const terms: { field: string; add: Term }[] = [];
  let col = 0;
  for (const f of preparation.fields) {
    if (f.kind === "nominal") {
      // level → its column's coefficient (only the level's own dummy is 1)
      const coefOf = new Map<string, number>();
      f.levels.forEach((l, k) => {
        coefOf.set(l, c[col + k] as number);
      });
      const other = coefOf.get(OTHER_LEVEL);
      const pooled = new Set(f.pooled);
      const missing = coefOf.get(MISSING_LEVEL);
      terms.push({
        field: f.field,
        add: (v, z) => {
          const k = isMissingText(v) ? missing : pooled.has(v as string) ? other : coefOf.get(v as string);
          return k === undefined || k === 0 ? z : z + k * 1;
        },
      });
      col += f.levels.length;
      continue;
    }
    const cv = c[col] as number;
    const ci = f.missingIndicator ? (c[col + 1] as number) : 0;
    const fill = f.fill;
    if (f.kind === "ordinal") {
      const rankOf = new Map(f.levels.map((l, i) => [l, f.levels.length - 1 - i]));
      terms.push({
        field: f.field,
        add: (v, z) => {
          const missing = isMissingText(v);
          const value = missing ? fill : (rankOf.get(v as string) ?? fill);
          let out = cv === 0 || value === 0 ? z : z + cv * value;
          if (missing && ci !== 0) out += ci * 1;
          return out;
        },
      });
    } else {
      const flip = f.flipAbout;
      const parse = memoParser();
      terms.push({
        field: f.field,
        add: (v, z) => {
          let value: number | undefined;
          let missing = isMissingText(v);
          if (!missing) {
            value = parse(v as string);
            if (value === undefined) missing = true;
            else if (flip !== null) value = flip - value;
          }
          const x = value ?? fill;
          let out = cv === 0 || x === 0 ? z : z + cv * x;
          if (missing && ci !== 0) out += ci * 1;
          return out;
        },
      });
    }
    col += f.missingIndicator ? 2 : 1;
  }
  return terms;
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

/** Per field (in rule order) the points of its first matching rule; null when the card's rules interleave fields. */
function compilePointFields(
  card: Scorecard,
): { base: number; fields: { field: string; points: FieldPoints }[] } | null {
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
  const fields: { field: string; points: FieldPoints }[] = [];
  for (const field of order) {
    const rules = byField.get(field) as ScorecardRule[];
    const first = rules[0] as ScorecardRule;
    if (first.kind === "linear") {
      const r = first;
      const parse = memoParser();
      fields.push({
        field,
        points: (v) => {
          const x = isMissingText(v) ? undefined : parse(v as string);
          return x === undefined ? r.missingPoints : r.pointsPerUnit * (x - r.reference);
        },
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
    fields.push({
      field,
      points: (v) => (isMissingText(v) ? (missingPoints ?? 0) : (byLabel.get(v as string) ?? fallback ?? 0)),
    });
  }
  return { base, fields };
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

/**
 * The same scorer over rows of cells in a file's column order (a CSV reader's rows, empty = null)
 * instead of records: each term reads its field's column by index, so a row needs no object. The
 * terms are the record scorer's, in the same order: the same numbers, to the bit.
 */
export interface RowScorer {
  logOdds(cells: readonly (string | null)[], offset: number): number;
  points(cells: readonly (string | null)[], offset: number): number;
  /** Per column, whether the scorer reads it (a reader may leave the others unparsed). */
  columnsRead: boolean[];
}

export function compileRowScorer(
  model: ScoringModel,
  card: Scorecard,
  columns: readonly string[],
): RowScorer {
  const indexOf = new Map<string, number>();
  columns.forEach((name, k) => {
    if (!indexOf.has(name)) indexOf.set(name, k);
  });
  // A field the file lacks reads as missing in every row (−1 → null).
  const at = (field: string) => indexOf.get(field) ?? -1;
  const terms = compileTerms(model);
  const termIndex = Int32Array.from(terms, (t) => at(t.field));
  const termAdd = terms.map((t) => t.add);
  const { intercept } = model;
  const logOdds = (cells: readonly (string | null)[], offset: number) => {
    let z = intercept;
    for (let t = 0; t < termAdd.length; t++) {
      const k = termIndex[t]!;
      z = termAdd[t]!(k < 0 ? null : cells[offset + k]!, z);
    }
    return z;
  };
  const compiled = compilePointFields(card);
  if (!compiled) {
    const width = columns.length;
    return {
      logOdds,
      columnsRead: columns.map(() => true),
      points: (cells, offset) => {
        const text: Record<string, string | null> = {};
        for (let k = 0; k < width; k++) text[columns[k]!] = cells[offset + k] ?? null;
        return scoreRecord(card, text);
      },
    };
  }
  const pointIndex = Int32Array.from(compiled.fields, (f) => at(f.field));
  const pointOf = compiled.fields.map((f) => f.points);
  const columnsRead = columns.map(() => false);
  for (const k of [...termIndex, ...pointIndex]) if (k >= 0) columnsRead[k] = true;
  return {
    logOdds,
    columnsRead,
    points: (cells, offset) => {
      let points = compiled.base;
      for (let f = 0; f < pointOf.length; f++) {
        const k = pointIndex[f]!;
        points += pointOf[f]!(k < 0 ? null : cells[offset + k]!);
      }
      return points;
    },
  };
}
