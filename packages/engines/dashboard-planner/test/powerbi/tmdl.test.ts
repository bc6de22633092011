import { describe, expect, it } from "vitest";
import {
  PowerBiProjectSpec,
  type PowerBiProjectSpecInput,
  tmdlName,
  tmdlText,
  writePowerBiProject,
} from "../../src/powerbi/index.ts";
import { EXAMPLE_SPEC } from "./example.ts";
import { childrenOf, parseTmdl, readQualified, readText, type TmdlObject } from "./tmdl-parser.ts";

const MODEL = "Sales Overview.SemanticModel/definition/";

function tmdlFiles(input: PowerBiProjectSpecInput): Map<string, string> {
  const files = writePowerBiProject(input);
  const prefix = `${input.name}.SemanticModel/definition/`;
  return new Map(
    [...files]
      .filter(([p]) => p.startsWith(prefix) && p.endsWith(".tmdl"))
      .map(([p, c]) => [p.slice(prefix.length), String(c)]),
  );
}

/** Every table object of the model, read back from the tables/ folder. */
function readTables(files: Map<string, string>): TmdlObject[] {
  return [...files]
    .filter(([p]) => p.startsWith("tables/"))
    .flatMap(([, text]) => childrenOf({ children: parseTmdl(text) } as TmdlObject, "table"));
}

const M_TYPE = {
  string: "type text",
  int64: "Int64.Type",
  double: "type number",
  decimal: "Currency.Type",
  boolean: "type logical",
  dateTime: "type datetime",
};

describe("TMDL names and values", () => {
  it("quotes names with spaces, dots, colons, equals signs and quotes, doubling inner quotes", () => {
    expect(tmdlName("Sales")).toBe("Sales");
    expect(tmdlName("fact_sales2")).toBe("fact_sales2");
    expect(tmdlName("Order ID")).toBe("'Order ID'");
    expect(tmdlName("a.b")).toBe("'a.b'");
    expect(tmdlName("a:b")).toBe("'a:b'");
    expect(tmdlName("a=b")).toBe("'a=b'");
    expect(tmdlName("O'Brien")).toBe("'O''Brien'");
    expect(tmdlName("2024")).toBe("'2024'");
    // Spelled like a keyword: quoted, so `column column` never has to be disambiguated.
    expect(tmdlName("Table")).toBe("'Table'");
    expect(tmdlName("measure")).toBe("'measure'");
  });

  it("encloses property text in double quotes only when its edges would be trimmed or stripped", () => {
    expect(tmdlText("#,0.00")).toBe("#,0.00");
    expect(tmdlText('0.0 "kg"')).toBe('"0.0 ""kg"""');
    expect(readText(tmdlText('0.0 "kg"'))).toBe('0.0 "kg"');
    expect(readText(tmdlText(" padded "))).toBe(" padded ");
    expect(() => tmdlText("two\nlines")).toThrow(/single-line/);
  });
});

describe("the model read back from its TMDL", () => {
  const spec = PowerBiProjectSpec.parse(EXAMPLE_SPEC);
  const files = tmdlFiles(EXAMPLE_SPEC);
  const tables = readTables(files);

  it("indents with tabs only and parses without error", () => {
    for (const [path, text] of files) {
      for (const line of text.split("\n")) expect(line, `${path}: ${line}`).not.toMatch(/^ /);
      expect(() => parseTmdl(text), path).not.toThrow();
    }
  });

  it("has the spec's tables and their columns, with type, source column, summarization and format", () => {
    expect(tables.map((t) => t.name).sort()).toEqual(spec.tables.map((t) => t.name).sort());
    for (const table of spec.tables) {
      const read = tables.find((t) => t.name === table.name)!;
      expect(read.description).toBe(table.description);
      const columns = childrenOf(read, "column").filter((c) => c.value === undefined);
      expect(columns.map((c) => c.name)).toEqual(table.columns.map((c) => c.name));
      for (const column of table.columns) {
        const c = columns.find((x) => x.name === column.name)!;
        expect(c.properties.get("dataType")).toBe(column.dataType);
        expect(c.properties.get("sourceColumn")).toBe(column.sourceColumn ?? column.name);
        const numeric = ["int64", "double", "decimal"].includes(column.dataType);
        expect(c.properties.get("summarizeBy")).toBe(column.summarizeBy ?? (numeric ? "sum" : "none"));
        expect(c.properties.get("formatString")).toBe(column.formatString);
        expect(c.properties.get("isHidden")).toBe(column.isHidden ? true : undefined);
        expect(c.properties.get("dataCategory")).toBe(column.dataCategory);
      }
    }
  });

  it("has one DAX measure per spec measure, in its table", () => {
    const expected: Record<string, string> = {
      "Total Sales": "SUM('Sales'[Amount])",
      Orders: "DISTINCTCOUNT('Sales'[Order ID])",
      "Average Order": "AVERAGE('Sales'[Amount])",
      "Median Quantity": "MEDIAN('Sales'[Quantity])",
      "Last Order": "MAX('Sales'[Order Date])",
      // COUNT skips booleans in DAX, COUNTA counts them.
      "Returned Lines": "COUNTA('Sales'[Is Returned])",
      "Min. Price: 'net'=gross": "MIN('Sales'[Unit Price (USD)])",
      Customers: "COUNT('O''Brien''s Customers'[Customer ID])",
    };
    const measures = tables.flatMap((t) => childrenOf(t, "measure").map((m) => ({ table: t.name, m })));
    expect(measures.map(({ m }) => m.name).sort()).toEqual(Object.keys(expected).sort());
    for (const measure of spec.measures) {
      const { table, m } = measures.find(({ m }) => m.name === measure.name)!;
      expect(table).toBe(measure.table);
      expect(m.value).toBe(expected[measure.name]);
      expect(m.properties.get("formatString")).toBe(measure.formatString);
    }
  });

  it("adds the histogram's binned column as a calculated column", () => {
    const sales = tables.find((t) => t.name === "Sales")!;
    const bins = childrenOf(sales, "column").filter((c) => c.value !== undefined);
    expect(bins.map((b) => [b.name, b.value, b.properties.get("dataType")])).toEqual([
      [
        "Amount (bins of 50)",
        "IF(ISBLANK('Sales'[Amount]), BLANK(), INT('Sales'[Amount] / 50) * 50)",
        "double",
      ],
    ]);
  });

  it("loads each table from its file under DataFolder and types every column in the en-US culture", () => {
    for (const table of spec.tables) {
      const [partition] = childrenOf(tables.find((t) => t.name === table.name)!, "partition");
      expect(partition!.name).toBe(table.name);
      expect(partition!.value).toBe("m");
      expect(partition!.properties.get("mode")).toBe("import");
      const m = partition!.expressions.get("source")!;
      expect(m.split("\n")[0]).toBe("let");
      expect(m).toContain(`File.Contents(Folder & "${table.fileName}")`);
      expect(m).toMatch(/Folder = if Text\.EndsWith\(DataFolder, "\\"\)/);
      const parquet = table.fileName.endsWith(".parquet");
      expect(m.includes("Parquet.Document(")).toBe(parquet);
      expect(
        m.includes("Csv.Document(") && m.includes("Encoding = 65001") && m.includes("Table.PromoteHeaders("),
      ).toBe(!parquet);
      const typed = /Table\.TransformColumnTypes\(Selected, \{(.*)\}, "en-US"\)/.exec(m)![1]!;
      const pairs = [...typed.matchAll(/\{"((?:[^"]|"")*)", ([^}]+)\}/g)].map((x) => [
        x[1]!.replaceAll('""', '"'),
        x[2],
      ]);
      expect(pairs).toEqual(table.columns.map((c) => [c.sourceColumn ?? c.name, M_TYPE[c.dataType]]));
      expect(m.trimEnd().endsWith("in\n    Typed")).toBe(true);
    }
  });

  it("declares the DataFolder parameter, the model's table order and the relationships", () => {
    const [parameter] = parseTmdl(files.get("expressions.tmdl")!);
    expect(parameter).toMatchObject({ type: "expression", name: "DataFolder" });
    expect(parameter!.value).toBe(
      '"C:\\Modelworks\\Sales Overview\\data\\" meta [IsParameterQuery = true, Type = "Text", IsParameterQueryRequired = true]',
    );
    const model = parseTmdl(files.get("model.tmdl")!);
    expect(model[0]).toMatchObject({ type: "model", name: "Model" });
    expect(model[0]!.properties.get("culture")).toBe("en-US");
    expect(model.filter((o) => o.isRef).map((o) => o.name)).toEqual(spec.tables.map((t) => t.name));
    expect(parseTmdl(files.get("database.tmdl")!)[0]!.properties.get("compatibilityLevel")).toBe("1600");

    const relationships = parseTmdl(files.get("relationships.tmdl")!);
    expect(
      relationships.map((r) => [
        readQualified(String(r.properties.get("fromColumn"))),
        readQualified(String(r.properties.get("toColumn"))),
      ]),
    ).toEqual(
      spec.relationships.map((r) => [
        [r.from.table, r.from.column],
        [r.to.table, r.to.column],
      ]),
    );
  });

  it("gives every object a distinct GUID lineage tag", () => {
    const tags = [...files.values()].flatMap((text) =>
      [...text.matchAll(/lineageTag: (.+)/g)].map((m) => m[1]),
    );
    // 2 tables, 8 measures, 11 columns, 1 binned column, the DataFolder parameter.
    expect(tags.length).toBe(2 + 8 + 11 + 1 + 1);
    expect(new Set(tags).size).toBe(tags.length);
    for (const tag of tags)
      expect(tag).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });
});

describe("names that need quoting round-trip", () => {
  const awkward = [
    "It's 'quoted'",
    "a.b",
    "c:d",
    "e=f",
    "Sales (USD) %",
    "Ünïcode naïve",
    "x''y",
    "trailing.'",
  ];
  const input: PowerBiProjectSpecInput = {
    name: "Awkward",
    tables: [
      {
        name: "It's a 'test'.v2: =x",
        fileName: "t.csv",
        columns: awkward.map((name, i) => ({
          name,
          dataType: i % 2 ? "double" : "string",
          sourceColumn: `${name} "src"`,
        })),
      },
    ],
    measures: [
      {
        name: "Sum of 'a.b' = [x]",
        table: "It's a 'test'.v2: =x",
        column: "a.b",
        aggregation: "sum",
        formatString: '0.0 "kg"',
      },
    ],
    pages: [{ name: "P", visuals: [] }],
  };
  const files = tmdlFiles(input);
  const [table] = readTables(files);

  it("table, column and measure names, source columns and format strings come back unchanged", () => {
    expect(table!.name).toBe("It's a 'test'.v2: =x");
    const columns = childrenOf(table!, "column");
    expect(columns.map((c) => c.name)).toEqual(awkward);
    expect(columns.map((c) => c.properties.get("sourceColumn"))).toEqual(awkward.map((n) => `${n} "src"`));
    const [measure] = childrenOf(table!, "measure");
    expect(measure!.name).toBe("Sum of 'a.b' = [x]");
    expect(measure!.value).toBe("SUM('It''s a ''test''.v2: =x'[a.b])");
    expect(measure!.properties.get("formatString")).toBe('0.0 "kg"');
    const m = childrenOf(table!, "partition")[0]!.expressions.get("source")!;
    expect(m).toContain('{"It\'s \'quoted\' ""src""", type text}');
  });

  it("a column named like its DAX escape (]) stays addressable", () => {
    const odd = writePowerBiProject({
      ...input,
      tables: [{ name: "T", fileName: "t.csv", columns: [{ name: "a]b", dataType: "int64" }] }],
      measures: [{ name: "S", table: "T", column: "a]b", aggregation: "sum" }],
    });
    const text = String(odd.get("Awkward.SemanticModel/definition/tables/T.tmdl"));
    expect(childrenOf(parseTmdl(text)[0]!, "measure")[0]!.value).toBe("SUM('T'[a]]b])");
  });
});

it("the example model's files are where the project format puts them", () => {
  const paths = [...writePowerBiProject(EXAMPLE_SPEC).keys()].filter((p) => p.startsWith(MODEL));
  expect(paths.map((p) => p.slice(MODEL.length))).toEqual([
    "database.tmdl",
    "expressions.tmdl",
    "model.tmdl",
    "relationships.tmdl",
    "tables/O'Brien's Customers.tmdl",
    "tables/Sales.tmdl",
  ]);
});

describe("the test's TMDL reader", () => {
  it("rejects what the grammar forbids: space indentation, a property too deep, an unterminated name", () => {
    expect(() => parseTmdl("table T\n    column x\n")).toThrow(/tabs/);
    expect(() => parseTmdl("table T\n\t\tlineageTag: x\n")).toThrow(/too deep/);
    expect(() => parseTmdl("table 'T\n")).toThrow(/unterminated/);
    expect(() => parseTmdl("table T\n\tcolumn A\n\t\tdataType string\n")).toThrow(/cannot read/);
  });
});
