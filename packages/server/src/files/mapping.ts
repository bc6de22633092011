import type { ColumnProfile } from "./duck.ts";
import type { InputTable, TargetColumn } from "./targets.ts";

/** How one target column is filled: from a source column (or a constant), with transforms. */
export interface ColumnMapping {
  target: string;
  source: string | null;
  constant?: string | number | boolean | undefined;
  cast?: "number" | "integer" | "string" | "boolean" | undefined;
  /** Multiplies numbers after the cast: 1000 for "in thousands", 0.01 for percent points. */
  scale?: number | undefined;
  /** Replaces whole cell values (matched after trimming, case-insensitively) before the cast. */
  valueMap?: Record<string, string | number | boolean | null> | undefined;
}

export interface Suggestion {
  target: string;
  source: string | null;
  confidence: number;
  reasons: string[];
  mapping: ColumnMapping;
}

/* ------------------------------------------------------------------------------------------- */
/* Suggestions: names first (normalized, synonyms, fuzzy), then types and value patterns.       */

const SYNONYMS: string[][] = [
  ["id", "code", "ref", "reference", "key", "identifier", "number", "no"],
  ["name", "title", "label", "description"],
  ["askprice", "price", "askingprice", "ask", "cost", "purchaseprice", "value"],
  ["noi", "netoperatingincome", "income", "netincome"],
  ["sector", "assetclass", "type", "category", "segment", "propertytype"],
  ["city", "location", "area", "region", "market", "district"],
  ["riskscore", "risk", "riskrating", "score"],
  ["capex", "capitalexpenditure", "capitalexpenditures", "capitalcost"],
  ["amount", "principal", "size", "notional", "balance"],
  ["rate", "interestrate", "coupon", "margin", "spread"],
  ["units", "count", "quantity", "qty"],
  ["rent", "rentpermonth", "monthlyrent", "rentmonthly"],
  // The response-model standard schema (spec response-model.md §C.6 mockup mappings).
  ["individualid", "customerid", "clientid", "personid", "customerno", "custid"],
  ["target", "responseflag", "response", "responded", "converted", "flag"],
  ["recency", "lastpurchasedate", "lastpurchase", "lastpurchaserecency", "recencyofpurchase"],
];

export function normalizeName(s: string): string {
  return s
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .toLowerCase()
    .normalize("NFKD")
    .replace(/[^a-z0-9]+/g, "");
}

function tokens(s: string): string[] {
  return s
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
}

function bigrams(s: string): Map<string, number> {
  const m = new Map<string, number>();
  for (let i = 0; i < s.length - 1; i++) {
    const g = s.slice(i, i + 2);
    m.set(g, (m.get(g) ?? 0) + 1);
  }
  return m;
}

/** Sørensen–Dice over character bigrams: 1 for equal strings, robust to small typos. */
export function dice(a: string, b: string): number {
  if (a === b) return 1;
  if (a.length < 2 || b.length < 2) return 0;
  const ga = bigrams(a);
  const gb = bigrams(b);
  let overlap = 0;
  for (const [g, n] of ga) overlap += Math.min(n, gb.get(g) ?? 0);
  return (2 * overlap) / (a.length - 1 + b.length - 1);
}

/** Units written into a header — `Price (AED k)`, `Rent [000s]`, `Vacancy %` — and the scale they imply. */
export function unitHint(source: string): { scale?: number; reason?: string; bare: string } {
  const unit = /\(([^)]*)\)|\[([^\]]*)\]|(%)\s*$/.exec(source);
  const bare = source.replace(/\([^)]*\)|\[[^\]]*\]|%\s*$/g, " ").trim() || source;
  const text = (unit?.[1] ?? unit?.[2] ?? unit?.[3] ?? "").toLowerCase();
  if (/(^|\W)(k|000s?|'000|thousands?)(\W|$)/.test(text))
    return { scale: 1000, reason: `"${source}" is in thousands: × 1,000`, bare };
  if (/(^|\W)(m|mn|mm|millions?)(\W|$)/.test(text))
    return { scale: 1_000_000, reason: `"${source}" is in millions: × 1,000,000`, bare };
  if (text.includes("%") || /percent/.test(text))
    return { scale: 0.01, reason: `"${source}" is in percent: × 0.01`, bare };
  return { bare };
}

function nameScore(target: string, rawSource: string): { score: number; reason: string } {
  const source = unitHint(rawSource).bare;
  const t = normalizeName(target);
  const s = normalizeName(source);
  if (t === s) return { score: 1, reason: `name "${source}" matches` };
  const group = SYNONYMS.find((g) => g.includes(t));
  if (group?.includes(s)) return { score: 0.85, reason: `"${source}" is a usual name for ${target}` };
  const tt = tokens(target);
  const st = tokens(source);
  const shared = tt.filter((x) => st.includes(x)).length;
  const jaccard = shared / new Set([...tt, ...st]).size;
  const fuzzy = dice(t, s);
  const contains = t.length >= 3 && s.length >= 3 && (s.includes(t) || t.includes(s)) ? 0.75 : 0;
  const score = Math.max(jaccard * 0.9, fuzzy * 0.9, contains);
  return { score, reason: `name "${source}" resembles ${target} (${Math.round(score * 100)}%)` };
}

function typeScore(target: TargetColumn, col: ColumnProfile): { score: number; reason?: string } {
  const numeric = col.type === "integer" || col.type === "number";
  // An empty column contradicts no type (DuckDB types it as text for want of values).
  if (col.count === 0) return { score: 1, reason: "the column is empty" };
  switch (target.type) {
    case "number":
    case "integer":
      if (numeric) return { score: 1, reason: `numbers, as ${target.name} needs` };
      if (col.pattern === "percent" || col.pattern === "currency")
        return { score: 0.9, reason: `${col.pattern} values read as numbers` };
      return { score: 0, reason: "text where a number is needed" };
    case "boolean":
      if (col.type === "boolean") return { score: 1, reason: "true/false values" };
      return col.distinct <= 2 ? { score: 0.6, reason: "two distinct values" } : { score: 0 };
    case "string":
      if (target.enum) {
        const hits = col.examples.filter((e) =>
          target.enum!.some((v) => v.toLowerCase() === String(e).toLowerCase()),
        );
        if (hits.length > 0) return { score: 1, reason: "values are among the allowed ones" };
      }
      return { score: numeric && !target.name.toLowerCase().includes("id") ? 0.5 : 1 };
    default:
      return { score: 0.5 };
  }
}

/** A scale that brings the column into the target's range, e.g. percent points into a fraction. */
function suggestedScale(target: TargetColumn, col: ColumnProfile): { scale?: number; reason?: string } {
  if (col.pattern === "percent") return {};
  const hint = unitHint(col.name);
  if (hint.scale) return { scale: hint.scale, ...(hint.reason ? { reason: hint.reason } : {}) };
  const max = typeof col.max === "number" ? col.max : null;
  if (max !== null && target.maximum === 1 && max > 1 && max <= 100) {
    return { scale: 0.01, reason: "values up to 100 where at most 1 is allowed: read as percent" };
  }
  return {};
}

/**
 * For every target column, the best source column, greedily by score so no source is used
 * twice. Confidence = 0.7 × name + 0.3 × type; below 0.4 the target is left unmapped.
 */
export function suggestMapping(table: InputTable, profile: ColumnProfile[]): Suggestion[] {
  const pairs: { t: TargetColumn; c: ColumnProfile; confidence: number; reasons: string[] }[] = [];
  for (const t of table.columns) {
    for (const c of profile) {
      const n = nameScore(t.name, c.name);
      const ty = typeScore(t, c);
      const confidence = Math.round((0.7 * n.score + 0.3 * ty.score) * 100) / 100;
      pairs.push({ t, c, confidence, reasons: [n.reason, ...(ty.reason ? [ty.reason] : [])] });
    }
  }
  pairs.sort((a, b) => b.confidence - a.confidence);
  const used = new Set<string>();
  const chosen = new Map<string, (typeof pairs)[number]>();
  for (const p of pairs) {
    if (p.confidence < 0.4 || chosen.has(p.t.name) || used.has(p.c.name)) continue;
    chosen.set(p.t.name, p);
    used.add(p.c.name);
  }
  return table.columns.map((t) => {
    const p = chosen.get(t.name);
    if (!p) {
      return {
        target: t.name,
        source: null,
        confidence: 0,
        reasons: [
          t.required ? "no matching column; this column is required" : "no matching column (optional)",
        ],
        mapping: { target: t.name, source: null },
      };
    }
    const { scale, reason } = t.type === "number" || t.type === "integer" ? suggestedScale(t, p.c) : {};
    const cast = castFor(t);
    return {
      target: t.name,
      source: p.c.name,
      confidence: p.confidence,
      reasons: reason ? [...p.reasons, reason] : p.reasons,
      mapping: { target: t.name, source: p.c.name, ...(cast ? { cast } : {}), ...(scale ? { scale } : {}) },
    };
  });
}

function castFor(t: TargetColumn): ColumnMapping["cast"] {
  return t.type === "number" || t.type === "integer" || t.type === "string" || t.type === "boolean"
    ? t.type
    : undefined;
}

/* ------------------------------------------------------------------------------------------- */
/* Applying a mapping: transforms, then the model's own row schema.                             */

export interface RowProblem {
  /** 1-based data row (the header is not counted); the file line is row + 1 for CSV. */
  row: number | null;
  column: string | null;
  problem: string;
}

export interface MappedTable {
  rows: unknown[];
  problems: RowProblem[];
  problemCount: number;
  rowCount: number;
  validRowCount: number;
}

const MAX_PROBLEMS = 1000;

export function applyMapping(
  table: InputTable,
  mapping: ColumnMapping[],
  sourceRows: Record<string, unknown>[],
  sourceColumns: string[],
): MappedTable {
  const problems: RowProblem[] = [];
  let problemCount = 0;
  const report = (p: RowProblem) => {
    problemCount++;
    if (problems.length < MAX_PROBLEMS) problems.push(p);
  };
  // The mapping itself first: unknown targets or sources are problems of the whole table.
  const targets = new Set(table.columns.map((c) => c.name));
  for (const m of mapping) {
    if (!targets.has(m.target))
      report({ row: null, column: m.target, problem: `"${m.target}" is not a column of ${table.field}` });
    if (m.source !== null && !sourceColumns.includes(m.source))
      report({ row: null, column: m.target, problem: `the file has no column "${m.source}"` });
  }
  if (problemCount > 0)
    return { rows: [], problems, problemCount, rowCount: sourceRows.length, validRowCount: 0 };

  const rows: unknown[] = [];
  sourceRows.forEach((src, i) => {
    const rowNumber = i + 1;
    const out: Record<string, unknown> = {};
    let ok = true;
    for (const m of mapping) {
      const raw = m.source === null ? m.constant : src[m.source];
      const v = transform(raw, m);
      if (v.error) {
        ok = false;
        report({ row: rowNumber, column: m.target, problem: v.error });
      } else if (v.value !== undefined) out[m.target] = v.value;
    }
    if (!ok) return;
    const parsed = table.row.safeParse(out);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) {
        const column = issue.path.length ? String(issue.path[0]) : null;
        const missing = issue.code === "invalid_type" && column !== null && out[column] === undefined;
        report({
          row: rowNumber,
          column,
          problem: missing ? "required, but empty or not mapped" : issue.message,
        });
      }
      return;
    }
    rows.push(parsed.data);
  });
  // Rules over the whole table (at least one row, at most N) come from the same schema.
  if (problemCount === 0) {
    const whole = table.array.safeParse(rows);
    if (!whole.success) {
      for (const issue of whole.error.issues) {
        const row = typeof issue.path[0] === "number" ? issue.path[0] + 1 : null;
        report({ row, column: issue.path.length > 1 ? String(issue.path[1]) : null, problem: issue.message });
      }
    }
  }
  return { rows, problems, problemCount, rowCount: sourceRows.length, validRowCount: rows.length };
}

const TRUE = new Set(["true", "yes", "y", "1", "x", "t"]);
const FALSE = new Set(["false", "no", "n", "0", "", "f"]);

/** One cell through value map, cast and scale. Empty cells become undefined (schema defaults apply). */
export function transform(raw: unknown, m: ColumnMapping): { value?: unknown; error?: string } {
  let v: unknown = raw;
  if (typeof v === "string") v = v.trim();
  if (m.valueMap && v !== null && v !== undefined) {
    const key = String(v).toLowerCase();
    const hit = Object.entries(m.valueMap).find(([k]) => k.trim().toLowerCase() === key);
    if (hit) v = hit[1];
  }
  if (v === null || v === undefined || v === "") return {};
  switch (m.cast) {
    case "number":
    case "integer": {
      const n = typeof v === "number" ? v : parseNumber(String(v));
      if (n === null || !Number.isFinite(n)) return { error: `cannot read ${JSON.stringify(v)} as a number` };
      const scaled = m.scale !== undefined ? n * m.scale : n;
      // Scaling by 0.01 or 1000 leaves float noise (0.07 → 0.07000000000000001); round it off.
      const value = Number(scaled.toPrecision(12));
      if (m.cast === "integer" && !Number.isInteger(value))
        return { error: `${JSON.stringify(v)} is not a whole number` };
      return { value };
    }
    case "boolean": {
      if (typeof v === "boolean") return { value: v };
      const s = String(v).toLowerCase();
      if (TRUE.has(s)) return { value: true };
      if (FALSE.has(s)) return { value: false };
      return { error: `cannot read ${JSON.stringify(v)} as yes/no` };
    }
    case "string":
      return { value: String(v) };
    default:
      return { value: typeof v === "number" && m.scale !== undefined ? v * m.scale : v };
  }
}

/** Numbers as people type them: `1,234.5`, `$1,200`, `(300)`, `12.5%` (→ 0.125), `1 200`. */
export function parseNumber(s: string): number | null {
  let t = s.trim();
  let negative = false;
  if (/^\(.*\)$/.test(t)) {
    negative = true;
    t = t.slice(1, -1);
  }
  const percent = t.endsWith("%");
  t = t
    .replace(/%$/, "")
    .replace(/^[$€£¥]|\s*(USD|EUR|GBP|AED)$/i, "")
    .replace(/[\s,']/g, "");
  if (!/^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i.test(t)) return null;
  let n = Number(t);
  if (percent) n /= 100;
  return negative ? -n : n;
}

/* ------------------------------------------------------------------------------------------- */

/** A CSV template for an input table: its header (and optionally example rows). */
export function templateCsv(table: InputTable, exampleRows: unknown[] = []): string {
  const names = table.columns.map((c) => c.name);
  const lines = [names.map(csvCell).join(",")];
  for (const r of exampleRows) {
    const o = (r ?? {}) as Record<string, unknown>;
    lines.push(names.map((n) => csvCell(o[n] === undefined || o[n] === null ? "" : String(o[n]))).join(","));
  }
  return `${lines.join("\r\n")}\r\n`;
}

/** Quotes as needed, and defuses spreadsheet formulas (a leading = + - @ becomes text). */
function csvCell(s: string): string {
  const safe = /^[=+\-@\t\r]/.test(s) && !/^-?\d/.test(s) ? `'${s}` : s;
  return /[",\r\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}
