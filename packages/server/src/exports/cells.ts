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

/** A value as text for PDF and Word, formatted by the same rules as the spreadsheet. */
export function displayValue(value: unknown, f: ValueFormat): string {
  if (value === null || value === undefined) return "—";
  if (typeof value === "boolean") return value ? "yes" : "no";
  if (typeof value === "number") {
    if (!Number.isFinite(value)) return String(value);
    const d = decimalsOf(f, 2);
    switch (f.format) {
      case "percent":
        return `${nf(d).format(value * 100)}%`;
      case "currency": {
        const ccy = currencyOf(f.unit);
        const abs = nf(d).format(Math.abs(value));
        const sign = value < 0 ? "−" : "";
        return ccy === "USD" ? `${sign}$${abs}` : ccy ? `${sign}${abs} ${ccy}` : `${sign}${abs}`;
      }
      case "text":
        return String(value);
      case undefined:
        // No declared format (inputs, undeclared KPIs): as written, up to 6 decimals.
        if (f.decimals === undefined) return general.format(value);
        break;
    }
    const text = nf(f.format === "integer" ? 0 : decimalsOf(f, 4)).format(value);
    return f.unit && SUFFIX_UNITS.has(f.unit) ? `${text} ${f.unit}` : text;
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
