import SwaggerParser from "@apidevtools/swagger-parser";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { organizations, runs } from "../src/db/schema.ts";
import { createTestApp, type TestApp } from "./harness.ts";

type Operation = {
  summary?: string;
  tags?: string[];
  "x-access"?: string;
  responses?: Record<string, { content?: Record<string, { schema?: { $ref?: string } }> }>;
};
type Document = {
  openapi: string;
  paths: Record<string, Record<string, Operation>>;
  components?: { schemas?: Record<string, { properties?: Record<string, unknown>; required?: string[] }> };
};

let t: TestApp;
let doc: Document;
beforeAll(async () => {
  t = await createTestApp();
  const res = await t.app.inject({ method: "GET", url: "/api/v1/openapi.json" });
  expect(res.statusCode).toBe(200);
  expect(res.headers["content-type"]).toMatch(/^application\/json/);
  doc = res.json();
});
afterAll(async () => t?.close());

const get = (url: string, headers: Record<string, string> = {}) =>
  t.app.inject({ method: "GET", url, headers });

const operations = () =>
  Object.entries(doc.paths).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, op]) => ({ name: `${method.toUpperCase()} ${path}`, op })),
  );

describe("the OpenAPI document", () => {
  it("is a valid OpenAPI 3.1 document", async () => {
    expect(doc.openapi).toBe("3.1.0");
    await expect(SwaggerParser.validate(structuredClone(doc) as never)).resolves.toBeTruthy();
  });

  it("describes every operation: summary, tags, x-access and a problem+json 4XX response", () => {
    const ops = operations();
    expect(ops.length).toBeGreaterThan(10);
    const accesses = /^(public|user|[a-z]+:[a-z]+)$/;
    const incomplete = ops.filter(
      ({ op }) =>
        !op.summary?.trim() ||
        !op.tags?.length ||
        !accesses.test(op["x-access"] ?? "") ||
        op.responses?.["4XX"]?.content?.["application/problem+json"]?.schema?.$ref !==
          "#/components/schemas/Problem",
    );
    expect(incomplete.map((o) => o.name)).toEqual([]);
  });

  it("declares the Problem schema (RFC 9457) as a component", () => {
    const problem = doc.components?.schemas?.Problem;
    expect(problem).toBeDefined();
    expect(Object.keys(problem!.properties ?? {})).toEqual(
      expect.arrayContaining(["type", "code", "title", "status", "detail", "requestId", "errors"]),
    );
    expect(problem!.required).toEqual(
      expect.arrayContaining(["type", "code", "title", "status", "requestId"]),
    );
  });

  it("is the document Swagger UI loads from /docs/json", async () => {
    const ui = await get("/docs/json");
    expect(ui.statusCode).toBe(200);
    expect(ui.json().paths).toEqual(doc.paths);
  });
});

describe("Swagger UI at /docs", () => {
  it("serves the HTML page with security headers", async () => {
    const res = await get("/docs");
    expect(res.statusCode).toBe(200);
    expect(res.headers["content-type"]).toMatch(/^text\/html/);
    expect(res.body).toContain('<div id="swagger-ui">');
    expect(res.headers["content-security-policy"]).toMatch(/default-src 'self'/);
    expect(res.headers["content-security-policy"]).toMatch(/script-src 'self'/);
    expect(res.headers["x-content-type-options"]).toBe("nosniff");
  });

  it.each(["/docs", "/docs/"])("loads every script and stylesheet the page at %s links", async (page) => {
    const html = (await get(page)).body;
    const assets = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map(([, ref]) => ref!);
    expect(assets.length).toBeGreaterThanOrEqual(5);
    expect(assets).toEqual(expect.arrayContaining([expect.stringMatching(/swagger-initializer\.js$/)]));
    for (const ref of assets) {
      const url = new URL(ref, `http://localhost${page}`);
      const res = await get(url.pathname);
      expect(res.statusCode, `${ref} → ${url.pathname}`).toBe(200);
      expect(res.headers["x-content-type-options"]).toBe("nosniff");
      if (url.pathname.endsWith(".js")) expect(res.headers["content-type"]).toMatch(/javascript/);
      if (url.pathname.endsWith(".css")) expect(res.headers["content-type"]).toMatch(/^text\/css/);
    }
  });

  it("has no inline script the content security policy would block", async () => {
    const html = (await get("/docs/")).body;
    const inline = [...html.matchAll(/<script(?![^>]*\bsrc=)[^>]*>/g)];
    expect(inline).toEqual([]);
    const init = await get("/docs/static/swagger-initializer.js");
    expect(init.body).toContain("./json");
  });
});

describe("operations endpoints", () => {
  it.each(["/health", "/ready"])("GET %s → 200 {status: ok}", async (url) => {
    const res = await get(url);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ status: "ok" });
  });

  it("reports readiness per dependency, with the run queue's depth and oldest wait", async () => {
    const res = await get("/ready");
    expect(res.json().checks.database).toMatchObject({ status: "ok" });
    expect(res.json().checks.queue).toMatchObject({ status: "ok", queuedRuns: 0, oldestQueuedSeconds: 0 });
    if (process.env.REDIS_URL) expect(res.json().checks.redis).toMatchObject({ status: "ok" });

    const { db } = t.database;
    const [org] = await db.insert(organizations).values({ name: "Queue", slug: "queue-depth" }).returning();
    await db.insert(runs).values({
      orgId: org!.id,
      modelId: "test-montecarlo-sum",
      modelVersion: "1.0.0",
      input: {},
      inputHash: "x",
      timeoutMs: 1000,
      createdAt: new Date(Date.now() - 30_000),
    });
    const queue = (await get("/ready")).json().checks.queue;
    expect(queue.queuedRuns).toBe(1);
    expect(queue.oldestQueuedSeconds).toBeGreaterThanOrEqual(30);
    expect(queue.oldestQueuedSeconds).toBeLessThan(60);
  });

  it("exposes Prometheus metrics labelled by route template", async () => {
    await get("/api/v1/projects");
    const res = await get("/metrics");
    expect(res.statusCode).toBe(200);
    expect(res.headers["content-type"]).toMatch(/^text\/plain/);
    const requests = res.body.split("\n").filter((l) => l.startsWith("http_requests_total{"));
    expect(requests.some((l) => l.includes('route="/api/v1/projects"'))).toBe(true);
    expect(requests.some((l) => l.includes('route="/api/v1/projects"') && l.includes('method="GET"'))).toBe(
      true,
    );
    expect(res.body).toMatch(/^http_request_duration_seconds_bucket\{/m);
    expect(res.body).toMatch(/^process_cpu_user_seconds_total /m);
  });

  it("labels an unknown URL as unmatched rather than by its raw path", async () => {
    await get("/no/such/path/4f1e2d");
    const res = await get("/metrics");
    expect(res.body).not.toContain("4f1e2d");
  });

  it("answers an unknown route with a 404 problem carrying the request id", async () => {
    const res = await get("/api/v1/no-such-thing", { "x-request-id": "trace-404-test" });
    expect(res.statusCode).toBe(404);
    expect(res.headers["content-type"]).toMatch(/^application\/problem\+json/);
    expect(res.headers["x-request-id"]).toBe("trace-404-test");
    expect(res.json()).toMatchObject({
      title: "Not Found",
      status: 404,
      detail: "No route GET /api/v1/no-such-thing.",
      requestId: "trace-404-test",
    });
  });
});
