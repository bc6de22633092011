/** Tables and charts of the tif models' outputs (shared by tif@1 and tif@2). */
import type { ChartDescriptor, KpiDescriptor, TableDescriptor } from "@modelworks/model-kit";
import { SERIES, type SeriesKey } from "./schema.ts";

const USD = "USD";
const money = (key: SeriesKey, title: string) => ({
  key,
  title,
  unit: USD,
  format: "currency" as const,
  decimals: 2,
});

/** Unit and title of each per-period series (sign convention: inflows to the owner positive). */
const SERIES_COLUMNS: Record<
  SeriesKey,
  { title: string; unit?: string; format?: "number" | "percent" | "integer" }
> = {
  leveredCf: { title: "Levered cash flow" },
  unleveredCf: { title: "Unlevered cash flow" },
  adjustedUnleveredCfForIrr: { title: "Unlevered CF for IRR (land and IDC added back)" },
  adjustedLeveredCfForIrr: { title: "Levered CF for IRR (lump sum added)" },
  tdcDraw: { title: "Development cost draw" },
  equityDraw: { title: "Equity draw" },
  constDebtDraw: { title: "Construction debt draw" },
  constDebtInterest: { title: "Construction interest" },
  constDebtEop: { title: "Construction loan balance (end)" },
  constDebtNetCf: { title: "Construction debt net flow" },
  occupancy: { title: "Occupancy", unit: "fraction", format: "percent" },
  gpr: { title: "Gross potential rent" },
  egi: { title: "Effective gross income" },
  mgmtFee: { title: "Management fee" },
  opexExTaxes: { title: "Operating expenses (ex taxes)" },
  propertyTaxesNet: { title: "Property taxes (net of abatement)" },
  tifReimbursement: { title: "TIF reimbursement" },
  tifAbatement: { title: "Tax abatement" },
  noi: { title: "Net operating income" },
  replacementReserves: { title: "Replacement reserves" },
  reversion: { title: "Net sale proceeds" },
  permPmt: { title: "Permanent loan payment" },
  permInterest: { title: "Permanent loan interest" },
  permEop: { title: "Permanent loan balance (end)" },
  permNetCf: { title: "Permanent debt net flow" },
  escalationYear: { title: "Escalation year", unit: "years", format: "integer" },
};

export const TIF_TABLES: TableDescriptor[] = [
  {
    name: "periods",
    title: "Monthly cash flow",
    rows: "periods",
    columns: [
      { key: "period", title: "Period", format: "integer" },
      { key: "month", title: "Month", format: "text" },
      { key: "phase", title: "Phase", format: "text" },
      ...Object.values(SERIES).map((key) => {
        const c = SERIES_COLUMNS[key];
        return c.unit
          ? {
              key,
              title: c.title,
              unit: c.unit,
              format: c.format ?? "number",
              decimals: c.format === "integer" ? 0 : 4,
            }
          : money(key, c.title);
      }),
    ],
  },
  {
    name: "unit-mix",
    title: "Unit mix and rents",
    rows: "units.allocation",
    columns: [
      { key: "unitType", title: "Type", format: "text" },
      { key: "netSqft", title: "Net area", unit: "sq ft", format: "integer" },
      { key: "totalUnits", title: "Units", format: "integer" },
      { key: "marketUnits", title: "Market units", format: "integer" },
      { key: "affordableUnits", title: "Affordable units", format: "integer" },
      {
        key: "marketRentMonthlyUsd",
        title: "Market rent",
        unit: "USD/month",
        format: "currency",
        decimals: 2,
      },
      {
        key: "affordableRentMonthlyUsd",
        title: "Affordable rent",
        unit: "USD/month",
        format: "currency",
        decimals: 2,
      },
      { key: "amiTier", title: "AMI level", format: "text" },
    ],
  },
];

export const TIF_CHARTS: ChartDescriptor[] = [
  {
    name: "cash-flow",
    title: "Levered and unlevered cash flow by month",
    kind: "line",
    table: "periods",
    x: "period",
    y: ["leveredCf", "unleveredCf"],
  },
  {
    name: "operations",
    title: "NOI and permanent debt service by month",
    kind: "bar",
    table: "periods",
    x: "period",
    y: ["noi", "permPmt"],
  },
];

const usd = (key: string, title: string) => ({
  key,
  title,
  unit: USD,
  format: "currency" as const,
  decimals: 0,
});
const ratio = (key: string, title: string, unit: string, format: "number" | "percent") => ({
  key,
  title,
  unit,
  format,
  decimals: 2,
});

/** tif@2's annual summary (output `annual`). */
export const ANNUAL_TABLE: TableDescriptor = {
  name: "annual",
  title: "Annual summary",
  rows: "annual",
  columns: [
    { key: "year", title: "Year", format: "integer" },
    { key: "firstMonth", title: "From", format: "text" },
    { key: "lastMonth", title: "To", format: "text" },
    { key: "phases", title: "Phases", format: "text" },
    usd("gprUsd", "Gross potential rent"),
    usd("egiUsd", "Effective gross income"),
    usd("propertyTaxesNetUsd", "Property taxes (net)"),
    usd("tifReimbursementUsd", "TIF reimbursement"),
    usd("tifAbatementUsd", "Tax abatement"),
    usd("noiUsd", "NOI"),
    usd("seniorDebtServiceUsd", "Senior debt service"),
    usd("juniorDebtServiceUsd", "Mezzanine and preferred paid"),
    usd("cashFlowAfterDebtServiceUsd", "Cash flow after debt service"),
    usd("leveredCfUsd", "Levered cash flow"),
    usd("unleveredCfUsd", "Unlevered cash flow"),
    ratio("dscr", "DSCR", "x", "number"),
    ratio("debtYield", "Debt yield", "fraction", "percent"),
    ratio("cashOnCash", "Cash-on-cash", "fraction", "percent"),
  ],
};

export const ANNUAL_CHARTS: ChartDescriptor[] = [
  {
    name: "annual-noi",
    title: "NOI and debt service by year",
    kind: "bar",
    table: "annual",
    x: "year",
    y: ["noiUsd", "seniorDebtServiceUsd", "juniorDebtServiceUsd"],
  },
];

/** Headline results of a tif run, first in reports and on the summary sheet of exports. */
export const TIF_KPIS: KpiDescriptor[] = [
  { path: "returns.leveredIrr", title: "Levered IRR", unit: "fraction/yr", format: "percent", decimals: 2 },
  {
    path: "returns.unleveredIrr",
    title: "Unlevered IRR",
    unit: "fraction/yr",
    format: "percent",
    decimals: 2,
  },
  { path: "returns.equityMultiple", title: "Equity multiple", unit: "x", format: "number", decimals: 2 },
  { path: "returns.npvLeveredUsd", title: "Levered NPV", unit: USD, format: "currency", decimals: 0 },
  { path: "metrics.yieldOnCost", title: "Yield on cost", unit: "fraction", format: "percent", decimals: 2 },
  { path: "metrics.noiAnnualUsd", title: "Stabilized NOI", unit: "USD/yr", format: "currency", decimals: 0 },
  { path: "metrics.equityRequiredUsd", title: "Equity required", unit: USD, format: "currency", decimals: 0 },
  { path: "metrics.debtAmountUsd", title: "Construction loan", unit: USD, format: "currency", decimals: 0 },
];
