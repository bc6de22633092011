import { randomUUID } from "node:crypto";
import type { TableDescriptor } from "@modelworks/model-kit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runs } from "../src/db/schema.ts";
import { DomainError } from "../src/errors/domain-error.ts";
import { type ComparableRun, compareRuns, delta, inputDifferences } from "../src/runs/compare.ts";
import { type Actor, addMember, createOwner, createTestApp, request, type TestApp } from "./harness.ts";

/* ------------------------------------------------------------------------------------------- */
/* compare.ts on hand-made runs                                                                */

const schedule: TableDescriptor = {
  name: "schedule",
  title: "Schedule",
  rows: "schedule.rows",
  columns: [
    { key: "month", title: "Month", format: "text" },
    { key: "balance", title: "Balance", unit: "USD", format: "currency" },
    { key: "rate", title: "Rate", unit: "fraction", format: "percent" },
  ],
};
const model = { tables: [schedule] };

const run = (
  id: string,
  input: unknown,
  output: unknown,
  extra: Partial<ComparableRun> = {},
): ComparableRun => ({
  id,
  modelId: "loan",
  modelVersion: "1.0.0",
  status: "succeeded",
  input,
  output,
  ...extra,
});

const base = run(
  "a",
  { principal: 1000, nested: { rate: 0.25, same: 3 }, list: [1, 2], name: "base" },
  {
    npv: 100,
    zero: 0,
    negative: -200,
    nested: { irr: 0.25, deep: { x: 1 } },
    series: [1, 2],
    label: "not a number",
    flag: true,
    schedule: {
      rows: [
        { month: "2026-01", balance: 1000, rate: 0.5 },
        { month: "2026-02", balance: 500, rate: 0 },
      ],
    },
  },
);
const other = run(
  "b",
  { principal: 1000, nested: { rate: 0.75, same: 3 }, list: [1, 3], name: "other", extra: true },
  {
    npv: 150,
    zero: 5,
    negative: -100,
    nested: { irr: 0.75, deep: { x: 1 } },
    series: [1, 4, 8],
    label: "still not",
    flag: false,
    schedule: { rows: [{ month: "2026-01", balance: 1250, rate: 0.25 }] },
  },
);

describe("compareRuns (pure)", () => {
  it("computes absolute and relative deltas against the first run; relative is null at base 0", () => {
    expect(delta(100, 150)).toEqual({ absolute: 50, relative: 0.5 });
    expect(delta(-200, -100)).toEqual({ absolute: 100, relative: 0.5 });
    expect(delta(0, 5)).toEqual({ absolute: 5, relative: null });
    expect(delta(0, 0)).toEqual({ absolute: 0, relative: null });
    expect(delta(null, 5)).toEqual({ absolute: null, relative: null });
    expect(delta(5, null)).toEqual({ absolute: null, relative: null });
  });

  it("lists every numeric output leaf, nested and in arrays by index, skipping declared tables", () => {
    const c = compareRuns(model, [base, other]);
    expect(c.outputs).toEqual([
      { path: "npv", values: [100, 150], deltas: [delta(100, 100), { absolute: 50, relative: 0.5 }] },
      {
        path: "zero",
        values: [0, 5],
        deltas: [
          { absolute: 0, relative: null },
          { absolute: 5, relative: null },
        ],
      },
      {
        path: "negative",
        values: [-200, -100],
        deltas: [
          { absolute: 0, relative: 0 },
          { absolute: 100, relative: 0.5 },
        ],
      },
      {
        path: "nested.irr",
        values: [0.25, 0.75],
        deltas: [
          { absolute: 0, relative: 0 },
          { absolute: 0.5, relative: 2 },
        ],
      },
      {
        path: "nested.deep.x",
        values: [1, 1],
        deltas: [
          { absolute: 0, relative: 0 },
          { absolute: 0, relative: 0 },
        ],
      },
      {
        path: "series.0",
        values: [1, 1],
        deltas: [
          { absolute: 0, relative: 0 },
          { absolute: 0, relative: 0 },
        ],
      },
      {
        path: "series.1",
        values: [2, 4],
        deltas: [
          { absolute: 0, relative: 0 },
          { absolute: 2, relative: 1 },
        ],
      },
      {
        path: "series.2",
        values: [null, 8],
        deltas: [
          { absolute: null, relative: null },
          { absolute: null, relative: null },
        ],
      },
    ]);
  });

  it("lists only the input fields that differ, with null where a run lacks the field", () => {
    const c = compareRuns(model, [base, other]);
    expect(c.inputs).toEqual([
      { path: "nested.rate", values: [0.25, 0.75], differs: true },
      { path: "list.1", values: [2, 3], differs: true },
      { path: "name", values: ["base", "other"], differs: true },
      { path: "extra", values: [null, true], differs: true },
    ]);
    // Key order does not make objects differ; an emptied list does.
    expect(inputDifferences([{ a: { x: 1, y: 2 } }, { a: { y: 2, x: 1 } }])).toEqual([]);
    expect(inputDifferences([{ a: [1] }, { a: [] }])).toEqual([
      { path: "a.0", values: [1, null], differs: true },
      { path: "a", values: [[1], []], differs: true },
    ]);
  });

  it("compares declared tables row by row, aligned by index, numeric columns only", () => {
    const c = compareRuns(model, [base, other]);
    expect(c.tables).toEqual([
      {
        name: "schedule",
        title: "Schedule",
        rows: [
          {
            index: 0,
            key: "2026-01",
            cells: [
              {
                column: "balance",
                title: "Balance",
                unit: "USD",
                values: [1000, 1250],
                deltas: [
                  { absolute: 0, relative: 0 },
                  { absolute: 250, relative: 0.25 },
                ],
              },
              {
                column: "rate",
                title: "Rate",
                unit: "fraction",
                values: [0.5, 0.25],
                deltas: [
                  { absolute: 0, relative: 0 },
                  { absolute: -0.25, relative: -0.5 },
                ],
              },
            ],
          },
          {
            index: 1,
            key: "2026-02",
            cells: [
              {
                column: "balance",
                title: "Balance",
                unit: "USD",
                values: [500, null],
                deltas: [
                  { absolute: 0, relative: 0 },
                  { absolute: null, relative: null },
                ],
              },
              {
                column: "rate",
                title: "Rate",
                unit: "fraction",
                values: [0, null],
                deltas: [
                  { absolute: 0, relative: null },
                  { absolute: null, relative: null },
                ],
              },
            ],
          },
        ],
      },
    ]);
    // Without the descriptor the same rows are ordinary numeric leaves.
    const plain = compareRuns({}, [base, other]);
    expect(plain.tables).toEqual([]);
    expect(plain.outputs.map((o) => o.path)).toContain("schedule.rows.1.balance");
  });

  it("compares N runs against the first and flags mixed model versions", () => {
    const third = run("c", base.input, { ...(base.output as object), npv: 50 }, { modelVersion: "1.1.0" });
    const c = compareRuns(model, [base, other, third]);
    expect(c).toMatchObject({
      modelId: "loan",
      modelVersion: "1.0.0",
      modelVersions: ["1.0.0", "1.0.0", "1.1.0"],
      mixedVersions: true,
      baselineRunId: "a",
      runs: ["a", "b", "c"],
    });
    expect(c.warnings).toEqual([
      "The runs used different versions of loan (1.0.0, 1.1.0); differences may come from the model as well as the input.",
    ]);
    expect(c.outputs[0]).toEqual({
      path: "npv",
      values: [100, 150, 50],
      deltas: [
        { absolute: 0, relative: 0 },
        { absolute: 50, relative: 0.5 },
        { absolute: -50, relative: -0.5 },
      ],
    });
    expect(compareRuns(model, [base, other]).mixedVersions).toBe(false);
  });

  it("refuses runs of different models (422 naming body.runIds) and unfinished runs (409)", () => {
    const foreign = run("z", {}, {}, { modelId: "other-model" });
    const e1 = catchProblem(() => compareRuns(model, [base, foreign]));
    expect(e1.status).toBe(422);
    expect(e1.errors).toEqual([
      { path: "body.runIds", message: "must all be runs of one model; got loan, other-model" },
    ]);
    const queued = run("q", {}, null, { status: "queued" });
    const e2 = catchProblem(() => compareRuns(model, [base, queued]));
    expect(e2.status).toBe(409);
    expect(e2.detail).toBe("Run q has not succeeded (it is queued); only succeeded runs can be compared.");
  });
});

function catchProblem(fn: () => unknown): DomainError {
  try {
    fn();
  } catch (err) {
    if (err instanceof DomainError) return err;
    throw err;
  }
  throw new Error("expected an DomainError");
}

/* ------------------------------------------------------------------------------------------- */
/* POST /api/v1/compare                                                                        */

let t: TestApp;
let owner: Actor & { orgId: string };
let viewer: Actor & { orgId: string };
let stranger: Actor & { orgId: string };
const MODEL = "test-montecarlo-sum";

beforeAll(async () => {
  t = await createTestApp(
    { INTERNAL_MODELS: "true", RUN_HEARTBEAT_MS: "100", RUN_POLL_MS: "200" },
    { worker: true },
  );
  owner = await createOwner(t.app, "Compare Org");
  viewer = await addMember(t.app, owner, "viewer");
  stranger = await createOwner(t.app, "Elsewhere");
});
afterAll(async () => t?.close());

async function finishedRun(as: Actor, input: unknown): Promise<string> {
  const res = await request(t.app, as, {
    method: "POST",
    url: `/api/v1/models/${MODEL}/runs?wait=20&cache=false`,
    payload: { input },
  });
  expect(res.statusCode, res.body).toBe(200);
  expect(res.json().status).toBe("succeeded");
  return res.json().id;
}

const compare = (runIds: unknown, as: Actor = viewer) =>
  request(t.app, as, { method: "POST", url: "/api/v1/compare", payload: { runIds } });

/** A run row written straight to the database (a model or version this build does not host). */
async function insertRun(
  orgId: string,
  fields: { modelId?: string; modelVersion?: string; output?: unknown },
) {
  const [row] = await t.database.db
    .insert(runs)
    .values({
      orgId,
      modelId: fields.modelId ?? MODEL,
      modelVersion: fields.modelVersion ?? "1.0.0",
      input: { terms: [{ mean: 1, sd: 0 }], samples: 1, seed: 1, pauseMsPerChunk: 0 },
      inputHash: randomUUID().replaceAll("-", "").padEnd(64, "0"),
      status: "succeeded",
      progress: 1,
      output: fields.output ?? { analyticMean: 1 },
      timeoutMs: 60_000,
      finishedAt: new Date(),
    })
    .returning();
  return row!.id;
}

describe("POST /api/v1/compare", () => {
  let a: string;
  let b: string;
  beforeAll(async () => {
    a = await finishedRun(owner, {
      terms: [
        { mean: 10, sd: 2 },
        { mean: 5, sd: 1 },
      ],
      samples: 20_000,
      seed: 1,
    });
    b = await finishedRun(owner, {
      terms: [
        { mean: 12.5, sd: 2 },
        { mean: 5, sd: 1 },
      ],
      samples: 20_000,
      seed: 2,
    });
  });

  it("compares two runs of the test model: input differences, output and table deltas", async () => {
    const res = await compare([a, b]);
    expect(res.statusCode, res.body).toBe(200);
    const c = res.json();
    expect(c).toMatchObject({
      modelId: MODEL,
      modelVersion: "1.0.0",
      modelVersions: ["1.0.0", "1.0.0"],
      mixedVersions: false,
      warnings: [],
      baselineRunId: a,
      runs: [a, b],
    });
    // In order of appearance in the stored (jsonb) input, which orders keys by length.
    expect(c.inputs).toEqual([
      { path: "seed", values: [1, 2], differs: true },
      { path: "terms.0.mean", values: [10, 12.5], differs: true },
    ]);
    const byPath = Object.fromEntries(c.outputs.map((o: { path: string }) => [o.path, o]));
    expect(Object.keys(byPath).sort()).toEqual(
      ["analyticMean", "analyticSd", "mean", "p05", "p50", "p95", "samples", "sd"].sort(),
    );
    // Closed form: analyticMean = Σ means, so 15 → 17.5.
    expect(byPath.analyticMean).toEqual({
      path: "analyticMean",
      values: [15, 17.5],
      deltas: [
        { absolute: 0, relative: 0 },
        { absolute: 2.5, relative: 2.5 / 15 },
      ],
    });
    expect(byPath.analyticSd.deltas[1]).toEqual({ absolute: 0, relative: 0 });
    expect(byPath.samples.values).toEqual([20_000, 20_000]);
    expect(Math.abs(byPath.mean.deltas[1].absolute - 2.5)).toBeLessThan(0.1);

    expect(c.tables).toHaveLength(1);
    const histogram = c.tables[0];
    expect(histogram).toMatchObject({ name: "histogram", title: "Distribution of the sum" });
    expect(histogram.rows).toHaveLength(20);
    expect(histogram.rows.map((r: { index: number }) => r.index)).toEqual([...Array(20).keys()]);
    const first = histogram.rows[0];
    expect(first.key).toBeUndefined();
    expect(first.cells.map((cell: { column: string }) => cell.column)).toEqual([
      "lower",
      "upper",
      "count",
      "share",
    ]);
    const share = first.cells[3];
    expect(share).toMatchObject({ title: "Share", unit: "fraction" });
    expect(share.deltas[1].absolute).toBe(share.values[1] - share.values[0]);
    // The histogram is a table, not twenty-times-four loose output fields.
    expect(c.outputs.some((o: { path: string }) => o.path.startsWith("histogram"))).toBe(false);
  });

  it("flags runs of different versions of the model but compares them", async () => {
    const old = await insertRun(owner.orgId, { modelVersion: "0.9.0", output: { analyticMean: 10 } });
    const res = await compare([old, a]);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({
      modelVersion: "0.9.0",
      modelVersions: ["0.9.0", "1.0.0"],
      mixedVersions: true,
      warnings: [
        `The runs used different versions of ${MODEL} (0.9.0, 1.0.0); differences may come from the model as well as the input.`,
      ],
    });
    const analytic = res.json().outputs.find((o: { path: string }) => o.path === "analyticMean");
    expect(analytic.deltas[1]).toEqual({ absolute: 5, relative: 0.5 });
  });

  it("answers 404 for another organization's run exactly as for a missing one", async () => {
    const theirs = await finishedRun(stranger, { terms: [{ mean: 1, sd: 1 }], samples: 100, seed: 5 });
    const foreign = await compare([a, theirs]);
    expect(foreign.statusCode).toBe(404);
    expect(foreign.json().detail).toBe(`Run ${theirs} not found.`);
    const missing = randomUUID();
    const unknown = await compare([a, missing]);
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().detail).toBe(`Run ${missing} not found.`);
    // The stranger cannot compare our runs either.
    expect((await compare([a, b], stranger)).statusCode).toBe(404);
  });

  it("refuses runs of different models with 422 naming body.runIds", async () => {
    const alien = await insertRun(owner.orgId, { modelId: "some-other-model" });
    const res = await compare([a, alien]);
    expect(res.statusCode).toBe(422);
    expect(res.json().errors).toEqual([
      { path: "body.runIds", message: `must all be runs of one model; got ${MODEL}, some-other-model` },
    ]);
  });

  it("refuses a run that has not succeeded with 409 naming it", async () => {
    const started = await request(t.app, owner, {
      method: "POST",
      url: `/api/v1/models/${MODEL}/runs?cache=false`,
      payload: { input: { terms: [{ mean: 1, sd: 1 }], samples: 2_000_000, pauseMsPerChunk: 50 } },
    });
    const slow = started.json().id;
    const res = await compare([a, slow]);
    expect(res.statusCode).toBe(409);
    expect(res.json().detail).toMatch(
      new RegExp(
        `^Run ${slow} has not succeeded \\(it is (queued|running)\\); only succeeded runs can be compared\\.$`,
      ),
    );
    await request(t.app, owner, { method: "POST", url: `/api/v1/runs/${slow}/cancel` });
  });

  it("validates the body: 2 to 20 distinct UUIDs, nothing else", async () => {
    const one = await compare([a]);
    expect(one.statusCode).toBe(422);
    expect(one.json().errors).toEqual([{ path: "body.runIds", message: "give at least 2 run ids" }]);
    const twice = await compare([a, a]);
    expect(twice.statusCode).toBe(422);
    expect(twice.json().errors).toEqual([{ path: "body.runIds", message: "must not name a run twice" }]);
    const many = await compare(Array.from({ length: 21 }, () => randomUUID()));
    expect(many.json().errors).toEqual([{ path: "body.runIds", message: "give at most 20 run ids" }]);
    const notUuid = await compare([a, "nope"]);
    expect(notUuid.json().errors).toEqual([{ path: "body.runIds.1", message: "must be a UUID" }]);
    const extra = await request(t.app, viewer, {
      method: "POST",
      url: "/api/v1/compare",
      payload: { runIds: [a, b], baseline: a },
    });
    expect(extra.statusCode).toBe(422);
    expect(extra.json().errors[0].path).toBe("body");
  });

  it("needs credentials", async () => {
    const res = await request(t.app, null, {
      method: "POST",
      url: "/api/v1/compare",
      payload: { runIds: [a, b] },
    });
    expect(res.statusCode).toBe(401);
  });
});
