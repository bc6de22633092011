import type { PowerBiProjectSpecInput } from "../../src/powerbi/index.ts";

/**
 * A two-table sales dashboard touching every visual kind, with names that need TMDL quoting
 * (spaces, quotes, dots, colons, equals signs) and every data type. The golden project under
 * test/fixtures/golden-project is this spec's output.
 */
export const EXAMPLE_SPEC: PowerBiProjectSpecInput = {
  name: "Sales Overview",
  tables: [
    {
      name: "Sales",
      fileName: "sales.csv",
      description: "One row per order line.",
      columns: [
        {
          name: "Order ID",
          dataType: "int64",
          sourceColumn: "order_id",
          summarizeBy: "none",
          formatString: "0",
        },
        { name: "Order Date", dataType: "dateTime", sourceColumn: "order_date", formatString: "yyyy-mm-dd" },
        { name: "Region", dataType: "string", sourceColumn: "region" },
        { name: "Customer ID", dataType: "string", sourceColumn: "customer_id", isHidden: true },
        { name: "Amount", dataType: "double", sourceColumn: "amount", formatString: "#,0.00" },
        { name: "Quantity", dataType: "int64", sourceColumn: "quantity" },
        { name: "Unit Price (USD)", dataType: "decimal", sourceColumn: "unit_price" },
        { name: "Is Returned", dataType: "boolean", sourceColumn: "is_returned" },
      ],
    },
    {
      name: "O'Brien's Customers",
      fileName: "customers.parquet",
      columns: [
        { name: "Customer ID", dataType: "string" },
        { name: "Customer Name", dataType: "string" },
        { name: "State", dataType: "string", dataCategory: "StateOrProvince" },
      ],
    },
  ],
  measures: [
    { name: "Total Sales", table: "Sales", column: "Amount", aggregation: "sum", formatString: "\\$#,0" },
    { name: "Orders", table: "Sales", column: "Order ID", aggregation: "distinctcount", formatString: "#,0" },
    { name: "Average Order", table: "Sales", column: "Amount", aggregation: "average" },
    { name: "Median Quantity", table: "Sales", column: "Quantity", aggregation: "median" },
    {
      name: "Last Order",
      table: "Sales",
      column: "Order Date",
      aggregation: "max",
      formatString: "yyyy-mm-dd",
    },
    { name: "Returned Lines", table: "Sales", column: "Is Returned", aggregation: "count" },
    { name: "Min. Price: 'net'=gross", table: "Sales", column: "Unit Price (USD)", aggregation: "min" },
    { name: "Customers", table: "O'Brien's Customers", column: "Customer ID", aggregation: "count" },
  ],
  relationships: [
    {
      from: { table: "Sales", column: "Customer ID" },
      to: { table: "O'Brien's Customers", column: "Customer ID" },
    },
  ],
  pages: [
    {
      id: "overview",
      name: "Overview",
      visuals: [
        {
          id: "kpis",
          kind: "card",
          title: "Headline",
          xPx: 20,
          yPx: 20,
          widthPx: 900,
          heightPx: 120,
          bindings: {
            Values: [{ measure: "Total Sales" }, { measure: "Orders" }, { measure: "Last Order" }],
          },
        },
        {
          id: "region-slicer",
          kind: "slicer",
          xPx: 940,
          yPx: 20,
          widthPx: 320,
          heightPx: 80,
          bindings: { Values: [{ table: "Sales", column: "Region" }] },
          slicerMode: "dropdown",
        },
        {
          id: "trend",
          kind: "lineChart",
          title: "Sales by day",
          xPx: 20,
          yPx: 160,
          widthPx: 610,
          heightPx: 260,
          bindings: { Category: [{ table: "Sales", column: "Order Date" }], Y: [{ measure: "Total Sales" }] },
          sort: { by: { table: "Sales", column: "Order Date" }, direction: "ascending" },
        },
        {
          id: "top-regions",
          kind: "barChart",
          title: "Top 5 regions",
          xPx: 650,
          yPx: 160,
          widthPx: 610,
          heightPx: 260,
          bindings: { Category: [{ table: "Sales", column: "Region" }], Y: [{ measure: "Total Sales" }] },
          sort: { by: { measure: "Total Sales" }, direction: "descending" },
          topN: { count: 5, by: { measure: "Total Sales" } },
        },
        {
          id: "map",
          kind: "filledMap",
          title: "Sales by state",
          xPx: 20,
          yPx: 440,
          widthPx: 610,
          heightPx: 260,
          bindings: {
            Location: [{ table: "O'Brien's Customers", column: "State" }],
            Size: [{ measure: "Total Sales" }],
          },
        },
        {
          id: "area",
          kind: "stackedAreaChart",
          xPx: 650,
          yPx: 440,
          widthPx: 610,
          heightPx: 260,
          bindings: {
            Category: [{ table: "Sales", column: "Order Date" }],
            Y: [{ measure: "Total Sales" }],
            Series: [{ table: "Sales", column: "Region" }],
          },
        },
      ],
    },
    {
      id: "detail",
      name: "Detail: West & O'Hare",
      filters: [{ column: { table: "Sales", column: "Region" }, values: ["West", "O'Hare"] }],
      visuals: [
        {
          id: "lines",
          kind: "table",
          xPx: 20,
          yPx: 20,
          widthPx: 610,
          heightPx: 330,
          bindings: {
            Values: [
              { table: "Sales", column: "Order ID" },
              { table: "O'Brien's Customers", column: "Customer Name" },
              { measure: "Total Sales" },
            ],
          },
          sort: { by: { measure: "Total Sales" }, direction: "descending" },
          filters: [{ column: { table: "Sales", column: "Is Returned" }, values: [false] }],
        },
        {
          id: "pivot",
          kind: "matrix",
          xPx: 650,
          yPx: 20,
          widthPx: 610,
          heightPx: 330,
          bindings: {
            Rows: [{ table: "Sales", column: "Region" }],
            Columns: [{ table: "Sales", column: "Is Returned" }],
            Values: [{ measure: "Total Sales" }, { measure: "Median Quantity" }],
          },
          topN: { count: 3, by: { measure: "Orders" }, direction: "bottom" },
        },
        {
          id: "scatter",
          kind: "scatterChart",
          xPx: 20,
          yPx: 370,
          widthPx: 400,
          heightPx: 330,
          bindings: {
            Category: [{ table: "O'Brien's Customers", column: "Customer Name" }],
            X: [{ measure: "Orders" }],
            Y: [{ measure: "Average Order" }],
          },
        },
        {
          id: "histogram",
          kind: "histogram",
          title: "Order sizes",
          xPx: 440,
          yPx: 370,
          widthPx: 400,
          heightPx: 330,
          bindings: { X: [{ table: "Sales", column: "Amount" }], Y: [{ measure: "Orders" }] },
          binWidth: 50,
        },
        {
          id: "by-state",
          kind: "hundredPercentStackedColumnChart",
          xPx: 860,
          yPx: 370,
          widthPx: 400,
          heightPx: 330,
          bindings: {
            Category: [{ table: "O'Brien's Customers", column: "State" }],
            Y: [{ measure: "Returned Lines" }],
            Series: [{ table: "Sales", column: "Is Returned" }],
          },
          filters: [{ column: { table: "Sales", column: "Order Date" }, values: ["2026-01-31"] }],
        },
      ],
    },
  ],
};

export const EXAMPLE_DATA: Record<string, string | Uint8Array> = {
  "sales.csv": [
    "order_id,order_date,region,customer_id,amount,quantity,unit_price,is_returned",
    "1,2026-01-30,West,C1,120.50,2,60.25,false",
    '2,2026-01-31,"O\'Hare",C2,80.00,1,80.00,true',
    "",
  ].join("\n"),
  // Parquet's magic bytes: the writer copies data files as they are.
  "customers.parquet": new Uint8Array([0x50, 0x41, 0x52, 0x31, 0x50, 0x41, 0x52, 0x31]),
};
