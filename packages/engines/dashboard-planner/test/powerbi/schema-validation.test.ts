import { existsSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import {
  KIND_RULES,
  type PowerBiVisualInput,
  SCHEMA_URL,
  VISUAL_KINDS,
  type VisualKind,
  writePowerBiProject,
} from "../../src/powerbi/index.ts";
import { EXAMPLE_DATA, EXAMPLE_SPEC } from "./example.ts";
import { describeErrors, listFiles, loadSchemas, REFERENCE_DIR, SCHEMA_DIR } from "./json-schemas.ts";

const schemas = loadSchemas();
const files = writePowerBiProject(EXAMPLE_SPEC, EXAMPLE_DATA);
const JSON_FILE = /(\.json|\.pbir|\.pbism|\.pbip|\/\.platform)$/;
const jsonFiles = [...files].filter(([path]) => JSON_FILE.test(path) && !path.startsWith("data/"));

function validate(document: Record<string, unknown>) {
  const check = schemas.validator(String(document.$schema));
  if (!check) throw new Error(`no local copy of the schema ${String(document.$schema)}`);
  const valid = check(document);
  return { valid, errors: describeErrors(check.errors) };
}

describe("generated Power BI files against Microsoft's JSON schemas", () => {
  it("writes every JSON file kind of a PBIR project", () => {
    const kinds = jsonFiles.map(([path]) => path.replace(/^.*\//, ""));
    for (const kind of [
      ".pbip",
      ".platform",
      "definition.pbir",
      "definition.pbism",
      "version.json",
      "report.json",
    ])
      expect(kinds.some((k) => k.endsWith(kind))).toBe(true);
    expect(kinds.filter((k) => k === "page.json")).toHaveLength(2);
    expect(kinds.filter((k) => k === "visual.json")).toHaveLength(11);
  });

  it.each(jsonFiles.map(([path, content]) => [path, content]))(
    "%s validates against its $schema",
    (_path, content) => {
      const document = JSON.parse(String(content));
      expect(Object.values(SCHEMA_URL)).toContain(document.$schema);
      const { valid, errors } = validate(document);
      expect(errors).toBe("");
      expect(valid).toBe(true);
    },
  );

  it("every schema the writer names has a local copy", () => {
    for (const url of Object.values(SCHEMA_URL)) expect(schemas.validator(url), url).toBeDefined();
  });

  const visuals = jsonFiles.filter(([path]) => path.endsWith("visual.json"));
  // biome-ignore lint/suspicious/noExplicitAny: the tests reach into parsed visual.json on purpose
  type Doc = Record<string, any>;
  const visualOf = (predicate: (v: Doc) => boolean): Doc =>
    JSON.parse(String(visuals.map(([, c]) => c).find((c) => predicate(JSON.parse(String(c))))));

  it("rejects a visual whose projections sit under query instead of queryState", () => {
    const broken = visualOf((v) => v.visual.visualType === "clusteredBarChart");
    broken.visual.query.Category = broken.visual.query.queryState.Category;
    const { valid, errors } = validate(broken);
    expect(valid).toBe(false);
    expect(errors).toMatch(/\/visual\/query must NOT have additional properties.*"Category"/);
  });

  it("rejects a visual without a position, a sort without a direction, and an unknown filter type", () => {
    const noPosition = visualOf((v) => v.visual.visualType === "lineChart");
    delete noPosition.position;
    expect(validate(noPosition).errors).toMatch(/must have required property 'position'/);

    const noDirection = visualOf((v) => v.visual.visualType === "lineChart");
    delete noDirection.visual.query.sortDefinition.sort[0].direction;
    expect(validate(noDirection).errors).toMatch(
      /sortDefinition\/sort\/0 must have required property 'direction'/,
    );

    const badFilter = visualOf((v) => v.visual.visualType === "clusteredBarChart");
    badFilter.filterConfig.filters[0].type = "Top5";
    expect(validate(badFilter).valid).toBe(false);
    expect(validate(badFilter).errors).toMatch(/filterConfig\/filters\/0\/type/);
  });

  it("rejects a field expression that is both a column and a measure", () => {
    const broken = visualOf((v) => v.visual.visualType === "cardVisual");
    const projection = broken.visual.query.queryState.Data.projections[0];
    projection.field.Column = { Expression: { SourceRef: { Entity: "Sales" } }, Property: "Amount" };
    expect(validate(broken).valid).toBe(false);
  });

  it("rejects a page with an unknown display option and a version.json with a bad version", () => {
    const page = JSON.parse(String(jsonFiles.find(([p]) => p.endsWith("page.json"))![1]));
    page.displayOption = "Stretch";
    expect(validate(page).valid).toBe(false);
    const version = JSON.parse(String(files.get("Sales Overview.Report/definition/version.json")));
    version.version = "2.0.1";
    expect(validate(version).errors).toMatch(/must match pattern/);
  });
});

describe("the schema copies", () => {
  it("are Microsoft's files unchanged (when ../shared/reference is checked out beside the repo)", (ctx) => {
    if (!existsSync(REFERENCE_DIR)) ctx.skip();
    const copies = listFiles(SCHEMA_DIR).filter((f) => !relative(SCHEMA_DIR, f).startsWith("upstream"));
    expect(copies.length).toBe(12);
    for (const copy of copies)
      expect(readFileSync(copy, "utf8"), copy).toBe(
        readFileSync(join(REFERENCE_DIR, relative(SCHEMA_DIR, copy)), "utf8"),
      );
  });
});

describe("every visual kind, with every role it takes", () => {
  const column = (c: string) => ({ table: "Sales", column: c });
  const full: Record<string, Record<string, unknown[]>> = {
    cartesian: {
      Category: [column("Region")],
      Y: [{ measure: "Total Sales" }],
      Series: [column("Is Returned")],
    },
    card: { Values: [{ measure: "Total Sales" }, { measure: "Orders" }] },
    scatterChart: {
      Category: [column("Order ID")],
      X: [{ measure: "Orders" }],
      Y: [{ measure: "Total Sales" }],
      Size: [{ measure: "Median Quantity" }],
      Series: [column("Region")],
    },
    table: { Values: [column("Region"), { measure: "Total Sales" }] },
    matrix: {
      Rows: [column("Region")],
      Columns: [column("Is Returned")],
      Values: [{ measure: "Total Sales" }],
    },
    map: {
      Location: [{ table: "O'Brien's Customers", column: "State" }],
      Size: [{ measure: "Total Sales" }],
      Series: [column("Region")],
    },
    histogram: { X: [column("Quantity")], Y: [{ measure: "Orders" }] },
    slicer: { Values: [column("Order Date")] },
  };
  const bindingsOf = (kind: VisualKind) =>
    full[kind] ??
    (kind === "filledMap"
      ? full.map
      : KIND_RULES[kind].rankedRole === "Category"
        ? full.cartesian
        : undefined);
  const spec = structuredClone(EXAMPLE_SPEC);
  spec.pages = [
    {
      name: "All kinds",
      widthPx: 1600,
      heightPx: 900,
      visuals: VISUAL_KINDS.map((kind, i) => ({
        kind,
        title: `A ${kind}`,
        xPx: (i % 6) * 260,
        yPx: Math.floor(i / 6) * 300,
        widthPx: 250,
        heightPx: 290,
        bindings: bindingsOf(kind)!,
        ...(kind === "histogram" ? { binWidth: 5 } : {}),
        ...(kind === "slicer" ? { slicerMode: "between" as const } : {}),
        ...(KIND_RULES[kind].rankedRole ? { topN: { count: 3, by: { measure: "Median Quantity" } } } : {}),
      })) as PowerBiVisualInput[],
    },
  ];
  const visuals = [...writePowerBiProject(spec)].filter(([p]) => p.endsWith("visual.json"));

  it("writes one visual per kind", () => {
    expect(visuals).toHaveLength(VISUAL_KINDS.length);
  });

  it.each(visuals)("%s validates", (_path, content) => {
    const { valid, errors } = validate(JSON.parse(String(content)));
    expect(errors).toBe("");
    expect(valid).toBe(true);
  });
});
