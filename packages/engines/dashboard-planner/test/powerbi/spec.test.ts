import { describe, expect, it } from "vitest";
import {
  PowerBiProjectSpec,
  type PowerBiProjectSpecInput,
  type PowerBiVisualInput,
} from "../../src/powerbi/index.ts";
import { EXAMPLE_SPEC } from "./example.ts";

const clone = (): PowerBiProjectSpecInput => structuredClone(EXAMPLE_SPEC);

/** The issues of an invalid spec as "path: message" lines. */
function issues(input: PowerBiProjectSpecInput): string[] {
  const result = PowerBiProjectSpec.safeParse(input);
  if (result.success) return [];
  return result.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
}

function withVisual(visual: PowerBiVisualInput): PowerBiProjectSpecInput {
  const spec = clone();
  spec.pages[0]!.visuals = [visual];
  return spec;
}

const bar = (over: Partial<PowerBiVisualInput>): PowerBiVisualInput => ({
  kind: "barChart",
  xPx: 0,
  yPx: 0,
  widthPx: 400,
  heightPx: 300,
  bindings: { Category: [{ table: "Sales", column: "Region" }], Y: [{ measure: "Total Sales" }] },
  ...over,
});

describe("PowerBiProjectSpec", () => {
  it("accepts the example", () => {
    expect(issues(EXAMPLE_SPEC)).toEqual([]);
  });

  it("rejects references to tables, columns and measures that do not exist, at the field", () => {
    const spec = clone();
    spec.measures![0]!.column = "Amount2";
    spec.relationships![0]!.to.table = "Customers";
    spec.pages[0]!.visuals[2]!.bindings.Y = [{ measure: "Profit" }];
    expect(issues(spec)).toEqual([
      'measures.0.column: no column "Amount2" in "Sales"',
      'relationships.0.to.table: no table "Customers"',
      'pages.0.visuals.2.bindings.Y.0.measure: no measure "Profit"',
    ]);
  });

  it("rejects aggregations that do not fit the column type", () => {
    const spec = clone();
    spec.measures!.push(
      { name: "Sum of regions", table: "Sales", column: "Region", aggregation: "sum" },
      { name: "Average flag", table: "Sales", column: "Is Returned", aggregation: "average" },
      { name: "Max region", table: "Sales", column: "Region", aggregation: "max" },
      { name: "Distinct regions", table: "Sales", column: "Region", aggregation: "distinctcount" },
    );
    spec.tables[0]!.columns[2]!.summarizeBy = "sum";
    expect(issues(spec)).toEqual([
      "tables.0.columns.2.summarizeBy: cannot sum a string column",
      'measures.8.aggregation: cannot sum the string column "Region"',
      'measures.9.aggregation: cannot average the boolean column "Is Returned"',
      'measures.10.aggregation: cannot take the max of the string column "Region"',
    ]);
  });

  it("rejects duplicate names case-insensitively, and a measure named like a column", () => {
    const spec = clone();
    spec.tables[1]!.name = "SALES";
    spec.measures![1]!.name = "total sales";
    spec.measures![2]!.name = "Amount";
    spec.pages[1]!.name = "overview";
    const found = issues(spec);
    expect(found).toContain('tables.1.name: duplicate table "SALES"');
    expect(found).toContain('measures.1.name: duplicate measure "total sales"');
    expect(found).toContain('measures.2.name: measure "Amount" has the name of a column of "Sales"');
    expect(found).toContain('pages.1.name: duplicate page "overview"');
  });

  it("rejects a measure named like a column of any table, and a table named like the DataFolder parameter", () => {
    const spec = clone();
    spec.measures![0]!.name = "customer name";
    spec.tables[1]!.name = "datafolder";
    for (const m of spec.measures!) if (m.table === "O'Brien's Customers") m.table = "datafolder";
    spec.relationships![0]!.to.table = "datafolder";
    const found = issues(spec);
    expect(found).toContain('tables.1.name: "datafolder" is the name of the data folder parameter');
    expect(found).toContain(
      'measures.0.name: measure "customer name" has the name of a column of "datafolder"',
    );
  });

  it("checks each visual's roles: which exist, how many fields, column or measure", () => {
    expect(
      issues(withVisual(bar({ bindings: { Category: [{ table: "Sales", column: "Region" }] } }))),
    ).toEqual(["pages.0.visuals.0.bindings.Y: a barChart needs 1 Y field(s)"]);
    expect(
      issues(
        withVisual(
          bar({ bindings: { Category: [{ measure: "Orders" }], Y: [{ table: "Sales", column: "Amount" }] } }),
        ),
      ),
    ).toEqual([
      "pages.0.visuals.0.bindings.Category.0: Category of a barChart takes a column",
      "pages.0.visuals.0.bindings.Y.0: Y of a barChart takes a measure",
    ]);
    expect(
      issues(
        withVisual(bar({ kind: "card", bindings: { Category: [{ table: "Sales", column: "Region" }] } })),
      ),
    ).toEqual([
      "pages.0.visuals.0.bindings.Category: a card has no Category role",
      "pages.0.visuals.0.bindings.Values: a card needs 1 Values field(s)",
    ]);
    expect(
      issues(
        withVisual(
          bar({
            bindings: {
              Category: [{ table: "Sales", column: "Region" }],
              Y: [{ measure: "Total Sales" }, { measure: "Orders" }],
              Series: [{ table: "Sales", column: "Is Returned" }],
            },
          }),
        ),
      ),
    ).toEqual([
      "pages.0.visuals.0.bindings.Series: a legend (Series) splits one measure: bind a single Y measure",
    ]);
  });

  it("keeps visuals on their page", () => {
    expect(issues(withVisual(bar({ xPx: 1000, widthPx: 400, yPx: 600, heightPx: 200 })))).toEqual([
      "pages.0.visuals.0.widthPx: the visual ends past the page's right edge (1280 px)",
      "pages.0.visuals.0.heightPx: the visual ends below the page's bottom edge (720 px)",
    ]);
  });

  it("checks histograms, slicers, sorts and top-N", () => {
    const histogram = (over: Partial<PowerBiVisualInput>) =>
      bar({
        kind: "histogram",
        bindings: { X: [{ table: "Sales", column: "Region" }], Y: [{ measure: "Orders" }] },
        ...over,
      });
    expect(issues(withVisual(histogram({})))).toEqual([
      "pages.0.visuals.0.binWidth: a histogram needs a bin width",
      "pages.0.visuals.0.bindings.X.0: a histogram bins a numeric column",
    ]);
    expect(issues(withVisual(bar({ binWidth: 10 })))).toEqual([
      "pages.0.visuals.0.binWidth: only a histogram has a bin width",
    ]);
    const tiny = histogram({
      bindings: { X: [{ table: "Sales", column: "Amount" }], Y: [{ measure: "Orders" }] },
      binWidth: 1e-9,
    });
    expect(issues(withVisual(tiny))).toEqual([
      "pages.0.visuals.0.binWidth: Too small: expected number to be >=0.000001",
    ]);
    expect(
      issues(
        withVisual(
          bar({
            kind: "slicer",
            slicerMode: "between",
            bindings: { Values: [{ table: "Sales", column: "Region" }] },
          }),
        ),
      ),
    ).toEqual(["pages.0.visuals.0.slicerMode: a between slicer needs a number or date column"]);
    expect(issues(withVisual(bar({ sort: { by: { measure: "Orders" }, direction: "descending" } })))).toEqual(
      ["pages.0.visuals.0.sort.by: a visual sorts by one of its own fields"],
    );
    expect(
      issues(
        withVisual(
          bar({
            kind: "card",
            bindings: { Values: [{ measure: "Orders" }] },
            topN: { count: 5, by: { measure: "Orders" } },
          }),
        ),
      ),
    ).toEqual(["pages.0.visuals.0.topN: a card has no column to rank"]);
  });

  it("checks filter values against the column type", () => {
    const spec = clone();
    spec.pages[0]!.filters = [
      { column: { table: "Sales", column: "Quantity" }, values: [1, 2.5, "3"] },
      { column: { table: "Sales", column: "Order Date" }, values: ["2026-01-31", "31/01/2026"] },
      { column: { table: "Sales", column: "Is Returned" }, values: [true, "false"] },
    ];
    expect(issues(spec)).toEqual([
      "pages.0.filters.0.values.1: 2.5 is not a int64 value",
      'pages.0.filters.0.values.2: "3" is not a int64 value',
      'pages.0.filters.1.values.1: "31/01/2026" is not a dateTime value',
      'pages.0.filters.2.values.1: "false" is not a boolean value',
    ]);
  });

  it("rejects names that cannot be written safely", () => {
    const spec = clone();
    spec.name = "../evil";
    spec.tables[0]!.fileName = "../sales.csv";
    spec.tables[0]!.columns[0]!.name = "two\nlines";
    spec.tables[1]!.columns[0]!.name = " padded";
    const found = issues(spec).map((i) => i.split(":")[0]);
    // The renamed columns also break the references to their old names, reported after these.
    expect(found.slice(0, 4)).toEqual([
      "name",
      "tables.0.fileName",
      "tables.0.columns.0.name",
      "tables.1.columns.0.name",
    ]);
  });

  it("rejects relationships between keys of different types or twice between the same tables", () => {
    const spec = clone();
    spec.relationships = [
      {
        from: { table: "Sales", column: "Order ID" },
        to: { table: "O'Brien's Customers", column: "Customer ID" },
      },
      {
        from: { table: "Sales", column: "Customer ID" },
        to: { table: "O'Brien's Customers", column: "Customer ID" },
      },
    ];
    expect(issues(spec)).toEqual([
      "relationships.0: key types differ: Sales.Order ID is int64, O'Brien's Customers.Customer ID is string",
      `relationships.1: a second relationship between "Sales" and "O'Brien's Customers"`,
    ]);
  });
});
