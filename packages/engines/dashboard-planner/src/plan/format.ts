import { nameTokens } from "../profile/names.ts";
import type { ColumnRole } from "../profile/types.ts";
import type { Aggregation, NumberFormat } from "./schema.ts";

const CURRENCIES: Record<string, string> = {
  usd: "USD",
  eur: "EUR",
  gbp: "GBP",
  aed: "AED",
  jpy: "JPY",
  chf: "CHF",
};

export function formatOf(m: ColumnRole, agg: Aggregation): NumberFormat {
  if (agg === "count" || agg === "countDistinct") return { kind: "integer", decimals: 0, compact: false };
  if (m.percent) return { kind: "percent", decimals: 1, compact: false };
  // A unit in the name (`sales_usd`, `priceEur`) makes the figures money.
  const currency = nameTokens(m.column)
    .map((t) => CURRENCIES[t])
    .find(Boolean);
  if (currency)
    return { kind: "currency", currency, decimals: agg === "sum" ? 0 : 2, compact: agg === "sum" };
  if (agg === "sum") return { kind: m.type === "integer" ? "integer" : "number", decimals: 0, compact: true };
  return {
    kind: "number",
    decimals: m.type === "integer" && (agg === "min" || agg === "max") ? 0 : 1,
    compact: false,
  };
}
