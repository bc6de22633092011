import { regionKindOf } from "./geo.ts";
import {
  looksLikeAdditiveName,
  looksLikeIdentifierName,
  looksLikePercentName,
  looksLikeRateName,
  nameTokens,
} from "./names.ts";
import type { ColumnGrain, ColumnProfile, ColumnRole, TableProfile } from "./types.ts";

/** Integer columns with at most this many distinct values are codes for categories (`cyl`, `inmetro`). */
const CODED_CATEGORY_MAX = 10;
/** Text columns whose typical value is longer than this are prose, never a category. */
const FREE_TEXT_CHARS = 40;

/** Distinct text of a column as far as the profile shows it: its sample rows, else its examples and range. */
export function columnValues(col: ColumnProfile, table: TableProfile): string[] {
  const seen = new Set<string>();
  if (table.sampleRows) {
    for (const row of table.sampleRows) {
      const v = row[col.name];
      if (v !== null && v !== undefined && v !== "") seen.add(String(v));
    }
  } else {
    for (const v of [...col.examples, col.min, col.max]) if (v !== null && v !== "") seen.add(String(v));
  }
  return [...seen];
}

const isNumeric = (c: ColumnProfile) => c.type === "integer" || c.type === "number";
const digits = (v: number | string | null) =>
  v === null ? 0 : String(Math.trunc(Math.abs(Number(v)))).length;

/**
 * One column's semantic role. The rules run in order and the first that fits wins, from the most
 * specific evidence to the least: the stored type (dates), the name (`*_id`, `year`, `county`),
 * the values (state and country names), the distinct ratio (unique labels, coded categories),
 * and last the type alone (numbers are measures, short text is a dimension).
 */
export function columnRole(col: ColumnProfile, table: TableProfile): ColumnRole {
  const base = { column: col.name, type: col.type, cardinality: col.distinct };
  const tokens = nameTokens(col.name);
  const unique = col.distinct === table.rowCount && col.missing === 0 && table.rowCount > 1;

  if (col.type === "date" || col.type === "datetime") {
    return { ...base, role: "time", grain: dateGrain(col), reasons: [`stored as a ${col.type}`] };
  }
  if (col.type === "boolean") return { ...base, role: "dimension", reasons: ["true/false values"] };
  if (col.type === "time") return { ...base, role: "dimension", reasons: ["a time of day"] };

  // FIPS codes name regions: two digits a state, five a county (stored as numbers or as text).
  if (tokens.includes("fips") && (isNumeric(col) || col.type === "string")) {
    const values = isNumeric(col) ? [col.min, col.max] : columnValues(col, table);
    const wide = values.some((v) => v !== null && String(v).replace(/^0+/, "").length > 2);
    return {
      ...base,
      role: "geography",
      geo: wide ? "us-county" : "us-state",
      reasons: [`named a FIPS code: ${wide ? "five digits, counties" : "two digits, states"}`],
    };
  }

  if (isNumeric(col)) {
    if (looksLikeIdentifierName(col.name))
      return { ...base, role: "identifier", reasons: ["the name marks a key or code"] };
    const lo = Number(col.min);
    const hi = Number(col.max);
    if (
      col.type === "integer" &&
      tokens.some((t) => ["year", "yr", "fy", "yyyy"].includes(t)) &&
      lo >= 1000 &&
      hi <= 2200
    ) {
      return { ...base, role: "time", grain: "year", reasons: ["named a year, with years as values"] };
    }
    if (tokens.some((t) => ["lat", "latitude"].includes(t)) && lo >= -90 && hi <= 90)
      return { ...base, role: "geography", geo: "latitude", reasons: ["named a latitude, within ±90"] };
    if (tokens.some((t) => ["lon", "lng", "long", "longitude"].includes(t)) && lo >= -180 && hi <= 180)
      return { ...base, role: "geography", geo: "longitude", reasons: ["named a longitude, within ±180"] };
    if (col.type === "integer" && unique) {
      // A unique integer is a key when it counts rows (1…n) or has the fixed width of a code (zip,
      // district number); a unique amount such as a population varies in width.
      if (hi - lo + 1 === table.rowCount)
        return { ...base, role: "identifier", reasons: ["unique consecutive integers: a row number"] };
      if (digits(lo) === digits(hi) && digits(lo) >= 4)
        return { ...base, role: "identifier", reasons: [`unique ${digits(lo)}-digit codes`] };
    }
    if (col.type === "integer" && col.distinct <= CODED_CATEGORY_MAX && table.rowCount >= 5 * col.distinct) {
      return {
        ...base,
        role: "dimension",
        reasons: [`only ${col.distinct} distinct whole numbers: a coded category`],
      };
    }
    const rate = looksLikeRateName(col.name);
    const additive = !rate && looksLikeAdditiveName(col.name);
    const percent = looksLikePercentName(col.name) && lo >= 0 && hi <= 100;
    return {
      ...base,
      role: "measure",
      defaultAggregation: additive ? "sum" : "avg",
      ...(percent ? { percent: true } : {}),
      reasons: [
        "numeric",
        additive
          ? "the name reads as a count or amount: totals add up"
          : rate
            ? "the name reads as a rate or level: averaged, never summed"
            : "no count or amount in the name: averaged, the safe default",
      ],
    };
  }

  // Text.
  if (col.pattern === "identifier" || col.pattern === "email" || looksLikeIdentifierName(col.name))
    return {
      ...base,
      role: "identifier",
      reasons: [col.pattern ? `values look like ${col.pattern}s` : "the name marks a key or code"],
    };
  const values = columnValues(col, table);
  const region = regionKindOf(values);
  if (region)
    return {
      ...base,
      role: "geography",
      geo: region,
      reasons: [`values are ${region === "us-state" ? "US state names or codes" : "country names or codes"}`],
    };
  if (tokens.includes("county"))
    return { ...base, role: "geography", geo: "us-county", reasons: ["named a county"] };
  if (tokens.some((t) => ["city", "town"].includes(t)))
    return { ...base, role: "geography", geo: "city", reasons: ["named a city"] };
  if (tokens.some((t) => ["zip", "zipcode", "postal", "postcode"].includes(t)))
    return { ...base, role: "geography", geo: "postal-code", reasons: ["named a postal code"] };
  const meanLength = values.length ? values.reduce((s, v) => s + v.length, 0) / values.length : 0;
  if (meanLength > FREE_TEXT_CHARS)
    return { ...base, role: "text", reasons: [`values average ${Math.round(meanLength)} characters: prose`] };
  if (col.count > 20 && col.distinct >= 0.9 * col.count)
    return { ...base, role: "identifier", reasons: ["nearly every row has its own value: a label"] };
  if (col.pattern === "percent" || col.pattern === "currency")
    return {
      ...base,
      role: "dimension",
      reasons: [`${col.pattern} written as text: not summable until converted`],
    };
  return { ...base, role: "dimension", reasons: [`text with ${col.distinct} distinct values`] };
}

/** The grain of a date column from its span and how many distinct dates fill it. */
function dateGrain(col: ColumnProfile): ColumnGrain {
  const lo = Date.parse(String(col.min));
  const hi = Date.parse(String(col.max));
  if (!Number.isFinite(lo) || !Number.isFinite(hi) || col.distinct < 2) return "day";
  const daysPerValue = (hi - lo) / 86_400_000 / (col.distinct - 1);
  if (daysPerValue >= 300) return "year";
  if (daysPerValue >= 80) return "quarter";
  if (daysPerValue >= 25) return "month";
  if (daysPerValue >= 6) return "week";
  if (col.type === "datetime" && daysPerValue < 0.5) return "hour";
  return "day";
}
