/**
 * Leakage: a field, or one of its levels, that nearly determines the response — typically a
 * field filled in after the response (the sample's CONFIDENCE_LEVEL > 0 ⇒ TARGET = 1 in 76 of 77
 * rows). The rule, applied to every candidate split of every field:
 *
 * - splits: "is missing" and "has a value"; each level of a categorical field, and for an
 *   ordinal both sides of every cut along its order ("in A…C", "in D…H"); for a numeric field both
 *   sides of every cut between adjacent distinct values ("≤ t", "> t"), and each value when it
 *   has ≤ 10 distinct values (rating scales);
 * - a split is flagged when (1) one class makes up ≥ `minPurity` (0.98) of its rows, (2) it has
 *   ≥ `minSupport` (20) rows, and (3) that purity is not chance: the binomial probability of at
 *   least that many rows of the class, at the file's overall rate, is ≤ `alpha` (0.01) divided by
 *   the number of splits tested (Bonferroni). (3) is what keeps a 0-of-21 level from being flagged
 *   at a 28 % response rate, and every all-non-responder level at a 1 % one;
 * - a whole field is flagged, too, when its single-field AUC (numeric: the raw value, both
 *   directions, on rows with a value; categorical: each level's response rate) is ≥ `minFieldAuc`
 *   (0.99) on ≥ `minSupport` rows.
 *
 * A flagged field is excluded from the model unless the user keeps it. The finding carries the
 * counts, so the user can judge.
 */
import { aucFromBlocks } from "../evaluate/auc.ts";
import { blocksFromCounts } from "../evaluate/blocks.ts";
import { logBinomialUpperTail } from "./binomial.ts";
import { compareLevels, isMissing, parseNumeric } from "./values.ts";

export interface LeakageOptions {
  minPurity: number;
  minSupport: number;
  alpha: number;
  minFieldAuc: number;
}

export const DEFAULT_LEAKAGE: LeakageOptions = {
  minPurity: 0.98,
  minSupport: 20,
  alpha: 0.01,
  minFieldAuc: 0.99,
};

export interface LeakageSplit {
  field: string;
  /** Readable condition: "> 0", "≤ 3", "= 25-34", "is missing". */
  condition: string;
  rows: number;
  responders: number;
  /** The class the split nearly determines. */
  predicts: 0 | 1;
  /** Share of `rows` in class `predicts`. */
  purity: number;
  /** log10 of the binomial tail probability (chance of such purity at the overall rate). */
  log10PValue: number;
}

export interface LeakageFinding {
  field: string;
  /** Flagged splits, largest first (then purest). */
  splits: LeakageSplit[];
  /** Single-field AUC (≥ 0.5 by construction), null when not computable. */
  fieldAuc: number | null;
  byFieldAuc: boolean;
}

export interface LeakageField {
  field: string;
  cells: readonly (string | null)[];
  numeric: boolean;
  /** Numeric fields: the cells already parsed (NaN = missing or text), to avoid parsing twice. */
  values?: Float64Array;
  /** Ordinal fields: levels best first; adds "in A…C" / "in D…H" splits along the order. */
  order?: string[];
}

interface Candidate extends LeakageSplit {
  lnP: number;
}

const FEW_VALUES = 10;

function candidate(
  field: string,
  condition: string,
  rows: number,
  responders: number,
  rate: number,
  o: LeakageOptions,
): Candidate | null {
  if (rows < o.minSupport) return null;
  const share1 = responders / rows;
  let predicts: 0 | 1;
  let lnP: number;
  if (share1 >= o.minPurity) {
    predicts = 1;
    lnP = logBinomialUpperTail(responders, rows, rate);
  } else if (1 - share1 >= o.minPurity) {
    predicts = 0;
    lnP = logBinomialUpperTail(rows - responders, rows, 1 - rate);
  } else return null;
  const purity = predicts === 1 ? share1 : 1 - share1;
  return { field, condition, rows, responders, predicts, purity, lnP, log10PValue: lnP / Math.LN10 };
}

function formatNumber(x: number): string {
  return String(Number(x.toPrecision(12)));
}

/** Splits of one field: how many were tested and those passing purity and support. */
type Bucket = { label: string; rows: number; responders: number };

/** "Below/above" splits between adjacent buckets of an ordered field (numbers ascending, or an ordinal's order). */
function thresholdSplits(
  buckets: Bucket[],
  consider: (condition: string, rows: number, responders: number) => void,
  ordinal: boolean,
): void {
  const total = buckets.reduce((s, b) => s + b.rows, 0);
  const totalResp = buckets.reduce((s, b) => s + b.responders, 0);
  const first = buckets[0]?.label;
  const last = buckets[buckets.length - 1]?.label;
  let rows = 0;
  let resp = 0;
  for (let k = 0; k < buckets.length - 1; k++) {
    const b = buckets[k] as Bucket;
    const next = (buckets[k + 1] as Bucket).label;
    rows += b.rows;
    resp += b.responders;
    // An ordinal's one-level ranges are its levels, already tested.
    if (!ordinal) {
      consider(`≤ ${b.label}`, rows, resp);
      consider(`> ${b.label}`, total - rows, totalResp - resp);
    } else {
      if (k > 0) consider(`in ${first}…${b.label}`, rows, resp);
      if (k < buckets.length - 2) consider(`in ${next}…${last}`, total - rows, totalResp - resp);
    }
  }
}

function fieldSplits(
  f: LeakageField,
  y: ArrayLike<number>,
  rate: number,
  o: LeakageOptions,
): { tested: number; found: Candidate[]; fieldAuc: number | null } {
  const found: Candidate[] = [];
  let tested = 0;
  const consider = (condition: string, rows: number, responders: number) => {
    tested++;
    const c = candidate(f.field, condition, rows, responders, rate, o);
    if (c) found.push(c);
  };
  let missingRows = 0;
  let missingResp = 0;
  const byLevel = new Map<string, [number, number]>();
  const xs: number[] = [];
  const ys: number[] = [];
  for (let i = 0; i < f.cells.length; i++) {
    const cell = f.cells[i] ?? null;
    const yi = y[i] as number;
    const x = f.numeric ? (f.values ? (f.values[i] as number) : (parseNumeric(cell) ?? Number.NaN)) : 0;
    if (f.numeric ? Number.isNaN(x) : isMissing(cell)) {
      missingRows++;
      missingResp += yi;
      continue;
    }
    if (f.numeric) {
      xs.push(x);
      ys.push(yi);
    } else {
      const key = cell as string;
      const e = byLevel.get(key) ?? [0, 0];
      e[0]++;
      e[1] += yi;
      byLevel.set(key, e);
    }
  }
  const present = f.cells.length - missingRows;
  if (missingRows > 0 && present > 0) {
    let totalResp = 0;
    for (let i = 0; i < y.length; i++) totalResp += y[i] as number;
    consider("is missing", missingRows, missingResp);
    consider("has a value", present, totalResp - missingResp);
  }
  let fieldAuc: number | null = null;
  if (f.numeric) {
    const byValue = new Map<number, [number, number]>();
    xs.forEach((x, i) => {
      const e = byValue.get(x) ?? [0, 0];
      e[0]++;
      e[1] += ys[i] as number;
      byValue.set(x, e);
    });
    const buckets = [...byValue.keys()]
      .sort((a, b) => a - b)
      .map((v): Bucket => {
        const [rows, responders] = byValue.get(v) as [number, number];
        return { label: formatNumber(v), rows, responders };
      });
    thresholdSplits(buckets, consider, false);
    if (buckets.length <= FEW_VALUES) for (const b of buckets) consider(`= ${b.label}`, b.rows, b.responders);
    const totalResp = ys.reduce((s, v) => s + v, 0);
    if (xs.length >= o.minSupport && totalResp > 0 && totalResp < xs.length) {
      const a = aucFromBlocks(
        blocksFromCounts([...byValue].map(([v, [rows, resp]]) => ({ score: v, pos: resp, neg: rows - resp }))),
      );
      fieldAuc = Math.max(a, 1 - a);
    }
  } else {
    const bucket = (level: string): Bucket => {
      const [rows, responders] = byLevel.get(level) as [number, number];
      return { label: level, rows, responders };
    };
    for (const level of [...byLevel.keys()].sort(compareLevels)) {
      const b = bucket(level);
      consider(`= ${level}`, b.rows, b.responders);
    }
    if (f.order) thresholdSplits(f.order.filter((l) => byLevel.has(l)).map(bucket), consider, true);
    // Each level (missing included) scored by its own response rate: the best any model of this
    // field alone can do on these rows.
    const groups = [...byLevel.values()].map(([rows, resp]) => ({ score: resp / rows, pos: resp, neg: rows - resp }));
    if (missingRows > 0) groups.push({ score: missingResp / missingRows, pos: missingResp, neg: missingRows - missingResp });
    const resp = groups.reduce((s, g) => s + g.pos, 0);
    if (f.cells.length >= o.minSupport && resp > 0 && resp < f.cells.length) {
      fieldAuc = aucFromBlocks(blocksFromCounts(groups));
    }
  }
  return { tested, found, fieldAuc };
}

export interface LeakageResult {
  findings: LeakageFinding[];
  /** Splits tested over all fields: the Bonferroni divisor. */
  splitsTested: number;
}

export function detectLeakage(
  fields: LeakageField[],
  y: ArrayLike<number>,
  options: Partial<LeakageOptions> = {},
): LeakageResult {
  const o = { ...DEFAULT_LEAKAGE, ...options };
  let positives = 0;
  for (let i = 0; i < y.length; i++) positives += y[i] as number;
  const rate = positives / y.length;
  const perField = fields.map((f) => ({ f, ...fieldSplits(f, y, rate, o) }));
  const splitsTested = perField.reduce((s, r) => s + r.tested, 0);
  const lnAlpha = Math.log(o.alpha / Math.max(1, splitsTested));
  const findings: LeakageFinding[] = [];
  for (const r of perField) {
    const splits = r.found
      .filter((c) => c.lnP <= lnAlpha)
      .sort((a, b) => b.rows - a.rows || b.purity - a.purity)
      .map(({ lnP: _, ...s }) => s);
    const byFieldAuc = r.fieldAuc !== null && r.fieldAuc >= o.minFieldAuc;
    if (splits.length > 0 || byFieldAuc) {
      findings.push({ field: r.f.field, splits, fieldAuc: r.fieldAuc, byFieldAuc });
    }
  }
  return { findings, splitsTested };
}
