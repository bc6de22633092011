import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { normalizeName, parseNumber, transform, unitHint } from "../src/files/mapping.ts";
import { type Actor, createOwner, createTestApp, request } from "./harness.ts";
import { multipart } from "./multipart.ts";

const t = await createTestApp();
afterAll(async () => t.close());
let owner: Actor & { orgId: string };
beforeAll(async () => {
  owner = await createOwner(t.app, "Mapping Org");
});

async function upload(name: string, content: string): Promise<string> {
  const body = multipart(name, content);
  const res = await t.app.inject({
    method: "POST",
    url: "/api/v1/files",
    payload: body.payload,
    headers: { ...body.headers, cookie: owner.cookie, "x-csrf-token": owner.csrf },
  });
  if (res.statusCode !== 201) throw new Error(`upload: ${res.statusCode} ${res.body}`);
  return res.json().id;
}
const call = (method: "GET" | "POST" | "PATCH" | "DELETE", url: string, payload?: unknown) =>
  request(t.app, owner, { method, url, ...(payload === undefined ? {} : { payload }) });

/** A broker's deal list: other names, prices in thousands, Y/N flags, vacancy in percent points. */
const BROKER_CSV = [
  "Deal ID,Deal Name,Asking Price (AED k),NOI,Sector,City,Risk,Must Buy,Vacancy %",
  "D-1,Tower A,12500,900000,Office,Dubai,2,Y,5",
  "D-2,Mall B,-3,400000,Retail,Abu Dhabi,9,N,10",
  "D-3,Depot C,8000,650000,Industrial,Sharjah,3,N,abc",
].join("\n");

describe("mapping a file onto deal-picker's deals", () => {
  let fileId: string;
  let suggestions: { target: string; source: string | null; confidence: number; mapping: object }[];
  beforeAll(async () => {
    fileId = await upload("broker.csv", BROKER_CSV);
    const res = await call("POST", `/api/v1/files/${fileId}/mapping-suggestions`, {
      modelId: "deal-picker",
      field: "deals",
    });
    expect(res.statusCode, res.body).toBe(200);
    suggestions = res.json().suggestions;
  });

  it("suggests a source, transforms and a confidence for every target column", () => {
    const by = Object.fromEntries(suggestions.map((s) => [s.target, s]));
    expect(Object.fromEntries(suggestions.map((s) => [s.target, s.source]))).toEqual({
      id: "Deal ID",
      name: "Deal Name",
      askPrice: "Asking Price (AED k)",
      noi: "NOI",
      sector: "Sector",
      city: "City",
      riskScore: "Risk",
      capex: null,
      transactionCostRate: null,
      vacancyHaircut: "Vacancy %",
      mustBuy: "Must Buy",
      excluded: null,
    });
    expect(by.noi!.confidence).toBe(1);
    expect(by.askPrice!.mapping).toEqual({
      target: "askPrice",
      source: "Asking Price (AED k)",
      cast: "number",
      scale: 1000,
    });
    expect(by.vacancyHaircut!.mapping).toMatchObject({ cast: "number", scale: 0.01 });
    // A text column where a number is needed is still offered, with less confidence.
    expect(by.vacancyHaircut!.confidence).toBeLessThan(by.askPrice!.confidence);
    expect(by.mustBuy!.mapping).toMatchObject({ cast: "boolean" });
  });

  it("reports each bad row by row number, column and the model's own message; returns the good rows", async () => {
    const res = await call("POST", `/api/v1/files/${fileId}/map`, {
      modelId: "deal-picker",
      field: "deals",
      columns: suggestions.map((s) => s.mapping),
    });
    expect(res.statusCode, res.body).toBe(200);
    const out = res.json();
    expect(out).toMatchObject({ valid: false, rowCount: 3, validRowCount: 1, problemCount: 3 });
    expect(out.problems).toEqual([
      { row: 2, column: "askPrice", problem: "the ask price must be more than 0" },
      { row: 2, column: "riskScore", problem: "risk scores run from 0 to 5" },
      { row: 3, column: "vacancyHaircut", problem: 'cannot read "abc" as a number' },
    ]);
    expect(out.rows).toEqual([
      {
        id: "D-1",
        name: "Tower A",
        askPrice: 12_500_000,
        noi: 900_000,
        sector: "Office",
        city: "Dubai",
        riskScore: 2,
        capex: 0,
        vacancyHaircut: 0.05,
        mustBuy: true,
        excluded: false,
      },
    ]);
  });

  it("applies a value map before the cast", async () => {
    const res = await call("POST", `/api/v1/files/${fileId}/map`, {
      modelId: "deal-picker",
      field: "deals",
      columns: [
        { target: "id", source: "Deal ID" },
        { target: "askPrice", source: "NOI", cast: "number" },
        { target: "noi", source: "NOI", cast: "number" },
        { target: "sector", source: "Sector", valueMap: { office: "Offices", retail: "Shops" } },
        { target: "city", source: "City" },
      ],
    });
    const out = res.json();
    expect(out.valid).toBe(true);
    expect(out.rows.map((r: { sector: string }) => r.sector)).toEqual(["Offices", "Shops", "Industrial"]);
  });

  it("names a mapping's unknown target or source without reading rows", async () => {
    const res = await call("POST", `/api/v1/files/${fileId}/map`, {
      modelId: "deal-picker",
      field: "deals",
      columns: [
        { target: "price", source: "Deal ID" },
        { target: "id", source: "Deal Code" },
      ],
    });
    expect(res.json().problems).toEqual([
      { row: null, column: "price", problem: '"price" is not a column of deals' },
      { row: null, column: "id", problem: 'the file has no column "Deal Code"' },
    ]);
  });

  it("refuses a model table that does not exist, naming the ones that do", async () => {
    const res = await call("POST", `/api/v1/files/${fileId}/mapping-suggestions`, {
      modelId: "deal-picker",
      field: "assets",
    });
    expect(res.statusCode).toBe(422);
    expect(res.json().errors).toEqual([
      { path: "body.field", message: 'deal-picker has no input table "assets"; its tables are deals' },
    ]);
  });

  it("finds the tables of debt-stack and leasing-mix", async () => {
    const debt = await call("POST", `/api/v1/files/${fileId}/mapping-suggestions`, {
      modelId: "debt-stack",
      field: "x",
    });
    expect(debt.json().errors[0].message).toMatch(/its tables are tranches, rateScenarios, hedges/);
    const leasing = await call("POST", `/api/v1/files/${fileId}/mapping-suggestions`, {
      modelId: "leasing-mix",
      field: "x",
    });
    expect(leasing.json().errors[0].message).toMatch(/packages/);
  });
});

describe("mapping onto a named standard schema", () => {
  it("lists the schemas and serves their templates", async () => {
    const list = (await call("GET", "/api/v1/standard-schemas")).json();
    expect(list.items.map((s: { name: string }) => s.name)).toEqual([
      "customer-response",
      "linkedin-post-analytics",
    ]);
    const tpl = await call("GET", "/api/v1/standard-schemas/customer-response/template.csv");
    expect(tpl.body.split("\r\n")[0]).toBe(
      "INDIVIDUALID,TARGET,RECENCY,GENDER,AGE,HOMEOWNER,PRES_KIDS,HH_INCOME,HOME_VALUE,NET_WORTH,CREDIT_RATING",
    );
    expect((await call("GET", "/api/v1/standard-schemas/nope/template.csv")).statusCode).toBe(422);
  });

  it("maps a client's customer file the way the mockups do, and validates codes", async () => {
    const fileId = await upload(
      "customers.csv",
      [
        "Customer_ID,Response_Flag,Last_Purchase_Date,Home_Owner,HH_INCOME,Kids",
        "C1,1,2,H,A,TRUE",
        "C2,0,5,R,Z,FALSE",
        "C3,1,7,H,b,",
      ].join("\n"),
    );
    const sug = await call("POST", `/api/v1/files/${fileId}/mapping-suggestions`, {
      schema: "customer-response",
    });
    expect(sug.statusCode, sug.body).toBe(200);
    const body = sug.json();
    expect(body).toMatchObject({
      modelId: null,
      modelVersion: null,
      schema: "customer-response",
      field: "customer-response",
    });
    const pairs = Object.fromEntries(
      body.suggestions
        .filter((s: { source: string | null }) => s.source)
        .map((s: { target: string; source: string }) => [s.target, s.source]),
    );
    expect(pairs).toMatchObject({
      INDIVIDUALID: "Customer_ID",
      TARGET: "Response_Flag",
      RECENCY: "Last_Purchase_Date",
      HOMEOWNER: "Home_Owner",
      HH_INCOME: "HH_INCOME",
      PRES_KIDS: "Kids",
    });
    const columns = [
      ...body.suggestions
        .filter((s: { source: string | null }) => s.source)
        .map((s: { mapping: object }) => s.mapping),
    ];
    const out = (
      await call("POST", `/api/v1/files/${fileId}/map`, { schema: "customer-response", columns })
    ).json();
    expect(out.problems).toEqual([
      { row: 2, column: "HH_INCOME", problem: "a code A to S" },
      { row: 3, column: "RECENCY", problem: "a band from 1 (most recent) to 5" },
    ]);
    expect(out.rows).toEqual([
      { INDIVIDUALID: "C1", TARGET: 1, RECENCY: 2, HOMEOWNER: "H", HH_INCOME: "A", PRES_KIDS: true },
    ]);
    const saved = await call("POST", "/api/v1/field-mappings", {
      name: "Customers",
      schema: "customer-response",
      columns,
    });
    expect(saved.statusCode, saved.body).toBe(201);
    expect(saved.json()).toMatchObject({
      modelId: null,
      schema: "customer-response",
      field: "customer-response",
    });
    const both = await call("POST", `/api/v1/files/${fileId}/mapping-suggestions`, {
      schema: "customer-response",
      modelId: "deal-picker",
    });
    expect(both.statusCode).toBe(422);
    expect(both.json().errors[0]).toMatchObject({
      path: "body.modelId",
      message: "give modelId and field, or schema",
    });
  });
});

describe("templates: one schema, many uses", () => {
  it("serves the deals template generated from the schema", async () => {
    const res = await call("GET", "/api/v1/models/deal-picker/templates/deals.csv");
    expect(res.statusCode).toBe(200);
    expect(res.headers["content-type"]).toMatch(/^text\/csv/);
    expect(res.headers["content-disposition"]).toBe('attachment; filename="deal-picker-deals.csv"');
    expect(res.body).toBe(
      "id,name,askPrice,noi,sector,city,riskScore,capex,transactionCostRate,vacancyHaircut,mustBuy,excluded\r\n",
    );
  });

  it("round-trips: the template with examples, uploaded, maps with full confidence and validates", async () => {
    const tpl = await call("GET", "/api/v1/models/deal-picker/templates/deals.csv?examples=true");
    const lines = tpl.body.trim().split("\r\n");
    expect(lines.length).toBeGreaterThan(1);
    const fileId = await upload("template.csv", tpl.body);
    const sug = (
      await call("POST", `/api/v1/files/${fileId}/mapping-suggestions`, {
        modelId: "deal-picker",
        field: "deals",
      })
    ).json().suggestions as { source: string | null; target: string; confidence: number; mapping: object }[];
    const mapped = sug.filter((s) => s.source !== null);
    expect(mapped.filter((s) => !(s.source === s.target && s.confidence === 1))).toEqual([]);
    const out = (
      await call("POST", `/api/v1/files/${fileId}/map`, {
        modelId: "deal-picker",
        field: "deals",
        columns: mapped.map((s) => s.mapping),
      })
    ).json();
    expect(out.problems).toEqual([]);
    expect(out.valid).toBe(true);
    expect(out.rows).toHaveLength(lines.length - 1);
  });
});

describe("saved mappings", () => {
  it("are created, listed, renamed, applied by id and deleted, per organization", async () => {
    const fileId = await upload("saved.csv", "Code,Price (k),NOI,Sector,City\nS1,5,300,Office,Dubai\n");
    const columns = [
      { target: "id", source: "Code" },
      { target: "askPrice", source: "Price (k)", cast: "number", scale: 1000 },
      { target: "noi", source: "NOI", cast: "number" },
      { target: "sector", source: "Sector" },
      { target: "city", source: "City" },
    ];
    const created = await call("POST", "/api/v1/field-mappings", {
      name: "Broker list",
      modelId: "deal-picker",
      field: "deals",
      columns,
    });
    expect(created.statusCode, created.body).toBe(201);
    const id = created.json().id;
    const dup = await call("POST", "/api/v1/field-mappings", {
      name: "broker LIST",
      modelId: "deal-picker",
      field: "deals",
      columns,
    });
    expect(dup.statusCode).toBe(409);
    const bad = await call("POST", "/api/v1/field-mappings", {
      name: "Bad",
      modelId: "deal-picker",
      field: "deals",
      columns: [{ target: "price", source: "Code" }],
    });
    expect(bad.statusCode).toBe(422);
    expect(bad.json().errors).toEqual([
      { path: "body.columns.0.target", message: '"price" is not a column of deal-picker deals' },
    ]);

    const list = (await call("GET", "/api/v1/field-mappings?modelId=deal-picker")).json();
    expect(list.items.map((m: { name: string }) => m.name)).toEqual(["Broker list"]);
    const renamed = await call("PATCH", `/api/v1/field-mappings/${id}`, { name: "Broker list v2" });
    expect(renamed.json().name).toBe("Broker list v2");

    const out = (
      await call("POST", `/api/v1/files/${fileId}/map`, {
        modelId: "deal-picker",
        field: "deals",
        mappingId: id,
      })
    ).json();
    expect(out.valid).toBe(true);
    expect(out.rows[0]).toMatchObject({ id: "S1", askPrice: 5000, noi: 300 });

    expect((await call("DELETE", `/api/v1/field-mappings/${id}`)).statusCode).toBe(204);
    expect((await call("GET", `/api/v1/field-mappings/${id}`)).statusCode).toBe(404);
    const audit = (await call("GET", "/api/v1/org/audit-events?action=field_mapping.*&limit=10")).json();
    const ofThis = audit.items.filter((e: { targetId: string }) => e.targetId === id);
    expect(ofThis.map((e: { action: string }) => e.action).sort()).toEqual([
      "field_mapping.created",
      "field_mapping.deleted",
      "field_mapping.updated",
    ]);
  });

  it("needs either columns or a mapping id", async () => {
    const fileId = await upload("either.csv", "a\n1\n");
    const res = await call("POST", `/api/v1/files/${fileId}/map`, { modelId: "deal-picker", field: "deals" });
    expect(res.statusCode).toBe(422);
    expect(res.json().errors[0]).toMatchObject({
      path: "body.columns",
      message: "give either columns or mappingId",
    });
  });
});

describe("transforms", () => {
  it("reads numbers as people write them", () => {
    expect(["1,234.5", "$1,200", "(300)", "12.5%", "1 200", "-4e3", "AED"].map(parseNumber)).toEqual([
      1234.5,
      1200,
      -300,
      0.125,
      1200,
      -4000,
      null,
    ]);
  });

  it("casts, scales and maps values; empty cells stay empty so schema defaults apply", () => {
    expect(transform("7", { target: "x", source: "s", cast: "number", scale: 0.01 })).toEqual({
      value: 0.07,
    });
    expect(transform("2.5", { target: "x", source: "s", cast: "integer" })).toEqual({
      error: '"2.5" is not a whole number',
    });
    expect(transform("Yes", { target: "x", source: "s", cast: "boolean" })).toEqual({ value: true });
    expect(transform("maybe", { target: "x", source: "s", cast: "boolean" })).toEqual({
      error: 'cannot read "maybe" as yes/no',
    });
    expect(transform(" ", { target: "x", source: "s", cast: "number" })).toEqual({});
    expect(transform("n/a", { target: "x", source: "s", cast: "number", valueMap: { "N/A": null } })).toEqual(
      {},
    );
  });

  it("reads units from headers", () => {
    expect(unitHint("Rent [000s]")).toMatchObject({ scale: 1000, bare: "Rent" });
    expect(unitHint("Debt (AED m)")).toMatchObject({ scale: 1_000_000, bare: "Debt" });
    expect(unitHint("Occupancy %")).toMatchObject({ scale: 0.01, bare: "Occupancy" });
    expect(unitHint("Price")).toEqual({ bare: "Price" });
    expect(normalizeName("askPrice")).toBe(normalizeName("Ask price"));
  });
});
