/** Column-name reading shared by the role rules: tokens of snake_case, kebab-case and camelCase. */
export function nameTokens(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((t) => t !== "");
}

export const normalizedName = (name: string) => nameTokens(name).join("_");

/** Words ending in "id" that are not identifiers (`stateid` is one, `paid` is not). */
const NOT_ID = new Set([
  "paid",
  "valid",
  "invalid",
  "grid",
  "solid",
  "humid",
  "rapid",
  "fluid",
  "acid",
  "hybrid",
  "liquid",
  "void",
  "avoid",
  "covid",
  "said",
  "raid",
  "aid",
  "medicaid",
  "bid",
  "kid",
  "lid",
  "mid",
  "rid",
]);

/** `id`, `*_id`, `id_*`, `userId`, `stateid`, `key`, `uuid`, `code`, `sku`: names that label rows rather than measure them. */
export function looksLikeIdentifierName(name: string): boolean {
  const tokens = nameTokens(name);
  if (tokens.some((t) => ["id", "uuid", "guid", "key", "code", "sku", "fips", "pk"].includes(t))) return true;
  const last = tokens.at(-1) ?? "";
  return /^[a-z]{1,10}id$/.test(last) && !NOT_ID.has(last);
}

const RATE_WORDS = [
  "rate",
  "ratio",
  "density",
  "avg",
  "average",
  "mean",
  "median",
  "share",
  "score",
  "index",
  "income",
  "price",
  "per",
  "pct",
  "percent",
  "percentage",
  "margin",
  "age",
];
const ADDITIVE_STEMS = [
  "pop",
  "total",
  "count",
  "amount",
  "sales",
  "revenue",
  "cost",
  "spend",
  "qty",
  "quantity",
  "units",
  "students",
  "teachers",
  "enrol",
  "area",
  "volume",
  "orders",
  "visits",
  "sum",
  "employees",
  "households",
  "budget",
  "profit",
];

/** Rates and levels (averaged) by name: `percwhite`, `crime_rate`, `popdensity`, `avg_price`. */
export function looksLikeRateName(name: string): boolean {
  const tokens = nameTokens(name);
  const joined = tokens.join("");
  return (
    tokens.some((t) => RATE_WORDS.includes(t)) ||
    /^(perc|pct)/.test(joined) ||
    /(density|rate|ratio|pct|percent)$/.test(joined)
  );
}

/** Counts and amounts (summed) by name: `poptotal`, `students`, `sales_usd`. */
export function looksLikeAdditiveName(name: string): boolean {
  return nameTokens(name).some((t) => ADDITIVE_STEMS.some((s) => t.startsWith(s)));
}

export const looksLikePercentName = (name: string) =>
  /^(perc|pct)|percent|pct$/.test(nameTokens(name).join(""));
