import { randomUUID } from "node:crypto";
import { MODELS } from "@modelworks/catalog";
import { ModelInputError, NUL_KEY_MESSAGE, NUL_MESSAGE, parseInput } from "@modelworks/model-kit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Actor, createOwner, createTestApp, request } from "./harness.ts";

/**
 * Issue 19 item 5: a NUL (U+0000) anywhere in a request used to reach PostgreSQL (or PGlite),
 * which cannot store it, and came back as a 500. Now one rule refuses it with a 422 naming the field.
 */
const t = await createTestApp();
afterAll(async () => t.close());
let owner: Actor & { orgId: string };
beforeAll(async () => {
  owner = await createOwner(t.app, "Nul Org");
});
const call = (method: "GET" | "POST" | "PATCH" | "PUT" | "DELETE", url: string, payload?: unknown) =>
  request(t.app, owner, { method, url, ...(payload === undefined ? {} : { payload }) });

type Schema = {
  $ref?: string;
  type?: string | string[];
  format?: string;
  pattern?: string;
  properties?: Record<string, Schema>;
  additionalProperties?: boolean | Schema;
  items?: Schema;
  anyOf?: Schema[];
  oneOf?: Schema[];
  allOf?: Schema[];
  enum?: unknown[];
};
type Parameter = { in: "path" | "query" | "header"; name: string; schema: Schema };
type Operation = {
  parameters?: Parameter[];
  requestBody?: { content: Record<string, { schema: Schema }> };
};
type Document = {
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, Schema> };
};

/**
 * Every place a string can go in a schema, as paths of keys (`0` for an array item, `k` for a
 * record's key). A schema that allows anything (`{}`, e.g. a model input) takes a string too.
 */
function stringSlots(doc: Document, schema: Schema, depth = 0): string[][] {
  if (depth > 8) return [];
  if (schema.$ref) return stringSlots(doc, doc.components.schemas[schema.$ref.split("/").pop()!]!, depth + 1);
  const types = schema.type === undefined ? [] : [schema.type].flat();
  const out: string[][] = [];
  const composite = [...(schema.anyOf ?? []), ...(schema.oneOf ?? []), ...(schema.allOf ?? [])];
  for (const s of composite) out.push(...stringSlots(doc, s, depth + 1));
  if (types.includes("string")) out.push([]);
  if (schema.properties) {
    for (const [k, s] of Object.entries(schema.properties))
      out.push(...stringSlots(doc, s, depth + 1).map((p) => [k, ...p]));
  }
  if (schema.additionalProperties && typeof schema.additionalProperties === "object")
    out.push(...stringSlots(doc, schema.additionalProperties, depth + 1).map((p) => ["k", ...p]));
  if (schema.items) out.push(...stringSlots(doc, schema.items, depth + 1).map((p) => ["0", ...p]));
  if (!types.length && !composite.length && !schema.properties && !schema.enum) out.push([]);
  return out;
}

/** `value` placed at `path` in an otherwise empty document. */
function placeAt(path: string[], value: unknown): unknown {
  if (!path.length) return value;
  const [head, ...rest] = path;
  return head === "0" ? [placeAt(rest, value)] : { [head!]: placeAt(rest, value) };
}

const NUL_TEXT = "a\u0000b";

interface Case {
  name: string;
  method: string;
  url: string;
  payload?: unknown;
  expectedPath: string;
}

function casesFrom(doc: Document): Case[] {
  const cases: Case[] = [];
  for (const [template, methods] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(methods)) {
      const params = op.parameters ?? [];
      // A well-formed value for every path parameter, so only the NUL is wrong.
      const filler = (p: Parameter) =>
        p.schema.format === "uuid" ? randomUUID() : p.name === "id" && p.schema.pattern ? "deal-picker" : "x";
      const urlWith = (target: Parameter | null, query: string) =>
        template.replace(/\{(\w+)\}/g, (_, name: string) => {
          const p = params.find((x) => x.in === "path" && x.name === name)!;
          return p === target ? encodeURIComponent(NUL_TEXT) : filler(p);
        }) + query;
      const seen = new Set<string>();
      const add = (c: Case) => {
        const key = `${c.method} ${c.url} ${c.expectedPath}`;
        if (seen.has(key)) return;
        seen.add(key);
        cases.push(c);
      };
      const M = method.toUpperCase();
      for (const p of params) {
        if (p.in === "header" || !stringSlots(doc, p.schema).some((s) => s.length === 0)) continue;
        const url =
          p.in === "path" ? urlWith(p, "") : urlWith(null, `?${p.name}=${encodeURIComponent(NUL_TEXT)}`);
        const expectedPath = `${p.in === "path" ? "params" : "query"}.${p.name}`;
        add({ name: `${M} ${template} ${expectedPath}`, method: M, url, expectedPath });
      }
      const body = op.requestBody?.content["application/json"]?.schema;
      if (!body) continue;
      for (const slot of stringSlots(doc, body)) {
        const expectedPath = ["body", ...slot].join(".");
        add({
          name: `${M} ${template} ${expectedPath}`,
          method: M,
          url: urlWith(null, ""),
          payload: placeAt(slot, NUL_TEXT),
          expectedPath: expectedPath,
        });
      }
    }
  }
  return cases;
}

describe("a NUL anywhere in a request", () => {
  let cases: Case[];
  beforeAll(async () => {
    const res = await t.app.inject({ method: "GET", url: "/api/v1/openapi.json" });
    cases = casesFrom(res.json());
  });

  it("is a 422 naming the field, in every string of every route's params, query and body (from the OpenAPI)", async () => {
    // The walk must find what the issue reported, and far more.
    const names = cases.map((c) => c.name);
    expect(names).toEqual(
      expect.arrayContaining([
        "GET /api/v1/projects query.q",
        "POST /api/v1/projects body.description",
        "POST /api/v1/field-mappings body.columns.0.valueMap.k",
        "POST /api/v1/models/{id}/runs body.input",
        "GET /api/v1/projects/{id} params.id",
      ]),
    );
    expect(cases.length).toBeGreaterThan(150);
    const wrong: string[] = [];
    for (const c of cases) {
      const res = await t.app.inject({
        method: c.method as "GET",
        url: c.url,
        headers: { cookie: owner.cookie, "x-csrf-token": owner.csrf },
        ...(c.payload === undefined ? {} : { payload: c.payload as object }),
      });
      const errors = String(res.headers["content-type"]).startsWith("application/problem+json")
        ? (res.json().errors ?? [])
        : [];
      const named = errors.some(
        (e: { path: string; message: string }) => e.path === c.expectedPath && e.message === NUL_MESSAGE,
      );
      if (res.statusCode !== 422 || !named)
        wrong.push(`${c.name}: ${res.statusCode} ${res.body.slice(0, 200)}`);
    }
    expect(wrong).toEqual([]);
  });

  it("is refused in the reported places with an otherwise valid request, and nothing is stored", async () => {
    const created = await call("POST", "/api/v1/projects", { name: "Riverside", description: NUL_TEXT });
    expect(created.statusCode).toBe(422);
    expect(created.headers["content-type"]).toMatch(/^application\/problem\+json/);
    expect(created.json().errors).toEqual([{ path: "body.description", message: NUL_MESSAGE }]);
    const search = await call("GET", "/api/v1/projects?q=%00");
    expect(search.statusCode).toBe(422);
    expect(search.json().errors).toEqual([{ path: "query.q", message: NUL_MESSAGE }]);
    expect((await call("GET", "/api/v1/projects")).json().total).toBe(0);

    const project = await call("POST", "/api/v1/projects", { name: "Riverside" });
    expect(project.statusCode).toBe(201);
    const patched = await call("PATCH", `/api/v1/projects/${project.json().id}`, { description: NUL_TEXT });
    expect(patched.statusCode).toBe(422);
    expect((await call("GET", `/api/v1/projects/${project.json().id}`)).json().description).toBe("");

    const mapping = (valueMap: Record<string, unknown>) => ({
      name: "Broker",
      modelId: "deal-picker",
      field: "deals",
      columns: [{ target: "id", source: "Deal ID", valueMap }],
    });
    expect((await call("POST", "/api/v1/field-mappings", mapping({ Y: "yes" }))).statusCode).toBe(201);
    const badValue = await call("POST", "/api/v1/field-mappings", mapping({ Y: NUL_TEXT }));
    expect(badValue.statusCode).toBe(422);
    expect(badValue.json().errors).toEqual([{ path: "body.columns.0.valueMap.Y", message: NUL_MESSAGE }]);
    const badKey = await call("POST", "/api/v1/field-mappings", mapping({ [NUL_TEXT]: "yes" }));
    expect(badKey.statusCode).toBe(422);
    expect(badKey.json().errors).toEqual([
      { path: "body.columns.0.valueMap.a\\0b", message: NUL_KEY_MESSAGE },
    ]);
    expect((await call("GET", "/api/v1/field-mappings")).json().total).toBe(1);

    // A deal's name in a model input (stored as jsonb, which refuses \u0000 too).
    const model = MODELS.find((m) => m.id === "deal-picker")!;
    const input = structuredClone(model.examples[0]!.input) as { deals: { name: string }[] };
    input.deals[0]!.name = NUL_TEXT;
    const run = await call("POST", "/api/v1/models/deal-picker/runs", { input });
    expect(run.statusCode).toBe(422);
    expect(run.json().errors).toEqual([{ path: "body.input.deals.0.name", message: NUL_MESSAGE }]);
    expect((await call("GET", "/api/v1/runs")).json().total).toBe(0);
  });

  it("in a header is refused too, and an unauthenticated caller still gets 401 first", async () => {
    const res = await request(t.app, owner, {
      method: "GET",
      url: "/api/v1/projects",
      headers: { "x-client-note": NUL_TEXT },
    });
    expect(res.statusCode).toBe(422);
    expect(res.json().errors).toEqual([{ path: "headers.x-client-note", message: NUL_MESSAGE }]);
    const anonymous = await request(t.app, null, { method: "GET", url: "/api/v1/projects?q=%00" });
    expect(anonymous.statusCode).toBe(401);
  });
});

describe("every hosted model's input", () => {
  it("refuses a NUL in any of its strings at model-kit level (also the CLI's and the worker's path)", () => {
    let checked = 0;
    for (const model of MODELS) {
      for (const example of model.examples) {
        const path = firstStringPath(example.input);
        if (!path) continue;
        const input = structuredClone(example.input);
        setAt(input, path, NUL_TEXT);
        let err: unknown;
        try {
          parseInput(model, input);
        } catch (e) {
          err = e;
        }
        expect(err, `${model.id} ${example.name}`).toBeInstanceOf(ModelInputError);
        expect((err as ModelInputError).issues).toEqual([{ path: path.join("."), message: NUL_MESSAGE }]);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(5);
  });
});

function firstStringPath(v: unknown, path: string[] = []): string[] | null {
  if (typeof v === "string") return path;
  if (v && typeof v === "object") {
    for (const [k, x] of Object.entries(v)) {
      const p = firstStringPath(x, [...path, k]);
      if (p) return p;
    }
  }
  return null;
}

function setAt(o: unknown, path: string[], value: unknown) {
  const parent = path
    .slice(0, -1)
    .reduce<Record<string, unknown>>((x, k) => x[k] as Record<string, unknown>, o as Record<string, unknown>);
  parent[path.at(-1)!] = value;
}
