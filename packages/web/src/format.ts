import type { NegativeNumberStyle, NumberStyle } from "@modelworks/contracts/number-style";

/**
 * Numbers as people read them, with their units. Units come from the model's descriptors
 * (`USD`, `AED/yr`, `fraction`, `months`) or, for outputs without a descriptor, from the
 * field's name (names carry units in Modelworks: `priceUsd`, `rateAnnual`, `months`).
 */
export function formatDateTime(iso: string | null | undefined): string {
  if (!iso) return "";
  const d = new Date(iso);
  return Number.isNaN(d.getTime())
    ? iso
    : d.toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" });
}

/**
 * A declared date column's value as a date ("1 Dec 2026"), not its raw ISO timestamp. A plain
 * `YYYY-MM-DD` is a calendar date and is read in UTC, so it never shows as the day before.
 */
export function formatDate(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime()) || !/^\d{4}-\d{2}-\d{2}/.test(iso)) return iso;
  return /^\d{4}-\d{2}-\d{2}$/.test(iso) ? dateFormat(true).format(d) : dateFormat(false).format(d);
}

// Built once each (as the number formatters below): a table column of dates formats every row.
const dateFormats = new Map<boolean, Intl.DateTimeFormat>();
function dateFormat(utc: boolean): Intl.DateTimeFormat {
  let f = dateFormats.get(utc);
  if (!f) {
    f = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", ...(utc ? { timeZone: "UTC" } : {}) });
    dateFormats.set(utc, f);
  }
  return f;
}

/** How negative numbers are written: a minus sign (U+2212, never a hyphen) or accounting brackets. */
export type NegativeStyle = NegativeNumberStyle;

// The active organization's style (App sets it from GET /org): one setting for every view.
let current: NumberStyle = { negatives: "minus", red: false };

/** Makes the org's number style the formatter's (App calls it when the org's settings load). */
export function setNumberStyle(style: NumberStyle): void {
  current = { negatives: style.negatives, red: style.red };
}

export function numberStyle(): NumberStyle {
  return current;
}

/** The org's choice for negatives (minus until its settings load). */
export function negativeStyle(): NegativeStyle {
  return current.negatives;
}

/**
 * The colour a value is written in: red for a negative number when the org shows negatives in
 * red (a value that rounds to zero is not negative); undefined otherwise (the text's colour).
 */
export function negativeColor(v: unknown, style: NumberStyle = current): string | undefined {
  return style.red && typeof v === "number" && v < 0 && Number.isFinite(v) && Math.abs(v) >= 1e-12
    ? "var(--mantine-color-red-8)"
    : undefined;
}

// One Intl.NumberFormat per decimals: toLocaleString(locale, options) builds a new formatter on
// every call, and a dashboard's first render formats thousands of values (the profile of issue
// 16's 10-visual dashboard spent 2.2 s of main-thread CPU there under load; see bench/README.md).
const formatters = new Map<number, Intl.NumberFormat>();

/** Digits grouped en-US style, no sign (the sign is the caller's, so it is written one way). */
function grouped(v: number, decimals: number): string {
  let f = formatters.get(decimals);
  if (!f) {
    f = new Intl.NumberFormat("en-US", { minimumFractionDigits: decimals, maximumFractionDigits: decimals });
    formatters.set(decimals, f);
  }
  return f.format(Math.abs(v));
}

/** Wraps an unsigned body in the sign of `v`; a value that rounds to zero has no sign (no "−0.00"). */
function signed(v: number, body: string, style: NegativeStyle): string {
  if (v >= 0 || /^[^1-9]*$/.test(body)) return body;
  return style === "brackets" ? `(${body})` : `−${body}`;
}

export interface FormatOptions {
  /** The declared column or KPI format: "percent" is a fraction, "integer" has no decimals. */
  format?: string | null;
  /** What the unit "currency" stands for in this run (its input's currency). */
  currency?: string | null;
  negatives?: NegativeStyle;
}

/**
 * The one number formatter of the web app (issue 18 item 8): a number with its unit — fractions
 * as percents, bps with their sign, money with its currency, multiples with ×, negatives with a
 * true minus or in brackets — so every view writes the same value the same way.
 */
export function formatValue(
  v: unknown,
  unit?: string | null,
  decimals?: number,
  opts: FormatOptions = {},
): string {
  if (v === null || v === undefined) return "—";
  if (typeof v === "boolean") return v ? "yes" : "no";
  if (typeof v === "string" && opts.format === "date") return formatDate(v);
  if (typeof v !== "number") return String(v);
  if (!Number.isFinite(v)) return v > 0 ? "∞" : v < 0 ? "−∞" : "—";
  const style = opts.negatives ?? negativeStyle();
  let u = unit ?? "";
  if (u === "" && opts.format === "percent") u = "fraction";
  if (u.startsWith("fraction")) {
    const rest = u.slice("fraction".length);
    // The sign wraps the whole number, "(1.59%)" as in the exports, not "(1.59)%".
    return `${signed(v, `${grouped(v * 100, decimals ?? 2)}%`, style)}${rest}`;
  }
  if (u === "%") return signed(v, `${grouped(v, decimals ?? 2)}%`, style);
  if (u === "bps") {
    const body = `${grouped(v, decimals ?? 1)}`;
    return `${v > 0 && /[1-9]/.test(body) ? "+" : ""}${signed(v, body, "minus")} bps`;
  }
  if (u === "x") return signed(v, `${grouped(v, decimals ?? 2)}×`, style);
  if (/^(USD|AED|EUR|GBP|currency)/.test(u)) {
    const d = decimals ?? (Math.abs(v) >= 1000 ? 0 : 2);
    const [head0, ...rest] = u.split("/");
    const head = head0 === "currency" ? (opts.currency ?? "currency") : head0;
    const per = rest.length ? `/${rest.join("/")}` : "";
    if (head === "USD") return `${signed(v, `$${grouped(v, d)}`, style)}${per}`;
    return `${signed(v, grouped(v, d), style)}${head === "currency" ? "" : ` ${head}`}${per}`;
  }
  // A declared 6 decimals suits a rate (0.071234), not 21,435,132.098904: large plain numbers get
  // at most 2 (exports keep full precision).
  const d =
    (decimals !== undefined && Math.abs(v) >= 1000 ? Math.min(decimals, 2) : decimals) ??
    (opts.format === "integer" || Number.isInteger(v)
      ? 0
      : Math.abs(v) >= 100
        ? 0
        : Math.abs(v) >= 1
          ? 2
          : 4);
  return `${signed(v, grouped(v, d), style)}${u ? ` ${u}` : ""}`;
}

/** A unit as a column header shows it: "currency" becomes the run's currency (or nothing). */
export function unitLabel(unit: string | null | undefined, currency?: string | null): string | undefined {
  if (!unit) return undefined;
  if (unit.startsWith("fraction")) return `%${unit.slice("fraction".length)}`;
  if (unit.startsWith("currency")) return currency ? unit.replace("currency", currency) : undefined;
  return unit;
}

/** The unit a field's name implies, for KPIs that have no descriptor. */
export function unitFromName(key: string, currency = "USD"): string | undefined {
  if (/Usd$/.test(key)) return "USD";
  if (/Aed$/.test(key)) return "AED";
  // Money named by what it is ("runRateUpliftAnnualAtHorizon" is an amount a year, not a rate:
  // it read 847,000,000.00%); a share or rate *of* it still ends in Share/Rate/Pct.
  if (/(Uplift|Noi|NOI|Spend|Amount)/.test(key) && !/(Share|Rate|Pct|Yield)$/.test(key)) return currency;
  if (
    /(Irr|Mirr|irr|mirr|Yield|yield|Rate|rate|Share|share|occupancy|Occupancy|Margin|margin|Pct)([A-Z].*)?$/.test(
      key,
    )
  )
    return "fraction";
  // Loan to value / to cost are shares (0.7007 is 70.07%); "ltvAmount" is money, not matched.
  if (/^(ltv|ltc)$|(Ltv|Ltc)$/.test(key)) return "fraction";
  if (/Months$|^months$/.test(key)) return "months";
  if (/Multiple$|^dscr|Dscr/.test(key)) return "x";
  if (
    /^(capital|noi|budget|objective|ncf12|incentiveSpend|incentiveBudget|totalDebt|equity|cost|amount)/i.test(
      key,
    )
  )
    return currency;
  return undefined;
}

/** camelCase → "Camel case" for labels of fields without a title. */
export function humanize(key: string): string {
  const s = key
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .replace(/[_-]+/g, " ")
    // The unit is shown beside the label or in the value, not in the words.
    .replace(/\s(Usd|Aed)\b/g, "")
    .toLowerCase()
    .replace(/\b(irr|mirr|npv|noi|ltv|ltc|dscr|wault|egi|tdc|ami|ncf|tif|mip|idc|id)\b/g, (w) =>
      w.toUpperCase(),
    );
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/** A file size in binary units (1 KB = 1,024 bytes), one decimal below 10. */
export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ["KB", "MB", "GB", "TB"];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toLocaleString("en-US", { maximumFractionDigits: v < 10 ? 1 : 0 })} ${units[i]}`;
}
