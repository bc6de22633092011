import { describe, expect, it } from "vitest";
import { ApiError } from "../src/api.ts";
import { formatBytes, formatValue, humanize, unitFromName } from "../src/format.ts";
import { applyServerErrors } from "../src/forms.ts";
import { keyCreatorNote } from "../src/lib/api-keys.ts";
import { kpisOf, valueAtPath, withChange } from "../src/lib/output.ts";
import { classify, defaultsOf, inputUnit, type JsonSchema, numericPaths } from "../src/lib/schema.ts";
import { addsUp, isSummable, rollUp } from "../src/lib/tables.ts";
import { type Column, coerce, pasteTsv } from "../src/lib/tsv.ts";
import type { TableDescriptor } from "../src/types.ts";

/** The web app's pure logic: number formats, schema → controls, spreadsheet paste, roll-ups. */
describe("formatValue", () => {
  it("writes fractions as percents, money with its currency, multiples and plain numbers", () => {
    expect(formatValue(0.0558, "fraction")).toBe("5.58%");
    expect(formatValue(0.0694, "fraction/yr")).toBe("6.94%/yr");
    expect(formatValue(3566072.4, "USD")).toBe("$3,566,072");
    expect(formatValue(-6928234.2, "USD")).toBe("−$6,928,234");
    expect(formatValue(13804920, "AED/yr")).toBe("13,804,920 AED/yr");
    expect(formatValue(1785, "USD/month")).toBe("$1,785/month");
    expect(formatValue(1.2345, "x")).toBe("1.23×");
    expect(formatValue(24.0164, "months")).toBe("24.02 months");
    expect(formatValue(7)).toBe("7");
    expect(formatValue(null)).toBe("—");
    expect(formatValue(Number.POSITIVE_INFINITY)).toBe("∞");
    expect(formatValue(true)).toBe("yes");
  });

  it("reads units from Modelworks field names", () => {
    expect(unitFromName("npvLeveredUsd")).toBe("USD");
    expect(unitFromName("leveredIrr")).toBe("fraction");
    expect(unitFromName("waultMonths")).toBe("months");
    expect(unitFromName("equityMultiple")).toBe("x");
    expect(unitFromName("capitalUsed", "AED")).toBe("AED");
    expect(unitFromName("assetsSelected")).toBeUndefined();
    expect(humanize("landCostUsd")).toBe("Land cost");
    expect(humanize("leveredIrr")).toBe("Levered IRR");
    expect(humanize("minWaultMonths")).toBe("Min WAULT months");
  });
});

describe("input schema → controls", () => {
  const schema: JsonSchema = {
    type: "object",
    properties: {
      currency: { type: "string", default: "AED" },
      budget: { type: "number", description: "AED" },
      vacancyRate: { type: "number", minimum: 0, maximum: 1 },
      incentiveBudget: { anyOf: [{ type: "number" }, { type: "null" }], default: null },
      tier: {
        anyOf: [
          { type: "number", const: 1 },
          { type: "number", const: 2 },
        ],
      },
      noi: { type: "array", items: { type: "number" } },
      deals: {
        type: "array",
        items: {
          type: "object",
          properties: {
            id: { type: "string" },
            riskScore: { type: "number", default: 3 },
            mustBuy: { type: "boolean", default: false },
          },
        },
      },
      targets: { type: "object", properties: { maxLtv: { type: "number" }, note: { type: "string" } } },
    },
  };
  const p = schema.properties!;

  it("classifies each node", () => {
    expect(classify(p.budget!)).toMatchObject({ kind: "number", nullable: false });
    expect(classify(p.incentiveBudget!)).toMatchObject({ kind: "number", nullable: true });
    expect(classify(p.tier!)).toMatchObject({ kind: "enum", options: [1, 2] });
    expect(classify(p.noi!).kind).toBe("numbers");
    expect(classify(p.deals!).kind).toBe("table");
    expect(classify(p.targets!).kind).toBe("object");
    expect(defaultsOf(p.deals!.items!)).toEqual({ riskScore: 3, mustBuy: false });
  });

  it("names units from field names, descriptions and the input's currency", () => {
    expect(inputUnit("landCostUsd", {}, "AED")).toBe("USD");
    expect(inputUnit("constructionMonths", {}, undefined)).toBe("months");
    expect(inputUnit("vacancyRate", {}, undefined)).toBe("fraction");
    expect(inputUnit("budget", { description: "AED" }, undefined)).toBe("AED");
    expect(inputUnit("rentPerUnitAnnual", {}, "AED")).toBe("AED");
    expect(inputUnit("targetUnits", {}, "AED")).toBeUndefined();
  });

  it("lists the numeric paths a sweep can vary (outside arrays)", () => {
    expect(numericPaths(schema)).toEqual(["budget", "vacancyRate", "incentiveBudget", "targets.maxLtv"]);
  });
});

describe("paste from a spreadsheet", () => {
  const item: JsonSchema = {
    type: "object",
    properties: {
      id: { type: "string" },
      askPrice: { type: "number" },
      vacancyHaircut: { type: "number" },
      mustBuy: { type: "boolean", default: false },
    },
  };
  const columns: Column[] = Object.entries(item.properties!).map(([key, s]) => ({
    key,
    title: humanize(key),
    field: classify(s),
  }));

  it("understands thousands separators, percents, booleans and empty cells", () => {
    const price = columns[1]!;
    expect(coerce("1,250,000", price)).toBe(1250000);
    expect(coerce("5%", price)).toBe(0.05);
    expect(coerce("$900", price)).toBe(900);
    expect(coerce("abc", price)).toBe("abc"); // kept: validation names the cell
    expect(coerce("", price)).toBeUndefined();
    expect(coerce("yes", columns[3]!)).toBe(true);
    expect(coerce("0", columns[3]!)).toBe(false);
  });

  it("fills from the cell pasted into, adding rows as needed", () => {
    const rows = [{ id: "A", askPrice: 1, mustBuy: false }];
    const out = pasteTsv(rows, columns, 0, 1, "10\t2%\n20\t3%\n", item);
    expect(out).toEqual([
      { id: "A", askPrice: 10, vacancyHaircut: 0.02, mustBuy: false },
      { askPrice: 20, vacancyHaircut: 0.03, mustBuy: false },
    ]);
    expect(rows[0]!.askPrice).toBe(1); // the original is not mutated
  });

  it("maps columns by a header row (key or title, any order)", () => {
    const out = pasteTsv([], columns, 0, 0, "Ask price\tid\n5,000\tX-1\r\n7000\tX-2", item);
    expect(out).toEqual([
      { id: "X-1", askPrice: 5000, mustBuy: false },
      { id: "X-2", askPrice: 7000, mustBuy: false },
    ]);
  });
});

describe("result tables", () => {
  const periods: TableDescriptor = {
    name: "periods",
    title: "Monthly cash flow",
    rows: "periods",
    columns: [
      { key: "period", title: "Period" },
      { key: "noi", title: "NOI", unit: "USD" },
      { key: "permEop", title: "Loan balance", unit: "USD" },
      { key: "occupancy", title: "Occupancy", unit: "fraction" },
    ],
  };
  const rows = Array.from({ length: 7 }, (_, i) => ({
    period: i + 1,
    noi: 100 * (i + 1),
    permEop: 1000 - i,
    occupancy: i / 10,
  }));

  it("sums flows and keeps the period's last balance and rate", () => {
    expect(rollUp(periods, rows, "quarterly")).toEqual([
      { period: "Q1", noi: 600, permEop: 998, occupancy: 0.2 },
      { period: "Q2", noi: 1500, permEop: 995, occupancy: 0.5 },
      { period: "Q3", noi: 700, permEop: 994, occupancy: 0.6 },
    ]);
    expect(rollUp(periods, rows, "annual")).toEqual([
      { period: "Year 1", noi: 2800, permEop: 994, occupancy: 0.6 },
    ]);
    expect(rollUp(periods, rows, "monthly")).toBe(rows);
  });

  it("totals only columns that add up, in tables whose rows make a whole", () => {
    expect(periods.columns.map(isSummable)).toEqual([false, true, false, false]);
    expect(isSummable({ key: "marketRentMonthlyUsd", title: "Rent", unit: "USD/month" })).toBe(false);
    expect(isSummable({ key: "capital", title: "Capital", unit: "AED" })).toBe(true);
    expect(addsUp(periods)).toBe(true);
    expect(addsUp({ ...periods, name: "what-if" })).toBe(false);
    expect(addsUp({ ...periods, name: "shadow-prices" })).toBe(false);
  });
});

describe("outputs", () => {
  it("finds KPIs in the groups models use, with units from their names", () => {
    const output = {
      returns: { leveredIrr: 0.05, leveredIrrRootCount: 1 },
      metrics: { noiAnnualUsd: 10 },
      periods: [],
    };
    expect(kpisOf(output, "USD")).toEqual([
      { path: "metrics.noiAnnualUsd", label: "NOI annual", value: 10, unit: "USD" },
      { path: "returns.leveredIrr", label: "Levered IRR", value: 0.05, unit: "fraction" },
    ]);
    expect(valueAtPath({ a: { b: [1, 2] } }, "a.b.1")).toBe(2);
    expect(valueAtPath({ a: 1 }, "a.b")).toBeUndefined();
  });

  it("applies a what-if's change to a copy of the input, only where the field exists", () => {
    const input = { budget: 100, caps: { singleAsset: 0.3 } };
    expect(withChange(input, "caps.singleAsset", 0.35)).toEqual({ budget: 100, caps: { singleAsset: 0.35 } });
    expect(input.caps.singleAsset).toBe(0.3);
    expect(withChange(input, "maxAssets", 8)).toBeUndefined();
    expect(withChange(input, "occupancy.target", 1)).toBeUndefined();
  });
});

describe("server field errors", () => {
  it("puts 422 paths on the fields they name and returns the rest for the form's alert", () => {
    const set: [string, string][] = [];
    const err = new ApiError(422, {
      title: "Unprocessable Content",
      errors: [
        { path: "body.input.deals.3.askPrice", message: "must be greater than 0" },
        { path: "body.input.minAssets", message: "minAssets cannot exceed maxAssets" },
        { path: "body.baseRevision", message: "must be a revision number" },
      ],
    });
    const rest = applyServerErrors(
      err,
      ((name: string, e: { message: string }) => set.push([name, e.message])) as never,
      "body.input.",
    );
    expect(set).toEqual([
      ["deals.3.askPrice", "must be greater than 0"],
      ["minAssets", "minAssets cannot exceed maxAssets"],
    ]);
    // Named as a person reads it, not as a zero-based developer path (issue 18 item 12).
    expect(rest).toBe("Base revision: must be a revision number");
    expect(applyServerErrors(new ApiError(409, { detail: "moved on" }), (() => {}) as never)).toBe(
      "moved on",
    );
  });
});

describe("gantt chart (capex schedule)", () => {
  it("draws months 3–5 as 2.5–5.5 on a value axis, a project per row, unscheduled ones without a bar", async () => {
    const { chartOption } = await import("../src/lib/charts.ts");
    const rows = [
      { projectId: "lobby", startMonth: 3, endMonth: 5 },
      { projectId: "roof", startMonth: null, endMonth: null },
    ];
    const o = chartOption(
      {
        name: "gantt",
        title: "Schedule",
        kind: "gantt",
        table: "schedule",
        x: "projectId",
        y: ["startMonth", "endMonth"],
      },
      {
        name: "schedule",
        title: "Schedule",
        rows: "schedule",
        columns: [
          { key: "projectId", title: "Project" },
          { key: "startMonth", title: "Start", unit: "month" },
          { key: "endMonth", title: "End", unit: "month" },
        ],
      } as TableDescriptor,
      rows,
    ) as {
      yAxis: { data: string[] };
      xAxis: { min: number; name: string };
      series: { data: (number | null)[] }[];
      tooltip: { formatter: (p: { dataIndex: number; seriesIndex: number }) => string };
    };
    expect(o.yAxis.data).toEqual(["lobby", "roof"]);
    expect(o.xAxis).toMatchObject({ min: 2, name: "Month" });
    expect(o.series.map((s) => s.data)).toEqual([
      [2.5, null],
      [3, null],
    ]);
    expect(o.tooltip.formatter({ dataIndex: 0, seriesIndex: 1 })).toBe("lobby: Start 3, End 5");
    expect(o.tooltip.formatter({ dataIndex: 1, seriesIndex: 1 })).toBe("roof: not scheduled");
  });
});

describe("formatBytes", () => {
  it("bytes, then KB/MB/GB in steps of 1,024, one decimal below 10", () => {
    expect(formatBytes(250)).toBe("250 B");
    expect(formatBytes(7_270)).toBe("7.1 KB");
    expect(formatBytes(158.7 * 1024 * 1024)).toBe("159 MB");
    expect(formatBytes(3 * 1024 ** 3)).toBe("3 GB");
  });
});

describe("API key creator notes", () => {
  const creator = { userId: "00000000-0000-4000-8000-000000000001", name: "Ada", email: "ada@example.com" };
  it("says when a key is capped by its creator's role now, or no longer works", () => {
    expect(keyCreatorNote({ scope: "admin", createdBy: { ...creator, role: "owner" } })).toEqual({
      who: "Ada",
      email: "ada@example.com",
      note: null,
      tone: "ok",
    });
    expect(keyCreatorNote({ scope: "admin", createdBy: { ...creator, role: "analyst" } })).toMatchObject({
      note: "acts as analyst, its creator's role now",
      tone: "capped",
    });
    // A read key of a viewer is not capped: it acts at its scope.
    expect(keyCreatorNote({ scope: "read", createdBy: { ...creator, role: "viewer" } }).tone).toBe("ok");
    expect(keyCreatorNote({ scope: "run", createdBy: { ...creator, role: null } })).toMatchObject({
      note: "left the organization: key no longer works",
      tone: "dead",
    });
    expect(keyCreatorNote({ scope: "read", createdBy: null })).toEqual({
      who: "deleted user",
      email: null,
      note: "key no longer works",
      tone: "dead",
    });
  });
});
