import { randomUUID } from "node:crypto";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runs, sweeps } from "../src/db/schema.ts";
import {
  countStatuses,
  expandGrid,
  expandValues,
  numericOutputPath,
  pathProblem,
  pointInput,
  sensitivityTable,
  sweepStatus,
} from "../src/runs/sweep.ts";
import { type Actor, addMember, createOwner, createTestApp, request, type TestApp } from "./harness.ts";

/* ------------------------------------------------------------------------------------------- */
/* sweep.ts helpers                                                                            */

describe("sweep helpers (pure)", () => {
  it("expands ranges with both ends included and exact values", () => {
    expect(expandValues({ path: "x", from: 0, to: 1, steps: 5 })).toEqual([0, 0.25, 0.5, 0.75, 1]);
    expect(expandValues({ path: "x", from: 0.1, to: 0.3, steps: 3 })).toEqual([0.1, 0.2, 0.3]);
    expect(expandValues({ path: "x", from: 0, to: 1, steps: 11 })).toEqual([
      0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1,
    ]);
    expect(expandValues({ path: "x", from: 10, to: -10, steps: 3 })).toEqual([10, 0, -10]);
    expect(expandValues({ path: "x", values: [3, 1, 2] })).toEqual([3, 1, 2]);
  });

  it("builds the grid first parameter outermost, and each point's input as a copy", () => {
    const grid = expandGrid([
      { path: "a", values: [1, 2] },
      { path: "b.c", values: ["x", "y", "z"] },
    ]);
    expect(grid).toEqual([
      { a: 1, "b.c": "x" },
      { a: 1, "b.c": "y" },
      { a: 1, "b.c": "z" },
      { a: 2, "b.c": "x" },
      { a: 2, "b.c": "y" },
      { a: 2, "b.c": "z" },
    ]);
    const base = { a: 0, b: { c: "w", d: [1] } };
    expect(pointInput(base, grid[4]!)).toEqual({ a: 2, b: { c: "y", d: [1] } });
    expect(base).toEqual({ a: 0, b: { c: "w", d: [1] } });
  });

  it("accepts only paths to existing single values", () => {
    const input = { terms: [{ mean: 1 }], flag: null };
    expect(pathProblem(input, "terms.0.mean")).toBeNull();
    expect(pathProblem(input, "flag")).toBeNull();
    expect(pathProblem(input, "terms.1.mean")).toBe("is not a field of the base input");
    expect(pathProblem(input, "terms")).toBe("names a list, not a single value");
    expect(pathProblem(input, "terms.0")).toBe("names an object, not a single value");
  });

  it("derives the sweep status from its runs", () => {
    const status = (s: Record<string, number>, total: number) =>
      sweepStatus(countStatuses(total, Object.entries(s)));
    expect(status({ succeeded: 2, running: 1 }, 3)).toBe("running");
    expect(status({ succeeded: 3 }, 3)).toBe("succeeded");
    expect(status({ succeeded: 2, canceled: 1 }, 3)).toBe("partial");
    expect(status({ succeeded: 2 }, 3)).toBe("partial"); // one run deleted
    expect(status({ failed: 1, canceled: 2 }, 3)).toBe("canceled");
    expect(status({ failed: 3 }, 3)).toBe("failed");
    expect(
      countStatuses(4, [
        ["succeeded", 2],
        ["queued", 1],
      ]),
    ).toEqual({
      total: 4,
      queued: 1,
      running: 0,
      succeeded: 2,
      failed: 0,
      canceled: 0,
      deleted: 1,
    });
  });

  it("lays points out as a one-way table or a two-way matrix", () => {
    const one = sensitivityTable(
      [{ path: "a", values: [1, 2] }],
      ["x", "y"],
      [
        { x: 10, y: 20 },
        { x: 11, y: null },
      ],
    );
    expect(one).toEqual({
      kind: "one-way",
      parameter: "a",
      outputs: ["x", "y"],
      rows: [
        { value: 1, cells: [10, 20] },
        { value: 2, cells: [11, null] },
      ],
    });
    const params = [
      { path: "a", values: [1, 2, 3] },
      { path: "b", values: [10, 20] },
    ];
    const outs = [11, 21, 12, 22, 13, 23].map((x) => ({ x, y: -x }));
    expect(sensitivityTable(params, ["x", "y"], outs)).toEqual({
      kind: "two-way",
      output: "x",
      rowParameter: "a",
      rowValues: [1, 2, 3],
      columnParameter: "b",
      columnValues: [10, 20],
      cells: [
        [11, 21],
        [12, 22],
        [13, 23],
      ],
    });
    expect(sensitivityTable(params, ["x", "y"], outs, "y")).toMatchObject({
      output: "y",
      cells: [
        [-11, -21],
        [-12, -22],
        [-13, -23],
      ],
    });
  });

  it("checks output paths against the output's JSON Schema", () => {
    const schema = {
      type: "object",
      properties: {
        npv: { type: "number" },
        n: { type: "integer" },
        name: { type: "string" },
        rows: { type: "array", items: { type: "object", properties: { v: { type: "number" } } } },
        maybe: { anyOf: [{ type: "number" }, { type: "null" }] },
      },
      additionalProperties: false,
    };
    expect(numericOutputPath(schema, "npv")).toBe("yes");
    expect(numericOutputPath(schema, "n")).toBe("yes");
    expect(numericOutputPath(schema, "rows.3.v")).toBe("yes");
    expect(numericOutputPath(schema, "maybe")).toBe("unknown");
    expect(numericOutputPath(schema, "name")).toBe("no");
    expect(numericOutputPath(schema, "rows")).toBe("no");
    expect(numericOutputPath(schema, "nope")).toBe("no");
  });
});

/* ------------------------------------------------------------------------------------------- */
/* The API                                                                                     */

let t: TestApp;
let owner: Actor & { orgId: string };
let viewer: Actor & { orgId: string };
let stranger: Actor & { orgId: string };
const MODEL = "test-montecarlo-sum";
const DEFAULT_OUTPUTS = ["samples", "mean", "sd", "p05", "p50", "p95", "analyticMean", "analyticSd"];
let seed = 1000;
/** A fresh base input (own seed, so earlier tests' runs are no cache hits). */
const baseInput = (extra: Record<string, unknown> = {}) => ({
  terms: [
    { mean: 10, sd: 2 },
    { mean: 5, sd: 1 },
  ],
  samples: 1000,
  seed: ++seed,
  ...extra,
});

beforeAll(async () => {
  t = await createTestApp(
    { INTERNAL_MODELS: "true", RUN_HEARTBEAT_MS: "100", RUN_POLL_MS: "200" },
    { worker: true },
  );
  owner = await createOwner(t.app, "Sweeps Org");
  viewer = await addMember(t.app, owner, "viewer");
  stranger = await createOwner(t.app, "Elsewhere");
});
afterAll(async () => t?.close());

const startSweep = (body: unknown, as: Actor = owner, query = "") =>
  request(t.app, as, { method: "POST", url: `/api/v1/models/${MODEL}/sweeps${query}`, payload: body });
const getSweep = (id: string, as: Actor = viewer, query = "") =>
  request(t.app, as, { method: "GET", url: `/api/v1/sweeps/${id}${query}` });

async function finished(id: string, query = "") {
  for (let i = 0; i < 400; i++) {
    const s = (await getSweep(id, viewer, query)).json();
    if (s.status !== "running") return s;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`sweep ${id} did not finish`);
}

const counts = async () => ({
  sweeps: (await t.database.db.select({ id: sweeps.id }).from(sweeps)).length,
  runs: (await t.database.db.select({ id: runs.id }).from(runs)).length,
});

describe("POST /api/v1/models/:id/sweeps", () => {
  it("sweeps one field: a run per value, analyticMean = base + value exactly", async () => {
    const body = { input: baseInput(), parameters: [{ path: "terms.0.mean", values: [0, 5, 10] }] };
    const res = await startSweep(body);
    expect(res.statusCode, res.body).toBe(202);
    const created = res.json();
    expect(res.headers.location).toBe(`/api/v1/sweeps/${created.id}`);
    expect(created).toMatchObject({
      modelId: MODEL,
      modelVersion: "1.0.0",
      projectId: null,
      parameters: [{ path: "terms.0.mean", values: [0, 5, 10] }],
      outputs: DEFAULT_OUTPUTS,
      status: "running",
      counts: { total: 3, queued: 3, running: 0, succeeded: 0, failed: 0, canceled: 0, deleted: 0 },
      createdBy: owner.userId,
    });

    const s = await finished(created.id);
    expect(s.status).toBe("succeeded");
    expect(s.counts).toEqual({
      total: 3,
      queued: 0,
      running: 0,
      succeeded: 3,
      failed: 0,
      canceled: 0,
      deleted: 0,
    });
    expect(s.points.map((p: { values: unknown }) => p.values)).toEqual([
      { "terms.0.mean": 0 },
      { "terms.0.mean": 5 },
      { "terms.0.mean": 10 },
    ]);
    expect(s.points.map((p: { outputs: { analyticMean: number } }) => p.outputs.analyticMean)).toEqual([
      5, 10, 15,
    ]);
    expect(
      s.points.every((p: { status: string; error: unknown }) => p.status === "succeeded" && !p.error),
    ).toBe(true);
    expect(s.table.kind).toBe("one-way");
    expect(s.table.parameter).toBe("terms.0.mean");
    expect(s.table.outputs).toEqual(DEFAULT_OUTPUTS);
    const col = DEFAULT_OUTPUTS.indexOf("analyticMean");
    expect(s.table.rows.map((r: { value: number; cells: number[] }) => [r.value, r.cells[col]])).toEqual([
      [0, 5],
      [5, 10],
      [10, 15],
    ]);

    // Each point is an ordinary run pointing back at the sweep, with the point's input.
    const list = (
      await request(t.app, viewer, { method: "GET", url: `/api/v1/runs?sweepId=${created.id}` })
    ).json();
    expect(list.total).toBe(3);
    const run = (
      await request(t.app, viewer, { method: "GET", url: `/api/v1/runs/${s.points[1].runId}` })
    ).json();
    expect(run.sweepId).toBe(created.id);
    expect(run.input).toMatchObject({
      ...body.input,
      terms: [{ mean: 5, sd: 2 }, body.input.terms[1]],
      pauseMsPerChunk: 0,
    });

    // The same sweep again: every point is served from the result cache at once.
    const again = await startSweep(body);
    expect(again.statusCode).toBe(202);
    expect(again.json()).toMatchObject({ status: "succeeded", counts: { total: 3, succeeded: 3 } });
    const cached = (await getSweep(again.json().id)).json();
    expect(cached.points.every((p: { cacheHit: boolean }) => p.cacheHit)).toBe(true);
    expect(cached.points.map((p: { outputs: object }) => p.outputs)).toEqual(
      s.points.map((p: { outputs: object }) => p.outputs),
    );
  });

  it("sweeps a grid of two fields: 3 × 2 runs and a 3 × 2 matrix", async () => {
    const res = await startSweep({
      input: baseInput(),
      parameters: [
        { path: "terms.0.mean", values: [1, 2, 3] },
        { path: "terms.1.mean", values: [10, 20] },
      ],
      outputs: ["analyticMean", "analyticSd"],
    });
    expect(res.statusCode, res.body).toBe(202);
    expect(res.json().counts.total).toBe(6);
    const id = res.json().id;
    const s = await finished(id);
    expect(s.status).toBe("succeeded");
    expect(s.outputs).toEqual(["analyticMean", "analyticSd"]);
    expect(s.points.map((p: { values: object }) => p.values)).toEqual([
      { "terms.0.mean": 1, "terms.1.mean": 10 },
      { "terms.0.mean": 1, "terms.1.mean": 20 },
      { "terms.0.mean": 2, "terms.1.mean": 10 },
      { "terms.0.mean": 2, "terms.1.mean": 20 },
      { "terms.0.mean": 3, "terms.1.mean": 10 },
      { "terms.0.mean": 3, "terms.1.mean": 20 },
    ]);
    expect(new Set(s.points.map((p: { runId: string }) => p.runId)).size).toBe(6);
    expect(s.table).toEqual({
      kind: "two-way",
      output: "analyticMean",
      rowParameter: "terms.0.mean",
      rowValues: [1, 2, 3],
      columnParameter: "terms.1.mean",
      columnValues: [10, 20],
      cells: [
        [11, 21],
        [12, 22],
        [13, 23],
      ],
    });
    const sd = (await getSweep(id, viewer, "?output=analyticSd")).json();
    expect(sd.table.output).toBe("analyticSd");
    expect(sd.table.cells.flat()).toEqual(Array(6).fill(Math.sqrt(5)));
    const wrong = await getSweep(id, viewer, "?output=mean");
    expect(wrong.statusCode).toBe(422);
    expect(wrong.json().errors).toEqual([
      { path: "query.output", message: "must be one of the sweep's outputs: analyticMean, analyticSd" },
    ]);
  });

  it("expands from/to/steps with both ends included", async () => {
    const res = await startSweep({
      input: baseInput(),
      parameters: [{ path: "terms.1.sd", from: 0, to: 1, steps: 5 }],
      outputs: ["analyticSd"],
    });
    expect(res.statusCode, res.body).toBe(202);
    expect(res.json().parameters).toEqual([{ path: "terms.1.sd", values: [0, 0.25, 0.5, 0.75, 1] }]);
    const s = await finished(res.json().id);
    expect(s.table.rows.map((r: { cells: number[] }) => r.cells[0])).toEqual(
      [0, 0.25, 0.5, 0.75, 1].map((v) => Math.sqrt(4 + v ** 2)),
    );
  });

  it("varies fields the base input leaves to their defaults", async () => {
    const input = baseInput();
    const res = await startSweep({
      input: { terms: input.terms, samples: 100 },
      parameters: [{ path: "seed", values: [input.seed, input.seed + 1] }],
      outputs: ["samples"],
    });
    expect(res.statusCode, res.body).toBe(202);
    const s = await finished(res.json().id);
    expect(s.table.rows).toEqual([
      { value: input.seed, cells: [100] },
      { value: input.seed + 1, cells: [100] },
    ]);
  });

  it("rejects a path that is not a single value of the base input with 422 naming it", async () => {
    const before = await counts();
    const res = await startSweep({
      input: baseInput(),
      parameters: [
        { path: "terms.0.mean", values: [1] },
        { path: "terms.5.mean", values: [1] },
      ],
    });
    expect(res.statusCode).toBe(422);
    expect(res.json().errors).toEqual([
      { path: "body.parameters.1.path", message: "is not a field of the base input" },
    ]);
    const list = await startSweep({ input: baseInput(), parameters: [{ path: "terms", values: [1] }] });
    expect(list.json().errors).toEqual([
      { path: "body.parameters.0.path", message: "names a list, not a single value" },
    ]);
    expect(await counts()).toEqual(before);
  });

  it("rejects a sweep with any grid point the model would refuse, naming it, and writes nothing", async () => {
    const before = await counts();
    const res = await startSweep({
      input: baseInput(),
      parameters: [
        { path: "terms.0.mean", values: [1, 2] },
        { path: "terms.0.sd", values: [1, -1] },
      ],
    });
    expect(res.statusCode).toBe(422);
    expect(res.json().detail).toBe(
      "The input at grid point 2 of 4: terms.0.mean = 1, terms.0.sd = -1 does not satisfy test-montecarlo-sum@1.0.0; nothing was started.",
    );
    expect(res.json().errors).toEqual([
      {
        path: "body.input.terms.0.sd",
        message: "must be 0 or more (grid point 2 of 4: terms.0.mean = 1, terms.0.sd = -1)",
      },
    ]);
    expect(await counts()).toEqual(before);
  });

  it("rejects an invalid base input with 422 before anything else", async () => {
    const res = await startSweep({ input: { terms: [] }, parameters: [{ path: "samples", values: [1] }] });
    expect(res.statusCode).toBe(422);
    expect(res.json().errors).toEqual([{ path: "body.input.terms", message: "give at least one term" }]);
  });

  it("caps a sweep at 200 runs", async () => {
    const before = await counts();
    const values = (n: number) => Array.from({ length: n }, (_, i) => i);
    const res = await startSweep({
      input: baseInput(),
      parameters: [
        { path: "terms.0.mean", values: values(20) },
        { path: "terms.1.mean", values: values(11) },
      ],
    });
    expect(res.statusCode).toBe(422);
    expect(res.json().detail).toBe("The sweep would start 220 runs; at most 200 are allowed.");
    expect(res.json().errors).toEqual([
      { path: "body.parameters", message: "make a grid of 220 points; a sweep runs at most 200" },
    ]);
    const long = await startSweep({
      input: baseInput(),
      parameters: [{ path: "seed", values: values(201) }],
    });
    expect(long.json().errors).toEqual([
      { path: "body.parameters.0.values", message: "give at most 200 values" },
    ]);
    expect(await counts()).toEqual(before);
  });

  it("validates the body strictly", async () => {
    const input = baseInput();
    const cases: [unknown, { path: string; message: string }[]][] = [
      [{ input, parameters: [] }, [{ path: "body.parameters", message: "give 1 or 2 parameters" }]],
      [
        {
          input,
          parameters: [
            { path: "seed", values: [1] },
            { path: "seed", values: [2] },
          ],
        },
        [{ path: "body.parameters", message: "the parameters must vary different fields" }],
      ],
      [
        { input, parameters: [{ path: "seed", values: [1], from: 1 }] },
        [{ path: "body.parameters.0", message: "give either values or from, to and steps" }],
      ],
      [
        { input, parameters: [{ path: "seed", from: 1, to: 2 }] },
        [{ path: "body.parameters.0.steps", message: "is required with a range" }],
      ],
      [
        { input, parameters: [{ path: "seed", from: 1, to: 1, steps: 3 }] },
        [{ path: "body.parameters.0.to", message: "must differ from from" }],
      ],
      [
        { input, parameters: [{ path: "a..b", values: [1] }] },
        [{ path: "body.parameters.0.path", message: "must be a dotted path such as terms.0.mean" }],
      ],
      [
        { input, parameters: [{ path: "seed", values: [1] }], outputs: ["histogram", "nope", "mean"] },
        [
          { path: "body.outputs.0", message: "is not a numeric field of the output of test-montecarlo-sum" },
          { path: "body.outputs.1", message: "is not a numeric field of the output of test-montecarlo-sum" },
        ],
      ],
      [
        { parameters: [{ path: "seed", values: [1] }] },
        [{ path: "body", message: "give exactly one of input or scenarioId" }],
      ],
    ];
    const before = await counts();
    for (const [body, errors] of cases) {
      const res = await startSweep(body);
      expect(res.statusCode, JSON.stringify(body)).toBe(422);
      expect(res.json().errors, JSON.stringify(body)).toEqual(errors);
    }
    const extra = await startSweep({ input, parameters: [{ path: "seed", values: [1] }], wait: 5 });
    expect(extra.statusCode).toBe(422);
    expect(await counts()).toEqual(before);
    // An output path into a table row is a numeric field.
    const ok = await startSweep({
      input,
      parameters: [{ path: "seed", values: [1] }],
      outputs: ["histogram.0.count"],
    });
    expect(ok.statusCode, ok.body).toBe(202);
  });

  it("files a sweep under a project (404 for another organization's project)", async () => {
    const project = await request(t.app, owner, {
      method: "POST",
      url: "/api/v1/projects",
      payload: { name: "What-if" },
    });
    const projectId = project.json().id;
    const res = await startSweep({
      input: baseInput(),
      projectId,
      parameters: [{ path: "seed", values: [1, 2] }],
    });
    expect(res.statusCode, res.body).toBe(202);
    expect(res.json().projectId).toBe(projectId);
    const listed = (
      await request(t.app, viewer, { method: "GET", url: `/api/v1/sweeps?projectId=${projectId}` })
    ).json();
    expect(listed.items.map((s: { id: string }) => s.id)).toEqual([res.json().id]);
    const theirs = await request(t.app, stranger, {
      method: "POST",
      url: "/api/v1/projects",
      payload: { name: "Theirs" },
    });
    const foreign = await startSweep({
      input: baseInput(),
      projectId: theirs.json().id,
      parameters: [{ path: "seed", values: [1] }],
    });
    expect(foreign.statusCode).toBe(404);
    expect(foreign.json().detail).toBe("Project not found.");
  });

  it("cancels a sweep's unfinished runs; canceling again is 409", async () => {
    const res = await startSweep(
      {
        input: baseInput({ samples: 2_000_000, pauseMsPerChunk: 50 }),
        parameters: [{ path: "terms.0.mean", values: [1, 2, 3, 4, 5, 6] }],
      },
      owner,
      "?cache=false",
    );
    expect(res.statusCode, res.body).toBe(202);
    const id = res.json().id;
    const cancel = await request(t.app, owner, { method: "POST", url: `/api/v1/sweeps/${id}/cancel` });
    expect([200, 202]).toContain(cancel.statusCode);
    expect(cancel.json().counts.queued).toBe(0);
    const s = await finished(id);
    expect(s.status).toBe("canceled");
    expect(s.counts).toMatchObject({ total: 6, canceled: 6, succeeded: 0 });
    expect(s.table.rows.every((r: { cells: (number | null)[] }) => r.cells.every((c) => c === null))).toBe(
      true,
    );
    const again = await request(t.app, owner, { method: "POST", url: `/api/v1/sweeps/${id}/cancel` });
    expect(again.statusCode).toBe(409);
    expect(again.json().detail).toBe("The sweep has already finished.");
  });

  it("keeps sweeps to their organization: another org's sweep is 404", async () => {
    const res = await startSweep({ input: baseInput(), parameters: [{ path: "seed", values: [1] }] });
    const id = res.json().id;
    expect((await getSweep(id, stranger)).statusCode).toBe(404);
    expect((await getSweep(id, stranger)).json().detail).toBe("Sweep not found.");
    const cancel = await request(t.app, stranger, { method: "POST", url: `/api/v1/sweeps/${id}/cancel` });
    expect(cancel.statusCode).toBe(404);
    const theirs = (await request(t.app, stranger, { method: "GET", url: "/api/v1/sweeps" })).json();
    expect(theirs.total).toBe(0);
    expect((await getSweep(randomUUID())).statusCode).toBe(404);
  });

  it("lets a viewer read and list sweeps but not start or cancel them", async () => {
    const res = await startSweep({ input: baseInput(), parameters: [{ path: "seed", values: [1] }] }, viewer);
    expect(res.statusCode).toBe(403);
    expect(res.json().detail).toBe("This action requires the analyst role or higher; your role is viewer.");
    const mine = (
      await startSweep({ input: baseInput(), parameters: [{ path: "seed", values: [7] }] })
    ).json();
    expect((await getSweep(mine.id, viewer)).statusCode).toBe(200);
    const cancel = await request(t.app, viewer, { method: "POST", url: `/api/v1/sweeps/${mine.id}/cancel` });
    expect(cancel.statusCode).toBe(403);

    const page = await request(t.app, viewer, {
      method: "GET",
      url: "/api/v1/sweeps?limit=2&sort=-createdAt",
    });
    expect(page.statusCode).toBe(200);
    const { items, total, limit, offset } = page.json();
    expect({ limit, offset, length: items.length }).toEqual({ limit: 2, offset: 0, length: 2 });
    const all = await t.database.db.select().from(sweeps).where(eq(sweeps.orgId, owner.orgId));
    expect(total).toBe(all.length);
    expect(items[0].id).toBe(mine.id);
    const bad = await request(t.app, viewer, { method: "GET", url: "/api/v1/sweeps?status=running" });
    expect(bad.statusCode).toBe(422);
  });
});
