import { describe, expect, it } from "vitest";
import { PowerBiProjectSpec, pushDataset, pushRow } from "../../src/powerbi/index.ts";
import { EXAMPLE_SPEC } from "./example.ts";

/*
 * The spec as a push dataset body (Push Datasets - PostDatasetInGroup) and source rows as push
 * rows (PostRowsInGroup): the five documented column types, measures as DAX, the documented
 * table-name pattern, values of each column's type.
 */
const spec = PowerBiProjectSpec.parse(EXAMPLE_SPEC);

describe("pushDataset", () => {
  it("refuses a table name outside PutTableInGroup's documented pattern, naming it", () => {
    const made = pushDataset(spec);
    expect(made).toEqual({
      ok: false,
      issues: [{ path: "tables.1.name", message: "not a name Power BI accepts for a push table" }],
    });
  });

  it("maps tables, typed columns, measures and relationships onto the documented body", () => {
    const renamed = PowerBiProjectSpec.parse(
      JSON.parse(JSON.stringify(EXAMPLE_SPEC).replaceAll("O'Brien's Customers", "Customers")),
    );
    const made = pushDataset(renamed);
    if (!made.ok) throw new Error(JSON.stringify(made.issues));
    const d = made.dataset;
    expect(d.defaultMode).toBe("Push");
    expect(d.name).toBe("Sales Overview");
    const sales = d.tables.find((t) => t.name === "Sales")!;
    expect(Object.fromEntries(sales.columns.map((c) => [c.name, c.dataType]))).toEqual({
      "Order ID": "Int64",
      "Order Date": "Datetime",
      Region: "String",
      "Customer ID": "String",
      Amount: "Double",
      Quantity: "Int64",
      "Unit Price (USD)": "Double",
      "Is Returned": "Boolean",
    });
    expect(sales.measures?.find((m) => m.name === "Total Sales")).toEqual({
      name: "Total Sales",
      expression: "SUM('Sales'[Amount])",
      formatString: "\\$#,0",
    });
    // COUNT skips booleans in DAX; the TMDL and the push dataset both use COUNTA there.
    expect(sales.measures?.find((m) => m.name === "Returned Lines")?.expression).toBe(
      "COUNTA('Sales'[Is Returned])",
    );
    expect(d.tables.find((t) => t.name === "Customers")?.measures?.map((m) => m.expression)).toEqual([
      "COUNT('Customers'[Customer ID])",
    ]);
    expect(d.relationships).toEqual([
      {
        name: "Sales.Customer ID → Customers.Customer ID",
        fromTable: "Sales",
        fromColumn: "Customer ID",
        toTable: "Customers",
        toColumn: "Customer ID",
        crossFilteringBehavior: "OneDirection",
      },
    ]);
  });

  it("refuses more than 75 columns in a table", () => {
    const wide = PowerBiProjectSpec.parse({
      ...EXAMPLE_SPEC,
      tables: [
        {
          name: "Wide",
          fileName: "wide.csv",
          columns: Array.from({ length: 76 }, (_, i) => ({ name: `c${i}`, dataType: "double" })),
        },
      ],
      measures: [],
      relationships: [],
      pages: [{ name: "P", visuals: [] }],
    });
    const made = pushDataset(wide);
    expect(made.ok).toBe(false);
    if (!made.ok) expect(made.issues.map((i) => i.path)).toEqual(["tables.0.columns"]);
  });
});

describe("pushRow", () => {
  const sales = spec.tables[0]!;
  it("reads source columns and writes each value as its column's push type", () => {
    expect(
      pushRow(sales, {
        order_id: 17,
        order_date: "2025-03-01",
        region: "North",
        customer_id: 42,
        amount: 19.5,
        quantity: 2.6,
        unit_price: "7.25",
        is_returned: "false",
      }),
    ).toEqual({
      "Order ID": 17,
      "Order Date": "2025-03-01T00:00:00.000Z",
      Region: "North",
      "Customer ID": "42",
      Amount: 19.5,
      Quantity: 3,
      "Unit Price (USD)": 7.25,
      "Is Returned": false,
    });
  });

  it("turns missing and unreadable values into null, and cuts text to 4,000 characters", () => {
    const row = pushRow(sales, {
      order_id: null,
      order_date: "not a date",
      region: "x".repeat(4001),
      amount: "abc",
      is_returned: "maybe",
    });
    expect(row).toMatchObject({
      "Order ID": null,
      "Order Date": null,
      Amount: null,
      "Is Returned": null,
      "Customer ID": null,
    });
    expect((row.Region as string).length).toBe(4000);
  });
});
