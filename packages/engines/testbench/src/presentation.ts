import { defineModel, finiteField } from "@modelworks/model-kit";
import { z } from "zod";

/**
 * A model that declares its own presentation (a form layout, KPIs, a table and a chart) and
 * nothing else: the platform must show its form in the declared sections and its results with
 * no web code written for it (web/test/browser-presentation.test.ts). Revenue of `units` units
 * renting at a growing monthly rent, month by month.
 */
export const PresentationTestInput = z
  .object({
    label: z.string().max(80).default("Block A").describe("a name for the building"),
    units: z.number().int().min(1).max(10_000).describe("units let"),
    rentPerUnitMonthlyUsd: finiteField().min(0).describe("USD per unit and month in month 1"),
    months: z.number().int().min(1).max(120).default(12),
    rentGrowthMonthly: z.number().min(-0.1).max(0.1).default(0.01).describe("fraction per month"),
  })
  .strict();

const Month = z.object({ month: z.number().int(), rentPerUnitUsd: z.number(), revenueUsd: z.number() });

export const PresentationTestOutput = z.object({
  kpis: z.object({ totalRevenueUsd: z.number(), lastMonthRentPerUnitUsd: z.number() }),
  schedule: z.array(Month),
});

export const presentationTest = defineModel({
  id: "test-presentation",
  version: "1.0.0",
  title: "Test: declared presentation",
  summary: "Monthly rent revenue; declares a form layout, a table and a chart, and has no web code.",
  internal: true,
  input: PresentationTestInput,
  output: PresentationTestOutput,
  layout: {
    sections: [
      { id: "units", title: "Units and rent", fields: ["units", "rentPerUnitMonthlyUsd"] },
      { id: "timing", title: "Timing", fields: ["months", "rentGrowthMonthly"] },
    ],
  },
  examples: [
    {
      name: "small-block",
      title: "Small block",
      input: { units: 10, rentPerUnitMonthlyUsd: 1_000, months: 3, rentGrowthMonthly: 0.1 },
    },
  ],
  kpis: [
    { path: "kpis.totalRevenueUsd", title: "Total revenue", unit: "USD", format: "currency", decimals: 0 },
  ],
  tables: [
    {
      name: "schedule",
      title: "Revenue by month",
      rows: "schedule",
      columns: [
        { key: "month", title: "Month", format: "integer" },
        { key: "rentPerUnitUsd", title: "Rent per unit", unit: "USD", format: "currency", decimals: 2 },
        { key: "revenueUsd", title: "Revenue", unit: "USD", format: "currency", decimals: 2 },
      ],
    },
  ],
  charts: [
    {
      name: "revenue",
      title: "Revenue by month",
      kind: "bar",
      table: "schedule",
      x: "month",
      y: ["revenueUsd"],
    },
  ],
  run(input) {
    const schedule = Array.from({ length: input.months }, (_, i) => {
      const rentPerUnitUsd = input.rentPerUnitMonthlyUsd * (1 + input.rentGrowthMonthly) ** i;
      return { month: i + 1, rentPerUnitUsd, revenueUsd: rentPerUnitUsd * input.units };
    });
    return {
      kpis: {
        totalRevenueUsd: schedule.reduce((s, m) => s + m.revenueUsd, 0),
        lastMonthRentPerUnitUsd: schedule.at(-1)!.rentPerUnitUsd,
      },
      schedule,
    };
  },
});
