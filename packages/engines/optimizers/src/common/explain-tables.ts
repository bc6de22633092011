import type { ColumnDescriptor } from "@modelworks/model-kit";

/**
 * Table columns of the explainability outputs (shapes in ./explain-schema.ts), so the engines that
 * publish shadow prices and constraint rows show and export them the same way.
 */

/** Rows of `shadowPrices.rows` / `lpRelaxationPrices.rows`; the price's title and unit name the objective. */
export function priceColumns(
  o: { priceTitle?: string; priceUnit?: string; decimals?: number } = {},
): ColumnDescriptor[] {
  return [
    { key: "constraint", title: "Constraint", format: "text" },
    { key: "unit", title: "Unit of the limit", format: "text" },
    { key: "limitValue", title: "Limit", format: "number", decimals: 2 },
    {
      key: "pricePerUnit",
      title: o.priceTitle ?? "Objective change per +1 of the limit",
      unit: o.priceUnit ?? "objective unit per limit unit",
      format: "number",
      decimals: o.decimals ?? 6,
    },
    { key: "validFrom", title: "Price valid from", format: "number", decimals: 2 },
    { key: "validTo", title: "Price valid to", format: "number", decimals: 2 },
    { key: "meaning", title: "Meaning", format: "text" },
  ];
}

/** Rows of `constraints`: every constraint's activity, limits and slack at the plan. */
/** A constraint table's rows that matter: the binding ones (the rest have slack). */
export const BINDING_FOCUS = { key: "binding", label: "binding" } as const;

export const CONSTRAINT_COLUMNS: ColumnDescriptor[] = [
  { key: "constraint", title: "Constraint", format: "text" },
  { key: "unit", title: "Unit", format: "text" },
  { key: "activity", title: "Activity", format: "number", decimals: 2 },
  { key: "lower", title: "Lower limit", format: "number", decimals: 2 },
  { key: "upper", title: "Upper limit", format: "number", decimals: 2 },
  { key: "slack", title: "Slack", format: "number", decimals: 4 },
  { key: "binding", title: "Binding", format: "text" },
];
