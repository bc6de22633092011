import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runs } from "../src/db/schema.ts";
import { inputHash } from "../src/runs/canonical.ts";
import { type Actor, addMember, createOwner, createTestApp, request, type TestApp } from "./harness.ts";

let t: TestApp;
let owner: Actor & { orgId: string };
let viewer: Actor & { orgId: string };
const MODEL = "test-montecarlo-sum";
const input = {
  terms: [
    { mean: 10, sd: 2 },
    { mean: 5, sd: 1 },
  ],
  samples: 20_000,
  seed: 3,
};

beforeAll(async () => {
  t = await createTestApp(
    { INTERNAL_MODELS: "true", RUN_HEARTBEAT_MS: "100", RUN_POLL_MS: "200" },
    { worker: true },
  );
  owner = await createOwner(t.app, "Runs Org");
  viewer = await addMember(t.app, owner, "viewer");
});
afterAll(async () => t?.close());

const start = (body: unknown, query = "", as: Actor | string = owner) =>
  request(t.app, as, { method: "POST", url: `/api/v1/models/${MODEL}/runs${query}`, payload: body });

describe("runs", () => {
  it("runs the model in a worker thread and returns the finished run within ?wait", async () => {
    const res = await start({ input }, "?wait=20&cache=false");
    expect(res.statusCode).toBe(200);
    const run = res.json();
    expect(res.headers.location).toBe(`/api/v1/runs/${run.id}`);
    expect(run).toMatchObject({
      status: "succeeded",
      progress: 1,
      modelVersion: "1.0.0",
      cacheHit: false,
      attempts: 1,
    });
    expect(run.output.analyticMean).toBe(15);
    expect(run.output.analyticSd).toBeCloseTo(Math.sqrt(5), 12);
    expect(Math.abs(run.output.mean - 15)).toBeLessThan(0.05);
    // The snapshot is the validated input, defaults filled in; the hash is of that.
    expect(run.input).toEqual({ ...input, pauseMsPerChunk: 0, failure: "none" });
    expect(run.inputHash).toBe(inputHash({ ...input, pauseMsPerChunk: 0, failure: "none" }));
    expect(run.durationMs).toBeGreaterThanOrEqual(0);
  });

  it("serves an identical input from the cache, marked as a hit, and recomputes with cache=false", async () => {
    const first = (await start({ input: { ...input, seed: 77 } }, "?wait=20")).json();
    expect(first.cacheHit).toBe(false);
    // Same input, keys in another order and a default spelled out: the same canonical input.
    const reordered = { pauseMsPerChunk: 0, seed: 77, samples: input.samples, terms: input.terms };
    const hit = await start({ input: reordered });
    expect(hit.statusCode).toBe(200);
    expect(hit.json()).toMatchObject({ status: "succeeded", cacheHit: true, cachedFromRunId: first.id });
    expect(hit.json().output).toEqual(first.output);
    const fresh = (await start({ input: reordered }, "?cache=false&wait=20")).json();
    expect(fresh.cacheHit).toBe(false);
    expect(fresh.id).not.toBe(first.id);
  });

  it("never serves a deleted run's result from the cache", async () => {
    const once = { input: { ...input, seed: 4242 } };
    const first = (await start(once, "?wait=20")).json();
    expect((await start(once)).json()).toMatchObject({ cacheHit: true, cachedFromRunId: first.id });
    const del = await request(t.app, owner, { method: "DELETE", url: `/api/v1/runs/${first.id}` });
    expect(del.statusCode).toBe(204);
    const after = (await start(once, "?wait=20")).json();
    expect(after.cacheHit).toBe(false);
    expect(after.output).toEqual(first.output);
  });

  it("answers 202 with Location when the run outlasts ?wait, and reports progress", async () => {
    const res = await start({ input: { ...input, samples: 200_000, pauseMsPerChunk: 30 } }, "?cache=false");
    expect(res.statusCode).toBe(202);
    const id = res.json().id;
    let run = res.json();
    for (let i = 0; i < 200 && run.status !== "succeeded"; i++) {
      await new Promise((r) => setTimeout(r, 50));
      run = (await request(t.app, viewer, { method: "GET", url: `/api/v1/runs/${id}` })).json();
    }
    expect(run.status).toBe("succeeded");
  });

  it("cancels a running run; canceling again is 409", async () => {
    const res = await start({ input: { ...input, samples: 2_000_000, pauseMsPerChunk: 50 } }, "?cache=false");
    const id = res.json().id;
    for (let i = 0; i < 100; i++) {
      const r = (await request(t.app, owner, { method: "GET", url: `/api/v1/runs/${id}` })).json();
      if (r.status === "running" && r.progress > 0) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    const cancel = await request(t.app, owner, { method: "POST", url: `/api/v1/runs/${id}/cancel` });
    expect([200, 202]).toContain(cancel.statusCode);
    const done = await request(t.app, owner, { method: "GET", url: `/api/v1/runs/${id}` });
    let run = done.json();
    for (let i = 0; i < 100 && run.status !== "canceled"; i++) {
      await new Promise((r) => setTimeout(r, 50));
      run = (await request(t.app, owner, { method: "GET", url: `/api/v1/runs/${id}` })).json();
    }
    expect(run.status).toBe("canceled");
    expect(run.output).toBeNull();
    const again = await request(t.app, owner, { method: "POST", url: `/api/v1/runs/${id}/cancel` });
    expect(again.statusCode).toBe(409);
    expect(again.json().detail).toBe("The run has already been canceled.");
  });

  it("rejects invalid input with 422 naming each field and records nothing", async () => {
    const before = await t.database.db.select().from(runs);
    const res = await start({ input: { terms: [{ mean: "ten", sd: -1 }], samples: 0 } });
    expect(res.statusCode).toBe(422);
    expect(res.json().errors).toEqual([
      { path: "body.input.terms.0.mean", message: "Invalid input: expected number, received string" },
      { path: "body.input.terms.0.sd", message: "must be 0 or more" },
      { path: "body.input.samples", message: "Too small: expected number to be >=1" },
    ]);
    expect(await t.database.db.select().from(runs)).toHaveLength(before.length);
  });

  it("404s an unknown model or version; viewers cannot start runs", async () => {
    const unknown = await request(t.app, owner, {
      method: "POST",
      url: "/api/v1/models/no-such-model/runs",
      payload: { input: {} },
    });
    expect(unknown.statusCode).toBe(404);
    const version = await start({ input, version: "9.9.9" });
    expect(version.statusCode).toBe(404);
    expect(version.json().detail).toBe(`Model ${MODEL} version 9.9.9 not found.`);
    expect((await start({ input }, "", viewer)).statusCode).toBe(403);
  });

  it("streams progress and the final status as server-sent events", async () => {
    const res = await start({ input: { ...input, samples: 200_000, pauseMsPerChunk: 40 } }, "?cache=false");
    const id = res.json().id;
    await t.app.listen({ port: 0, host: "127.0.0.1" });
    const address = t.app.server.address() as { port: number };
    const sse = await fetch(`http://127.0.0.1:${address.port}/api/v1/runs/${id}/events`, {
      headers: { cookie: viewer.cookie },
    });
    expect(sse.headers.get("content-type")).toMatch(/^text\/event-stream/);
    const text = await sse.text();
    const events = text
      .split("\n\n")
      .filter((b) => b.startsWith("event:"))
      .map((b) => ({ event: /event: (\w+)/.exec(b)![1], data: JSON.parse(/data: (.*)/.exec(b)![1]!) }));
    const progress = events.filter((e) => e.event === "progress").map((e) => e.data.progress);
    expect(progress.length).toBeGreaterThan(1);
    expect([...progress].sort((a, b) => a - b)).toEqual(progress);
    expect(events.at(-1)).toMatchObject({
      event: "status",
      data: { runId: id, status: "succeeded", progress: 1 },
    });
    const [row] = await t.database.db.select().from(runs).where(eq(runs.id, id));
    expect(row!.status).toBe("succeeded");
  });
});

describe("shutdown with open event streams", () => {
  it("ends the streams so closing the server does not wait for them", async () => {
    const own = await createTestApp({ INTERNAL_MODELS: "true" });
    const closer = await createOwner(own.app, "Closing");
    // No worker: the run stays queued, so its stream would stay open indefinitely.
    const res = await request(own.app, closer, {
      method: "POST",
      url: `/api/v1/models/${MODEL}/runs?cache=false`,
      payload: { input },
    });
    await own.app.listen({ port: 0, host: "127.0.0.1" });
    const { port } = own.app.server.address() as { port: number };
    const stream = await fetch(`http://127.0.0.1:${port}/api/v1/runs/${res.json().id}/events`, {
      headers: { cookie: closer.cookie },
    });
    const body = stream.text();
    const started = Date.now();
    await own.close();
    expect(Date.now() - started).toBeLessThan(3000);
    expect(await body).toMatch(/^event: progress\n.*"status":"queued"/s);
  });
});
