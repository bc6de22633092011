// How a person types a number into a field of a known unit, and how the field shows it back
// (issue 18 items 2 and 3). Pure: shared by the scenario form, the editable grids and pastes.

/** The unit a field is typed in: fractions are typed and shown as percents (20 → 0.2). */
export function isPercentUnit(unit: string | undefined | null): boolean {
  return !!unit && unit.startsWith("fraction");
}

export type Entry = { ok: true; value: number | undefined } | { ok: false; message: string };

/**
 * Reads what was typed. Accepts grouping (`1,250,000`), a currency sign (`$900`), a true minus or
 * accounting brackets (`(1,000)`), and a `%` sign. In a percent field a bare number is the percent
 * (`20` and `20%` both store 0.2); elsewhere `5%` is 0.05. Empty is `undefined` (the caller decides
 * whether that is allowed); anything else unreadable is an error message, never a silent value.
 */
export function parseEntry(raw: string, unit?: string | null): Entry {
  let t = raw.trim();
  if (t === "") return { ok: true, value: undefined };
  let negative = false;
  if (/^\(.*\)$/.test(t)) {
    negative = true;
    t = t.slice(1, -1).trim();
  }
  t = t.replace(/^[−–]/, "-");
  const pct = /%$/.test(t);
  const bps = /bps$/i.test(t);
  const body = t
    .replace(/%$/, "")
    .replace(/bps$/i, "")
    .replace(/[,\s_]/g, "")
    .replace(/^(-?)(\$|USD|AED)/i, "$1")
    .replace(/(USD|AED)$/i, "");
  if (!/^-?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(body)) return { ok: false, message: "Enter a number" };
  let n = Number(body);
  if (!Number.isFinite(n)) return { ok: false, message: "Enter a number" };
  if (negative) n = -n;
  if (isPercentUnit(unit)) n = bps ? n / 10_000 : n / 100;
  else if (pct) n = n / 100;
  else if (bps) n = n / 10_000;
  // Division leaves float dust (0.07 / 100 = 0.0007000000000000001): keep 12 significant digits.
  return { ok: true, value: Number(n.toPrecision(12)) };
}

/**
 * A stored value as the field shows it to be edited: percents for fractions (0.2 → "20.00"),
 * money and counts grouped (`1,250,000`), every decimal the value has, nothing rounded away.
 */
export function entryText(value: unknown, unit?: string | null): string {
  if (value === null || value === undefined) return "";
  if (typeof value !== "number") return String(value);
  if (!Number.isFinite(value)) return String(value);
  const shown = isPercentUnit(unit) ? Number((value * 100).toPrecision(12)) : value;
  return shown.toLocaleString("en-US", {
    minimumFractionDigits: isPercentUnit(unit) ? 2 : 0,
    maximumFractionDigits: 10,
    useGrouping: Math.abs(shown) >= 10_000,
  });
}

/** The unit as a field's label names it: percent fields say %, money its currency. */
export function entryUnitLabel(unit: string | undefined | null): string | undefined {
  if (!unit) return undefined;
  if (isPercentUnit(unit)) return `%${unit.slice("fraction".length)}`;
  return unit;
}
