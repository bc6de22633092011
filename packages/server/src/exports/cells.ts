import type { NumberStyle } from "@modelworks/contracts/number-style";
import type { ColumnFormat } from "@modelworks/model-kit";

/**
 * How one value looks in every export: spreadsheet number formats chosen by unit, text for
 * PDF and Word, and the neutralization of spreadsheet formula injection.
 */

/** What the formatting of a value depends on: a table column, a KPI or a document field. */
export interface ValueFormat {
  unit?: string | undefined;
  format?: ColumnFormat | undefined;
  decimals?: number | undefined;
  /** The org's way of writing negatives (minus or brackets, red or not); minus when not said. */
  style?: NumberStyle | undefined;
}

/**
 * Text that a spreadsheet would read as a formula (`=`, `+`, `-`, `@`, or a leading tab or
 * carriage return, per OWASP's CSV-injection guidance) is written as text with a `'` in front,
 * so opening an export never runs a payload that came in through a model's input.
 */
const FORMULA_START = /^[=+\-@\t\r]/;
export function neutralizeFormula(text: string): string {
  return FORMULA_START.test(text) ? `'${text}` : text;
}

/**
 * A table's generic currency unit (`currency`, `currency/yr`) made concrete with the run's own
 * currency (`AED`, `AED/yr`) when the output says which one it is.
 */
export function resolveUnit(unit: string | undefined, currency: string | null): string | undefined {
  if (!unit || !currency) return unit;
  return unit.replace(/\bcurrency\b/g, currency);
}

const decimalsOf = (f: ValueFormat, fallback: number) =>
  Math.max(0, Math.min(10, Math.trunc(f.decimals ?? (f.format === "integer" ? 0 : fallback))));

/** The currency code a unit starts with (`USD`, `AED/yr` → `AED`), if it names one. */
function currencyOf(unit: string | undefined): string | null {
  const m = /^([A-Z]{3})\b/.exec(unit ?? "");
  return m ? m[1]! : null;
}

/** Units short enough to print beside every number (`12 months`, `1.25 x`). */
const SUFFIX_UNITS = new Set(["months", "month", "years", "year", "days", "x", "sq ft", "bp"]);

const quoted = (s: string) => `"${s.replace(/"/g, "")}"`;

/** The Excel number format of a value: currency, percent, integer, fixed decimals or a date. */
export function excelNumFmt(f: ValueFormat): string | undefined {
  const positive = excelPositiveFmt(f);
  if (positive === undefined || f.format === "date") return positive;
  return withNegatives(positive, f.style);
}

/**
 * A number format with the org's negatives as its second section: `#,##0;(#,##0)` for
 * brackets, `[Red]` before it for red. Excel's own minus (one section) otherwise.
 */
export function withNegatives(format: string, style: NumberStyle | null | undefined): string {
  if (!style || (style.negatives === "minus" && !style.red)) return format;
  const positive = format.split(";")[0]!;
  const negative = style.negatives === "brackets" ? `(${positive})` : `-${positive}`;
  return `${positive};${style.red ? "[Red]" : ""}${negative}`;
}

function excelPositiveFmt(f: ValueFormat): string | undefined {
  const d = decimalsOf(f, 2);
  const fixed = d > 0 ? `#,##0.${"0".repeat(d)}` : "#,##0";
  switch (f.format) {
    case "text":
      return undefined;
    case "date":
      return "yyyy-mm-dd";
    case "percent":
      return d > 0 ? `0.${"0".repeat(d)}%` : "0%";
    case "currency": {
      const ccy = currencyOf(f.unit);
      if (ccy === "USD") return `"$"${fixed};-"$"${fixed}`;
      return ccy ? `${fixed} ${quoted(ccy)}` : fixed;
    }
    default: {
      const suffix = f.unit && SUFFIX_UNITS.has(f.unit) ? ` ${quoted(f.unit)}` : "";
      return f.format === "integer" ? `#,##0${suffix}` : `${fixed}${suffix}`;
    }
  }
}

/** A column or field title with its unit, unless the number format already shows it (%, $, months). */
export function titleWithUnit(title: string, f: ValueFormat): string {
  if (!f.unit || f.format === "percent" || SUFFIX_UNITS.has(f.unit)) return title;
  if (f.format === "currency" && /^[A-Z]{3}$/.test(f.unit)) return title;
  return `${title} (${f.unit})`;
}

const numberFormats = new Map<string, Intl.NumberFormat>();
function nf(decimals: number): Intl.NumberFormat {
  const key = String(decimals);
  let f = numberFormats.get(key);
  if (!f) {
    f = new Intl.NumberFormat("en-US", { minimumFractionDigits: decimals, maximumFractionDigits: decimals });
    numberFormats.set(key, f);
  }
  return f;
}

const general = new Intl.NumberFormat("en-US", { maximumFractionDigits: 6 });

/**
 * An unsigned body with the sign of `value`, the org's way: `−1,234` (a true minus, never a
 * hyphen) or `(1,234)`. A value that rounds to zero has no sign (no "−0.00").
 */
function signed(value: number, body: string, style: NumberStyle | undefined): string {
  if (value >= 0 || !/[1-9]/.test(body)) return body;
  return style?.negatives === "brackets" ? `(${body})` : `−${body}`;
}

/** A value as text for PDF and Word, formatted by the same rules as the spreadsheet. */
export function displayValue(value: unknown, f: ValueFormat): string {
  if (value === null || value === undefined) return "—";
  if (typeof value === "boolean") return value ? "yes" : "no";
  if (typeof value === "number") {
    if (!Number.isFinite(value)) return String(value);
    const d = decimalsOf(f, 2);
    const abs = Math.abs(value);
    switch (f.format) {
      case "percent":
        return signed(value, `${nf(d).format(abs * 100)}%`, f.style);
      case "currency": {
        const ccy = currencyOf(f.unit);
        const body = nf(d).format(abs);
        return signed(value, ccy === "USD" ? `$${body}` : ccy ? `${body} ${ccy}` : body, f.style);
      }
      case "text":
        return String(value);
      case undefined:
        // No declared format (inputs, undeclared KPIs): as written, up to 6 decimals.
        if (f.decimals === undefined) return signed(value, general.format(abs), f.style);
        break;
    }
    const text = signed(value, nf(f.format === "integer" ? 0 : decimalsOf(f, 4)).format(abs), f.style);
    return f.unit && SUFFIX_UNITS.has(f.unit) ? `${text} ${f.unit}` : text;
  }
  // A declared date as the spreadsheet shows it (yyyy-mm-dd), not its raw ISO timestamp.
  if (typeof value === "string" && f.format === "date" && /^\d{4}-\d{2}-\d{2}T/.test(value)) {
    const d = new Date(value);
    if (!Number.isNaN(d.getTime())) return d.toISOString().slice(0, 10);
  }
  if (typeof value === "string") return value;
  return JSON.stringify(value);
}

/** A cell's typed value for a spreadsheet: numbers stay numbers, text is neutralized, objects become JSON. */
export function sheetValue(value: unknown, f: ValueFormat): string | number | boolean | Date | null {
  if (value === null || value === undefined) return null;
  if (typeof value === "number") return Number.isFinite(value) ? value : String(value);
  if (typeof value === "boolean") return value;
  if (typeof value === "string") {
    if (f.format === "date") {
      const d = new Date(value);
      if (!Number.isNaN(d.getTime()) && /^\d{4}-\d{2}/.test(value)) return d;
    }
    return neutralizeFormula(value);
  }
  return neutralizeFormula(JSON.stringify(value));
}

/** Raw text of a cell in a CSV: full precision numbers, neutralized text. */
export function csvValue(value: unknown): string {
  if (value === null || value === undefined) return "";
  if (typeof value === "number") return Number.isFinite(value) ? String(value) : "";
  if (typeof value === "boolean") return value ? "true" : "false";
  if (typeof value === "string") return neutralizeFormula(value);
  return neutralizeFormula(JSON.stringify(value));
}

/** `capitalUsedShareOfBudget` → `Capital used share of budget`, for fields a model did not title. */
export function humanize(key: string): string {
  const words = key
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .replace(/[_-]+/g, " ")
    .trim()
    .toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}
