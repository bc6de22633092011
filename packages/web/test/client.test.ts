import { QueryClient } from "@tanstack/react-query";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../../server/test/harness.ts";
import { ApiError, call, errorMessage, hasCode, isTransient, setCsrfToken } from "../src/api.ts";
import { pathOf } from "../src/client/endpoint.ts";
import * as endpoints from "../src/client/endpoints.ts";
import { queryKeys, SESSION_INDEPENDENT } from "../src/client/query-keys.ts";

/**
 * The typed client: endpoints declared once (client/endpoints.ts), requests built from them,
 * refusals read by their code, and one query-key factory for reads and invalidations.
 */
describe("declared endpoints", () => {
  let t: TestApp;
  let operations: Set<string>;
  beforeAll(async () => {
    t = await createTestApp();
    const doc = (await t.app.inject({ method: "GET", url: "/api/v1/openapi.json" })).json() as {
      paths: Record<string, Record<string, unknown>>;
    };
    operations = new Set(
      Object.entries(doc.paths).flatMap(([path, ops]) =>
        Object.keys(ops).map(
          (m) => `${m.toUpperCase()} ${path.replace(/^\/api\/v1/, "").replace(/\{(\w+)\}/g, ":$1")}`,
        ),
      ),
    );
  }, 60_000);
  afterAll(() => t?.close());

  it("are all operations of the server's published OpenAPI, method and path", () => {
    const declared = Object.values(endpoints).map((e) => `${e.method} ${e.path}`);
    expect(declared.length).toBeGreaterThan(50);
    expect(declared.filter((d) => !operations.has(d))).toEqual([]);
  });
});

describe("call()", () => {
  const sent: { url: string; init: RequestInit }[] = [];
  let answer: () => Response = () => new Response(null, { status: 204 });
  const realFetch = globalThis.fetch;
  beforeAll(() => {
    globalThis.fetch = (async (url: string, init: RequestInit) => {
      sent.push({ url, init });
      return answer();
    }) as typeof fetch;
  });
  afterAll(() => {
    globalThis.fetch = realFetch;
  });
  afterEach(() => {
    sent.length = 0;
    setCsrfToken(null);
  });
  const json = (status: number, body: unknown, type = "application/json") =>
    new Response(JSON.stringify(body), { status, headers: { "content-type": type } });

  it("fills path parameters (encoded), writes the query and sends the body and CSRF token", async () => {
    answer = () => json(200, { id: "s1", revision: 3 });
    setCsrfToken("tok");
    const s = await call(endpoints.updateScenario, {
      params: { id: "a/b c" },
      body: { input: { x: 1 }, baseRevision: 2 },
    });
    expect(s).toEqual({ id: "s1", revision: 3 });
    expect(sent[0]!.url).toBe("/api/v1/scenarios/a%2Fb%20c");
    expect(sent[0]!.init.method).toBe("PATCH");
    expect((sent[0]!.init.headers as Record<string, string>)["x-csrf-token"]).toBe("tok");
    expect(JSON.parse(String(sent[0]!.init.body))).toEqual({ input: { x: 1 }, baseRevision: 2 });

    answer = () => json(200, { items: [], total: 0, limit: 50, offset: 0 });
    await call(endpoints.runs, { query: { limit: 50, projectId: undefined, scenarioId: "x" } });
    expect(sent[1]!.url).toBe("/api/v1/runs?limit=50&scenarioId=x");
    // GETs carry no CSRF token and no body.
    expect((sent[1]!.init.headers as Record<string, string>)["x-csrf-token"]).toBeUndefined();
    expect(sent[1]!.init.body).toBeUndefined();
  });

  it("answers undefined for a 204", async () => {
    answer = () => new Response(null, { status: 204 });
    await expect(call(endpoints.revokeShareLink, { params: { id: "l1" } })).resolves.toBeUndefined();
    expect(sent[0]!.init.method).toBe("DELETE");
  });

  it("throws the problem as an ApiError carrying its code", async () => {
    answer = () =>
      json(
        409,
        { title: "Conflict", status: 409, code: "revision_conflict", detail: "at revision 4" },
        "application/problem+json",
      );
    const err = await call(endpoints.scenario, { params: { id: "s1" } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).code).toBe("revision_conflict");
    expect(hasCode(err, "revision_conflict")).toBe(true);
    expect(hasCode(err, "conflict")).toBe(false);
    expect(errorMessage(err)).toBe("at revision 4");
  });

  it("reads a problem without a code by its status's generic code; no answer is network_error", async () => {
    answer = () => json(409, { title: "Conflict", status: 409 });
    const plain = await call(endpoints.session).catch((e: unknown) => e);
    expect((plain as ApiError).code).toBe("conflict");
    // A 409 is not recognised as a revision conflict unless the server says so.
    expect(hasCode(plain, "revision_conflict")).toBe(false);
    answer = () => {
      throw new TypeError("fetch failed");
    };
    const down = await call(endpoints.session).catch((e: unknown) => e);
    expect((down as ApiError).code).toBe("network_error");
    expect(isTransient(down)).toBe(true);
  });
});

describe("codes, not statuses", () => {
  it("words a session end and a rate limit by code", () => {
    expect(errorMessage(new ApiError(401, { code: "unauthenticated" }))).toBe(
      "Your session has ended. Sign in again.",
    );
    expect(errorMessage(new ApiError(429, { code: "rate_limited" }))).toMatch(/Too many requests/);
    expect(errorMessage(new ApiError(429, { code: "rate_limited", detail: "Wait 30 s." }))).toBe(
      "Wait 30 s.",
    );
  });

  it("retries by itself only the network and the server's own faults", () => {
    expect(isTransient(new ApiError(503, { code: "unavailable" }))).toBe(true);
    expect(isTransient(new ApiError(500, {}))).toBe(true);
    expect(isTransient(new ApiError(502, {}))).toBe(true);
    for (const code of [
      "validation_failed",
      "not_found",
      "forbidden",
      "rate_limited",
      "revision_conflict",
    ] as const)
      expect(isTransient(new ApiError(400, { code }))).toBe(false);
  });
});

describe("query keys", () => {
  it("share a family prefix, so invalidating the family refreshes every key of it and no other", async () => {
    const qc = new QueryClient();
    qc.setQueryData(queryKeys.scenario("o1", "s1"), 1);
    qc.setQueryData(queryKeys.scenario("o1", "s2"), 2);
    qc.setQueryData(queryKeys.scenarios("o1", "p1"), 3);
    await qc.invalidateQueries({ queryKey: queryKeys.scenario.all });
    const stale = (k: readonly unknown[]) => qc.getQueryState(k)!.isInvalidated;
    expect(stale(queryKeys.scenario("o1", "s1"))).toBe(true);
    expect(stale(queryKeys.scenario("o1", "s2"))).toBe(true);
    expect(stale(queryKeys.scenarios("o1", "p1"))).toBe(false);
  });

  it("keep only the session and the public catalog across a change of organization", () => {
    expect(SESSION_INDEPENDENT).toEqual(["session", "models", "model"]);
    expect(queryKeys.model("tif", "latest")).toEqual(["model", "tif", "latest"]);
    expect(queryKeys.run("o1", "r1")).toEqual(["run", "o1", "r1"]);
  });

  it("fill paths or refuse a missing parameter", () => {
    expect(pathOf("/scenarios/:id/revisions/:revision", { id: "s1", revision: 3 })).toBe(
      "/scenarios/s1/revisions/3",
    );
    expect(() => pathOf("/runs/:id", {})).toThrow(/missing path parameter id/);
  });
});
