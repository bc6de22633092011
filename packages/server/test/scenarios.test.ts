import { randomUUID } from "node:crypto";
import { catalog } from "@modelworks/catalog";
import { and, count, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditEvents, runs, scenarioRevisions, scenarios } from "../src/db/schema.ts";
import { inputHash } from "../src/runs/canonical.ts";
import { type Actor, addMember, createOwner, createTestApp, request, type TestApp } from "./harness.ts";

type OrgActor = Actor & { orgId: string };
type Method = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
type Response = Awaited<ReturnType<typeof request>>;

const MODEL = "test-montecarlo-sum";
/** The model's own validation: the input as stored, defaults filled in. */
const validated = (raw: unknown) => catalog.find(MODEL)!.input.parse(raw) as Record<string, unknown>;
const base = {
  terms: [
    { mean: 10, sd: 2 },
    { mean: 5, sd: 1 },
  ],
  samples: 20_000,
  seed: 3,
};

let t: TestApp;
let owner: OrgActor;
let admin: OrgActor;
let analyst: OrgActor;
let viewer: OrgActor;
let stranger: OrgActor;
let projectId: string;
let otherProjectId: string;
let strangerProjectId: string;

/** A request in the actor's own organization (named by header). */
const call = (as: OrgActor, method: Method, url: string, payload?: unknown) =>
  request(t.app, as, {
    method,
    url: `/api/v1${url}`,
    headers: { "x-organization-id": as.orgId },
    ...(payload !== undefined ? { payload } : {}),
  });

async function createProject(as: OrgActor, name: string): Promise<string> {
  const res = await call(as, "POST", "/projects", { name });
  if (res.statusCode !== 201) throw new Error(`create project: ${res.statusCode} ${res.body}`);
  return res.json().id;
}

interface ScenarioBody {
  id: string;
  projectId: string;
  modelId: string;
  name: string;
  description: string;
  revision: number;
  modelVersion: string;
  inputHash: string;
  input: Record<string, unknown>;
  createdBy: string | null;
  createdAt: string;
  updatedAt: string;
}

async function createScenario(
  name: string,
  extra: Record<string, unknown> = {},
  as: OrgActor = analyst,
  project = projectId,
): Promise<ScenarioBody> {
  const res = await call(as, "POST", `/projects/${project}/scenarios`, {
    name,
    modelId: MODEL,
    input: base,
    ...extra,
  });
  if (res.statusCode !== 201) throw new Error(`create scenario: ${res.statusCode} ${res.body}`);
  return res.json();
}

async function patch(id: string, body: unknown, as: OrgActor = analyst) {
  const res = await call(as, "PATCH", `/scenarios/${id}`, body);
  if (res.statusCode !== 200) throw new Error(`patch scenario: ${res.statusCode} ${res.body}`);
  return res.json() as ScenarioBody;
}

/** Row counts that must not move when a request is rejected. */
async function snapshot() {
  const { db } = t.database;
  const n = async (table: typeof scenarios | typeof scenarioRevisions | typeof auditEvents | typeof runs) =>
    (await db.select({ n: count() }).from(table))[0]!.n;
  return {
    scenarios: await n(scenarios),
    revisions: await n(scenarioRevisions),
    audit: await n(auditEvents),
    runs: await n(runs),
  };
}

const eventsFor = (targetId: string) =>
  t.database.db
    .select()
    .from(auditEvents)
    .where(and(eq(auditEvents.targetType, "scenario"), eq(auditEvents.targetId, targetId)))
    .orderBy(auditEvents.id);

const revisionRows = (scenarioId: string) =>
  t.database.db
    .select()
    .from(scenarioRevisions)
    .where(eq(scenarioRevisions.scenarioId, scenarioId))
    .orderBy(scenarioRevisions.revision);

function expectProblem(res: Response, status: number) {
  expect(res.statusCode, res.body).toBe(status);
  expect(res.headers["content-type"]).toMatch(/^application\/problem\+json/);
  const body = res.json();
  expect(body.status).toBe(status);
  expect(body.requestId).toBe(res.headers["x-request-id"]);
  return body as { title: string; detail?: string; errors?: { path: string; message: string }[] };
}

beforeAll(async () => {
  t = await createTestApp({ INTERNAL_MODELS: "true" });
  owner = await createOwner(t.app, "Scenario Org");
  admin = await addMember(t.app, owner, "admin");
  analyst = await addMember(t.app, owner, "analyst");
  viewer = await addMember(t.app, owner, "viewer");
  stranger = await createOwner(t.app, "Stranger Org");
  projectId = await createProject(analyst, "Riverside TIF");
  otherProjectId = await createProject(analyst, "Harbor Bonds");
  strangerProjectId = await createProject(stranger, "Their Project");
});
afterAll(async () => t?.close());

describe("create and get", () => {
  it("creates revision 1 from the validated input (defaults filled), with Location, and records scenario.created", async () => {
    const res = await call(analyst, "POST", `/projects/${projectId}/scenarios`, {
      name: "  Base case  ",
      description: " Expected terms ",
      modelId: MODEL,
      input: base,
      note: " first cut ",
    });
    expect(res.statusCode).toBe(201);
    const body = res.json();
    expect(res.headers.location).toBe(`/api/v1/scenarios/${body.id}`);
    const stored = validated(base);
    expect(stored).toMatchObject({ ...base, pauseMsPerChunk: 0 });
    expect(body).toEqual({
      id: body.id,
      projectId,
      modelId: MODEL,
      name: "Base case",
      description: "Expected terms",
      revision: 1,
      modelVersion: "1.0.0",
      inputHash: inputHash(stored),
      input: stored,
      createdBy: analyst.userId,
      createdAt: body.createdAt,
      updatedAt: body.createdAt,
    });
    expect(body.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(new Date(body.createdAt).toISOString()).toBe(body.createdAt);

    const [row] = await t.database.db.select().from(scenarios).where(eq(scenarios.id, body.id));
    expect(row).toMatchObject({
      orgId: owner.orgId,
      projectId,
      currentRevision: 1,
      createdBy: analyst.userId,
    });
    const revs = await revisionRows(body.id);
    expect(revs).toHaveLength(1);
    expect(revs[0]).toMatchObject({
      orgId: owner.orgId,
      revision: 1,
      modelVersion: "1.0.0",
      input: stored,
      inputHash: inputHash(stored),
      note: "first cut",
      createdBy: analyst.userId,
    });

    const events = await eventsFor(body.id);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      action: "scenario.created",
      orgId: owner.orgId,
      actorUserId: analyst.userId,
      metadata: { name: "Base case", projectId, modelId: MODEL, modelVersion: "1.0.0" },
      requestId: res.headers["x-request-id"],
    });

    const got = await call(viewer, "GET", `/scenarios/${body.id}`);
    expect(got.statusCode).toBe(200);
    expect(got.json()).toEqual(body);
  });

  it("accepts an explicit model version and defaults description and note to empty", async () => {
    const s = await createScenario("Pinned", { modelVersion: "1.0.0" });
    expect(s).toMatchObject({ modelVersion: "1.0.0", description: "", revision: 1 });
    expect((await revisionRows(s.id))[0]!.note).toBe("");
  });

  it("answers 404 for an unknown model, version or project, and another organization's project, writing nothing", async () => {
    const before = await snapshot();
    const post = (project: string, body: Record<string, unknown>) =>
      call(analyst, "POST", `/projects/${project}/scenarios`, {
        name: "Nowhere",
        modelId: MODEL,
        input: base,
        ...body,
      });
    expect(expectProblem(await post(projectId, { modelId: "no-such-model" }), 404).detail).toBe(
      "Model no-such-model not found.",
    );
    expect(expectProblem(await post(projectId, { modelVersion: "9.9.9" }), 404).detail).toBe(
      `Model ${MODEL} version 9.9.9 not found.`,
    );
    expect(expectProblem(await post(randomUUID(), {}), 404).detail).toBe("Project not found.");
    expect(expectProblem(await post(strangerProjectId, {}), 404).detail).toBe("Project not found.");
    expect(await snapshot()).toEqual(before);
  });

  it("validates the input against the model: 422 with a path per bad field, nothing written", async () => {
    const before = await snapshot();
    const res = await call(analyst, "POST", `/projects/${projectId}/scenarios`, {
      name: "Broken",
      modelId: MODEL,
      input: {
        terms: [
          { mean: 1, sd: -1 },
          { mean: "two", sd: 1 },
        ],
        samples: 0,
        extra: true,
      },
    });
    const problem = expectProblem(res, 422);
    expect(problem.detail).toBe(`The input does not satisfy ${MODEL}@1.0.0.`);
    expect(problem.errors).toEqual([
      { path: "body.input.terms.0.sd", message: "must be 0 or more" },
      { path: "body.input.terms.1.mean", message: "Invalid input: expected number, received string" },
      { path: "body.input.samples", message: "Too small: expected number to be >=1" },
      { path: "body.input", message: 'Unrecognized key: "extra"' },
    ]);
    const empty = await call(analyst, "POST", `/projects/${projectId}/scenarios`, {
      name: "Broken",
      modelId: MODEL,
      input: [],
    });
    expect(expectProblem(empty, 422).errors).toEqual([
      { path: "body.input", message: "Invalid input: expected object, received array" },
    ]);
    expect(await snapshot()).toEqual(before);
  });

  it("refuses a duplicate name in the project, case-insensitively (409), and allows it in another project", async () => {
    await createScenario("Downside");
    const before = await snapshot();
    const res = await call(analyst, "POST", `/projects/${projectId}/scenarios`, {
      name: "DOWNSIDE",
      modelId: MODEL,
      input: base,
    });
    expect(expectProblem(res, 409).detail).toBe(
      'A scenario named "DOWNSIDE" already exists in this project.',
    );
    expect(await snapshot()).toEqual(before);
    const elsewhere = await createScenario("Downside", {}, analyst, otherProjectId);
    expect(elsewhere.projectId).toBe(otherProjectId);
  });
});

describe("edit, history and diff", () => {
  it("saves each input change as a new revision, lists history newest first and diffs any two", async () => {
    const s = await createScenario("History");
    const rev2Input = { ...base, terms: [{ mean: 10, sd: 3 }, base.terms[1]] };
    const r2 = await patch(s.id, { input: rev2Input, note: "wider first term", baseRevision: 1 });
    expect(r2).toMatchObject({ id: s.id, revision: 2, name: "History", input: validated(rev2Input) });
    expect(r2.inputHash).toBe(inputHash(validated(rev2Input)));
    expect(Date.parse(r2.updatedAt)).toBeGreaterThanOrEqual(Date.parse(s.updatedAt));

    // Revision 3: a third term, more samples, and seed left out (so its default, 1, applies).
    const rev3Input = { terms: [...rev2Input.terms, { mean: 1, sd: 0.5 }], samples: 40_000 };
    const r3 = await patch(s.id, { input: rev3Input, baseRevision: 2 });
    expect(r3.revision).toBe(3);
    expect(r3.input).toEqual(validated(rev3Input));
    expect((await call(viewer, "GET", `/scenarios/${s.id}`)).json()).toEqual(r3);

    const list = await call(viewer, "GET", `/scenarios/${s.id}/revisions`);
    expect(list.statusCode).toBe(200);
    const page = list.json();
    expect(page).toMatchObject({ total: 3, limit: 20, offset: 0 });
    expect(page.items.map((r: { revision: number }) => r.revision)).toEqual([3, 2, 1]);
    expect(page.items.map((r: { note: string }) => r.note)).toEqual(["", "wider first term", ""]);
    expect(page.items[1]).toEqual({
      scenarioId: s.id,
      revision: 2,
      modelVersion: "1.0.0",
      inputHash: r2.inputHash,
      note: "wider first term",
      createdBy: analyst.userId,
      createdAt: page.items[1].createdAt,
    });
    expect(page.items.every((r: object) => !("input" in r))).toBe(true);
    const oldest = (
      await call(viewer, "GET", `/scenarios/${s.id}/revisions?sort=revision&limit=1&offset=1`)
    ).json();
    expect(oldest).toMatchObject({ total: 3, limit: 1, offset: 1 });
    expect(oldest.items.map((r: { revision: number }) => r.revision)).toEqual([2]);

    const one = await call(viewer, "GET", `/scenarios/${s.id}/revisions/1`);
    expect(one.statusCode).toBe(200);
    expect(one.json()).toEqual({ ...page.items[2], input: validated(base) });
    expect((await call(viewer, "GET", `/scenarios/${s.id}/revisions/2`)).json().input).toEqual(
      validated(rev2Input),
    );

    const diff = await call(viewer, "GET", `/scenarios/${s.id}/diff?from=1&to=3`);
    expect(diff.statusCode).toBe(200);
    expect(diff.json()).toEqual({
      from: 1,
      to: 3,
      modelVersion: { from: "1.0.0", to: "1.0.0" },
      changes: [
        { path: "samples", kind: "changed", before: 20_000, after: 40_000 },
        { path: "seed", kind: "changed", before: 3, after: 1 },
        { path: "terms.0.sd", kind: "changed", before: 2, after: 3 },
        { path: "terms.2", kind: "added", after: { mean: 1, sd: 0.5 } },
      ],
    });
    expect((await call(viewer, "GET", `/scenarios/${s.id}/diff?from=3&to=1`)).json().changes).toEqual([
      { path: "samples", kind: "changed", before: 40_000, after: 20_000 },
      { path: "seed", kind: "changed", before: 1, after: 3 },
      { path: "terms.0.sd", kind: "changed", before: 3, after: 2 },
      { path: "terms.2", kind: "removed", before: { mean: 1, sd: 0.5 } },
    ]);
    expect((await call(viewer, "GET", `/scenarios/${s.id}/diff?from=1&to=2`)).json().changes).toEqual([
      { path: "terms.0.sd", kind: "changed", before: 2, after: 3 },
    ]);
    expect((await call(viewer, "GET", `/scenarios/${s.id}/diff?from=2&to=2`)).json().changes).toEqual([]);

    const missing = await call(viewer, "GET", `/scenarios/${s.id}/diff?from=1&to=4`);
    expect(expectProblem(missing, 404).detail).toBe("Scenario revision 4 not found.");
    const noRevision = await call(viewer, "GET", `/scenarios/${s.id}/revisions/4`);
    expect(expectProblem(noRevision, 404).detail).toBe("Scenario revision 4 not found.");

    const [row] = await t.database.db.select().from(scenarios).where(eq(scenarios.id, s.id));
    expect(row!.currentRevision).toBe(3);
    expect((await revisionRows(s.id)).map((r) => r.revision)).toEqual([1, 2, 3]);
    const events = await eventsFor(s.id);
    expect(events.map((e) => e.action)).toEqual(["scenario.created", "scenario.updated", "scenario.updated"]);
    expect(events[1]!.metadata).toEqual({
      before: {},
      after: {},
      revision: { from: 1, to: 2 },
      modelVersion: "1.0.0",
      inputHash: r2.inputHash,
    });
  });

  it("renames and re-describes without a new revision", async () => {
    const s = await createScenario("Rename Me", { description: "old" });
    const res = await patch(s.id, { name: " Renamed ", description: "new" });
    expect(res).toMatchObject({ name: "Renamed", description: "new", revision: 1, inputHash: s.inputHash });
    expect(res.updatedAt).not.toBe(s.updatedAt);
    expect(await revisionRows(s.id)).toHaveLength(1);
    const events = await eventsFor(s.id);
    expect(events.map((e) => e.action)).toEqual(["scenario.created", "scenario.updated"]);
    expect(events[1]!.metadata).toEqual({
      before: { name: "Rename Me", description: "old" },
      after: { name: "Renamed", description: "new" },
    });
    // Changing only the case of its own name is allowed.
    expect((await patch(s.id, { name: "RENAMED" })).name).toBe("RENAMED");
  });

  it("makes no revision (and writes nothing) for an input identical to the current one or the same version", async () => {
    const s = await createScenario("Same Input");
    const before = await snapshot();
    // Keys in another order and defaults spelled out: the same canonical input.
    const same = await patch(s.id, {
      input: { seed: 3, pauseMsPerChunk: 0, samples: 20_000, terms: base.terms },
    });
    expect(same).toEqual(s);
    expect(await patch(s.id, { modelVersion: "1.0.0", baseRevision: 1 })).toEqual(s);
    expect(await patch(s.id, { name: "Same Input", input: base })).toEqual(s);
    expect(await snapshot()).toEqual(before);
  });

  it("refuses an edit based on an older revision (409) and lets exactly one of two concurrent editors win", async () => {
    const s = await createScenario("Contended");
    await patch(s.id, { input: { ...base, seed: 4 } });
    const before = await snapshot();
    const stale = await call(analyst, "PATCH", `/scenarios/${s.id}`, {
      input: { ...base, seed: 5 },
      name: "Overwritten",
      baseRevision: 1,
    });
    // Clients recognise a stale edit by its code, not by the status other conflicts share.
    expect(stale.json()).toMatchObject({
      code: "revision_conflict",
      type: "/api/v1/problems/revision_conflict",
    });
    expect(expectProblem(stale, 409).detail).toBe(
      "The scenario is at revision 2, not 1: it was saved since you loaded it. Reload it and apply your changes again.",
    );
    // Also for a rename: the editor is working from an outdated copy.
    expect(
      (await call(analyst, "PATCH", `/scenarios/${s.id}`, { name: "X", baseRevision: 1 })).statusCode,
    ).toBe(409);
    expect(await snapshot()).toEqual(before);

    const [a, b] = await Promise.all([
      call(analyst, "PATCH", `/scenarios/${s.id}`, { input: { ...base, seed: 10 }, baseRevision: 2 }),
      call(owner, "PATCH", `/scenarios/${s.id}`, { input: { ...base, seed: 20 }, baseRevision: 2 }),
    ]);
    expect([a.statusCode, b.statusCode].sort()).toEqual([200, 409]);
    const winner = a.statusCode === 200 ? a.json() : b.json();
    expect(winner.revision).toBe(3);
    const revs = await revisionRows(s.id);
    expect(revs.map((r) => r.revision)).toEqual([1, 2, 3]);
    expect(revs[2]!.input).toEqual(winner.input);
  });

  it("rejects an invalid input, an unknown version and a taken name, changing nothing", async () => {
    const s = await createScenario("Guarded");
    await createScenario("Taken");
    const before = await snapshot();
    const bad = await call(analyst, "PATCH", `/scenarios/${s.id}`, {
      name: "Guarded 2",
      input: { ...base, terms: [{ mean: 1, sd: -2 }] },
    });
    expect(expectProblem(bad, 422).errors).toEqual([
      { path: "body.input.terms.0.sd", message: "must be 0 or more" },
    ]);
    const version = await call(analyst, "PATCH", `/scenarios/${s.id}`, { modelVersion: "2.0.0" });
    expect(expectProblem(version, 404).detail).toBe(`Model ${MODEL} version 2.0.0 not found.`);
    const taken = await call(analyst, "PATCH", `/scenarios/${s.id}`, {
      name: "taken",
      input: { ...base, seed: 9 },
    });
    expect(expectProblem(taken, 409).detail).toBe('A scenario named "taken" already exists in this project.');
    const ghost = await call(analyst, "PATCH", `/scenarios/${randomUUID()}`, { name: "Ghost" });
    expect(expectProblem(ghost, 404).detail).toBe("Scenario not found.");
    expect(await snapshot()).toEqual(before);
    expect((await call(viewer, "GET", `/scenarios/${s.id}`)).json()).toEqual(s);
  });
});

describe("duplicate", () => {
  it('copies the current revision into "<name> (copy)", then "(copy 2)", keeping the source unchanged', async () => {
    const s = await createScenario("Upside", { description: "optimistic" });
    const current = await patch(s.id, { input: { ...base, seed: 11 } });
    const res = await call(analyst, "POST", `/scenarios/${s.id}/duplicate`, {});
    expect(res.statusCode).toBe(201);
    const copy = res.json();
    expect(res.headers.location).toBe(`/api/v1/scenarios/${copy.id}`);
    expect(copy).toMatchObject({
      projectId,
      modelId: MODEL,
      name: "Upside (copy)",
      description: "optimistic",
      revision: 1,
      modelVersion: current.modelVersion,
      inputHash: current.inputHash,
      input: current.input,
      createdBy: analyst.userId,
    });
    expect(copy.id).not.toBe(s.id);
    const revs = await revisionRows(copy.id);
    expect(revs).toHaveLength(1);
    expect(revs[0]!.note).toBe('Duplicated from "Upside" revision 2');

    const second = await call(analyst, "POST", `/scenarios/${s.id}/duplicate`, {});
    expect(second.json().name).toBe("Upside (copy 2)");
    const named = await call(analyst, "POST", `/scenarios/${s.id}/duplicate`, { name: "Upside, reviewed" });
    expect(named.json()).toMatchObject({ name: "Upside, reviewed", input: current.input });

    expect((await call(viewer, "GET", `/scenarios/${s.id}`)).json()).toEqual(current);
    const events = await eventsFor(copy.id);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      action: "scenario.duplicated",
      metadata: { name: "Upside (copy)", sourceId: s.id, sourceRevision: 2 },
    });
  });

  it("keeps a default copy name within 120 characters, and refuses a taken name (409)", async () => {
    const long = await createScenario("L".repeat(120));
    const copy = (await call(analyst, "POST", `/scenarios/${long.id}/duplicate`, {})).json();
    expect(copy.name).toBe(`${"L".repeat(113)} (copy)`);
    const again = (await call(analyst, "POST", `/scenarios/${long.id}/duplicate`, {})).json();
    expect(again.name).toBe(`${"L".repeat(111)} (copy 2)`);

    const before = await snapshot();
    const res = await call(analyst, "POST", `/scenarios/${long.id}/duplicate`, {
      name: copy.name.toLowerCase(),
    });
    expect(expectProblem(res, 409).detail).toBe(
      `A scenario named "${copy.name.toLowerCase()}" already exists in this project.`,
    );
    expect(await snapshot()).toEqual(before);
  });
});

describe("export and import", () => {
  it("exports the current revision as an attachment and imports it into another project unchanged", async () => {
    const s = await createScenario("Base case — 2026 (v2)", { description: "for export" });
    const current = await patch(s.id, { input: { ...base, samples: 30_000 } });
    const res = await call(viewer, "GET", `/scenarios/${s.id}/export`);
    expect(res.statusCode).toBe(200);
    expect(res.headers["content-type"]).toMatch(/^application\/json/);
    expect(res.headers["content-disposition"]).toBe(
      "attachment; filename=\"Base-case-2026-v2.scenario.json\"; filename*=UTF-8''Base%20case%20%E2%80%94%202026%20%28v2%29.scenario.json",
    );
    const doc = res.json();
    expect(doc).toEqual({
      format: "modelworks.scenario/v1",
      modelId: MODEL,
      modelVersion: "1.0.0",
      name: "Base case — 2026 (v2)",
      description: "for export",
      input: current.input,
      exportedAt: doc.exportedAt,
    });
    expect(Math.abs(Date.parse(doc.exportedAt) - Date.now())).toBeLessThan(60_000);

    const imported = await call(analyst, "POST", `/projects/${otherProjectId}/scenarios/import`, doc);
    expect(imported.statusCode).toBe(201);
    const copy = imported.json();
    expect(imported.headers.location).toBe(`/api/v1/scenarios/${copy.id}`);
    expect(copy).toMatchObject({
      projectId: otherProjectId,
      name: doc.name,
      description: "for export",
      revision: 1,
      modelVersion: "1.0.0",
      inputHash: current.inputHash,
      createdBy: analyst.userId,
    });
    expect(copy.input).toEqual(current.input);
    expect((await call(viewer, "GET", `/scenarios/${copy.id}/export`)).json()).toMatchObject({
      input: doc.input,
      modelVersion: doc.modelVersion,
    });
    expect((await revisionRows(copy.id))[0]!.note).toBe(`Imported (exported ${doc.exportedAt})`);
    expect((await eventsFor(copy.id))[0]).toMatchObject({
      action: "scenario.imported",
      metadata: { name: doc.name, projectId: otherProjectId, modelId: MODEL, exportedAt: doc.exportedAt },
    });

    // The same document again into the same project: the name is taken.
    const before = await snapshot();
    const again = await call(analyst, "POST", `/projects/${otherProjectId}/scenarios/import`, doc);
    expect(expectProblem(again, 409).detail).toBe(
      `A scenario named "${doc.name}" already exists in this project.`,
    );
    expect(await snapshot()).toEqual(before);
  });

  it("names a plain ASCII file after the scenario, falling back to 'scenario' when nothing is left", async () => {
    const plain = await createScenario("plain_name.v1");
    expect((await call(viewer, "GET", `/scenarios/${plain.id}/export`)).headers["content-disposition"]).toBe(
      "attachment; filename=\"plain_name.v1.scenario.json\"; filename*=UTF-8''plain_name.v1.scenario.json",
    );
    const symbols = await createScenario("€€€");
    expect(
      (await call(viewer, "GET", `/scenarios/${symbols.id}/export`)).headers["content-disposition"],
    ).toBe(
      "attachment; filename=\"scenario.scenario.json\"; filename*=UTF-8''%E2%82%AC%E2%82%AC%E2%82%AC.scenario.json",
    );
  });

  const doc = () => ({
    format: "modelworks.scenario/v1",
    modelId: MODEL,
    modelVersion: "1.0.0",
    name: "Imported",
    description: "",
    input: base,
    exportedAt: "2026-01-02T03:04:05.000Z",
  });

  it.each([
    [
      "another format",
      { format: "modelworks.scenario/v2" },
      "body.format",
      'must be "modelworks.scenario/v1"',
    ],
    ["no format", { format: undefined }, "body.format", 'must be "modelworks.scenario/v1"'],
    ["a bad model id", { modelId: "Bad Model" }, "body.modelId", "must be a model id such as deal-picker"],
    ["a bad version", { modelVersion: "latest" }, "body.modelVersion", "must be a version such as 1.0.0"],
    ["a blank name", { name: "" }, "body.name", "must not be blank"],
    [
      "no description",
      { description: undefined },
      "body.description",
      "Invalid input: expected string, received undefined",
    ],
    ["a bad exportedAt", { exportedAt: "yesterday" }, "body.exportedAt", "Invalid ISO datetime"],
    [
      "no exportedAt",
      { exportedAt: undefined },
      "body.exportedAt",
      "Invalid input: expected string, received undefined",
    ],
    ["no input", { input: undefined }, "body.input", "is required"],
    ["an unknown key", { id: "abc" }, "body", 'Unrecognized key: "id"'],
    [
      "an invalid input",
      { input: { ...base, samples: 0 } },
      "body.input.samples",
      "Too small: expected number to be >=1",
    ],
  ])("import with %s → 422 at %s, nothing written", async (_label, change, path, message) => {
    const before = await snapshot();
    const res = await call(analyst, "POST", `/projects/${projectId}/scenarios/import`, {
      ...doc(),
      ...change,
    });
    expect(expectProblem(res, 422).errors).toContainEqual({ path, message });
    expect(await snapshot()).toEqual(before);
  });

  it("import answers 404 for a model version that is not hosted and for an unknown project", async () => {
    const before = await snapshot();
    const version = await call(analyst, "POST", `/projects/${projectId}/scenarios/import`, {
      ...doc(),
      modelVersion: "0.9.0",
    });
    expect(expectProblem(version, 404).detail).toBe(`Model ${MODEL} version 0.9.0 not found.`);
    const project = await call(analyst, "POST", `/projects/${strangerProjectId}/scenarios/import`, doc());
    expect(expectProblem(project, 404).detail).toBe("Project not found.");
    expect(await snapshot()).toEqual(before);
  });
});

describe("list", () => {
  let listProject: string;
  const names = ["charlie", "alpha", "echo", "bravo", "delta"];
  const created: ScenarioBody[] = [];
  beforeAll(async () => {
    listProject = await createProject(analyst, "Listing");
    for (const name of names) created.push(await createScenario(name, {}, analyst, listProject));
  });

  const list = async (qs = "", project = listProject) => {
    const res = await call(viewer, "GET", `/projects/${project}/scenarios${qs}`);
    expect(res.statusCode, res.body).toBe(200);
    return res.json();
  };
  const namesOf = (page: { items: { name: string }[] }) => page.items.map((s) => s.name);

  it("lists the project's scenarios without inputs, most recently updated first", async () => {
    const page = await list();
    expect(page).toMatchObject({ total: 5, limit: 20, offset: 0 });
    expect(namesOf(page)).toEqual([...names].reverse());
    const { input: _input, ...summary } = created[0]!;
    expect(page.items.at(-1)).toEqual(summary);
    // An edit moves a scenario to the top and shows its new revision.
    await patch(created[0]!.id, { input: { ...base, seed: 99 } });
    const after = await list("?limit=2");
    expect(after).toMatchObject({ total: 5, limit: 2, offset: 0 });
    expect(after.items).toHaveLength(2);
    expect(after.items[0]).toMatchObject({ name: "charlie", revision: 2 });
    expect(after.items[1]).toMatchObject({ name: "delta", revision: 1 });
  });

  it("sorts by name or creation and paginates", async () => {
    expect(namesOf(await list("?sort=name"))).toEqual(["alpha", "bravo", "charlie", "delta", "echo"]);
    expect(namesOf(await list("?sort=-name"))).toEqual(["echo", "delta", "charlie", "bravo", "alpha"]);
    expect(namesOf(await list("?sort=createdAt"))).toEqual(names);
    const second = await list("?sort=name&limit=2&offset=2");
    expect(second).toMatchObject({ total: 5, limit: 2, offset: 2 });
    expect(namesOf(second)).toEqual(["charlie", "delta"]);
    expect(await list("?offset=10")).toMatchObject({ items: [], total: 5, offset: 10 });
  });

  it("filters by q (case-insensitive, wildcards literal) and by modelId", async () => {
    const search = await createProject(analyst, "Search");
    for (const n of ["Alpha Forecast", "beta ALPHA", "Gamma", "Growth 50% case", "Growth 500 case", "a_b"]) {
      await createScenario(n, {}, analyst, search);
    }
    const q = async (term: string) => namesOf(await list(`?q=${encodeURIComponent(term)}`, search)).sort();
    expect(await q("alpha")).toEqual(["Alpha Forecast", "beta ALPHA"]);
    expect(await q("  gAmM ")).toEqual(["Gamma"]);
    expect(await q("50%")).toEqual(["Growth 50% case"]);
    expect(await q("a_b")).toEqual(["a_b"]);
    expect(await list("?q=growth&limit=1", search)).toMatchObject({ total: 2, limit: 1 });
    expect((await list(`?modelId=${MODEL}`)).total).toBe(5);
    expect(await list("?modelId=deal-picker")).toMatchObject({ total: 0, items: [] });
  });

  it("answers 404 for an unknown project or another organization's", async () => {
    expect(expectProblem(await call(viewer, "GET", `/projects/${randomUUID()}/scenarios`), 404).detail).toBe(
      "Project not found.",
    );
    expect(
      expectProblem(await call(viewer, "GET", `/projects/${strangerProjectId}/scenarios`), 404).detail,
    ).toBe("Project not found.");
  });
});

describe("delete", () => {
  it("lets admins delete a scenario and its history; runs made from it keep their records", async () => {
    const s = await createScenario("Doomed");
    await patch(s.id, { input: { ...base, seed: 42 } });
    // No worker in this app: the run stays queued, which is enough to hold a reference.
    const run = await call(analyst, "POST", `/models/${MODEL}/runs?cache=false`, { scenarioId: s.id });
    expect(run.statusCode).toBe(202);
    expect(run.json()).toMatchObject({ scenarioId: s.id, scenarioRevision: 2, projectId });

    const byAnalyst = await call(analyst, "DELETE", `/scenarios/${s.id}`);
    expect(expectProblem(byAnalyst, 403).detail).toBe(
      "This action requires the admin role or higher; your role is analyst.",
    );
    const res = await call(admin, "DELETE", `/scenarios/${s.id}`);
    expect(res.statusCode).toBe(204);
    expect(res.body).toBe("");
    expect(expectProblem(await call(admin, "GET", `/scenarios/${s.id}`), 404).detail).toBe(
      "Scenario not found.",
    );
    expect(expectProblem(await call(admin, "DELETE", `/scenarios/${s.id}`), 404).detail).toBe(
      "Scenario not found.",
    );
    expect(await revisionRows(s.id)).toHaveLength(0);

    const [kept] = await t.database.db.select().from(runs).where(eq(runs.id, run.json().id));
    expect(kept).toMatchObject({
      scenarioId: null,
      scenarioRevision: 2,
      projectId,
      input: validated({ ...base, seed: 42 }),
    });
    const events = await eventsFor(s.id);
    expect(events.map((e) => e.action)).toEqual(["scenario.created", "scenario.updated", "scenario.deleted"]);
    expect(events[2]).toMatchObject({
      actorUserId: admin.userId,
      metadata: { name: "Doomed", projectId, modelId: MODEL, revisions: 2 },
    });
  });

  it("deleting the project deletes its scenarios", async () => {
    const doomed = await createProject(analyst, "Doomed Project");
    const s = await createScenario("Inside", {}, analyst, doomed);
    expect((await call(admin, "DELETE", `/projects/${doomed}`)).statusCode).toBe(204);
    expect(await t.database.db.select().from(scenarios).where(eq(scenarios.id, s.id))).toHaveLength(0);
    expect(await revisionRows(s.id)).toHaveLength(0);
  });
});

describe("access", () => {
  let mine: ScenarioBody;
  let theirs: ScenarioBody;
  beforeAll(async () => {
    mine = await createScenario("Access Mine");
    theirs = await createScenario("Access Theirs", {}, stranger, strangerProjectId);
  });

  const writes = (id: string, project: string): [Method, string, unknown][] => [
    ["POST", `/projects/${project}/scenarios`, { name: "New", modelId: MODEL, input: base }],
    ["PATCH", `/scenarios/${id}`, { input: { ...base, seed: 77 }, name: "Changed" }],
    ["POST", `/scenarios/${id}/duplicate`, {}],
    [
      "POST",
      `/projects/${project}/scenarios/import`,
      {
        format: "modelworks.scenario/v1",
        modelId: MODEL,
        modelVersion: "1.0.0",
        name: "Imported by",
        description: "",
        input: base,
        exportedAt: "2026-01-02T03:04:05.000Z",
      },
    ],
  ];

  it("refuses viewers every write (403) and writes nothing", async () => {
    const before = await snapshot();
    for (const [method, url, body] of writes(mine.id, projectId)) {
      const res = await call(viewer, method, url, body);
      expect(expectProblem(res, 403).detail).toBe(
        "This action requires the analyst role or higher; your role is viewer.",
      );
    }
    const del = await call(viewer, "DELETE", `/scenarios/${mine.id}`);
    expect(expectProblem(del, 403).detail).toBe(
      "This action requires the admin role or higher; your role is viewer.",
    );
    expect(await snapshot()).toEqual(before);
    expect((await call(viewer, "GET", `/scenarios/${mine.id}`)).json()).toEqual(mine);
  });

  it("answers 404 for another organization's scenario on every route, changing nothing", async () => {
    const before = await snapshot();
    for (const path of ["", "/revisions", "/revisions/1", "/diff?from=1&to=1", "/export"]) {
      const res = await call(owner, "GET", `/scenarios/${theirs.id}${path}`);
      expect(expectProblem(res, 404).detail, path).toBe("Scenario not found.");
    }
    for (const [method, url, body] of writes(theirs.id, strangerProjectId)) {
      const res = await call(owner, method, url, body);
      expect(expectProblem(res, 404).detail).toBe(
        url.startsWith("/projects") ? "Project not found." : "Scenario not found.",
      );
    }
    expect(expectProblem(await call(owner, "DELETE", `/scenarios/${theirs.id}`), 404).detail).toBe(
      "Scenario not found.",
    );
    // Nor can a run be started from it.
    const run = await call(owner, "POST", `/models/${MODEL}/runs`, { scenarioId: theirs.id });
    expect(expectProblem(run, 404).detail).toBe("Scenario not found.");
    expect(await snapshot()).toEqual(before);
    expect((await call(stranger, "GET", `/scenarios/${theirs.id}`)).json()).toEqual(theirs);
  });

  it("needs credentials (401)", async () => {
    const res = await request(t.app, null, { method: "GET", url: `/api/v1/scenarios/${mine.id}` });
    expectProblem(res, 401);
  });
});

describe("bad input: field-level 422, nothing written", () => {
  let target: ScenarioBody;
  beforeAll(async () => {
    target = await createScenario("Validation Target");
  });

  async function expectRejected(
    method: Method,
    url: string,
    payload: unknown,
    path: string,
    message: string,
  ) {
    const before = await snapshot();
    const as = method === "DELETE" ? admin : analyst;
    const res = await call(as, method, url, payload);
    const problem = expectProblem(res, 422);
    expect(problem.errors).toContainEqual({ path, message });
    expect(problem).not.toHaveProperty("stack");
    expect(await snapshot()).toEqual(before);
    expect((await call(viewer, "GET", `/scenarios/${target.id}`)).json()).toEqual(target);
  }

  it.each([
    [{ modelId: MODEL, input: base }, "body.name", "Invalid input: expected string, received undefined"],
    [{ name: "  ", modelId: MODEL, input: base }, "body.name", "must not be blank"],
    [{ name: "x".repeat(121), modelId: MODEL, input: base }, "body.name", "must be at most 120 characters"],
    [{ name: "tab\tname", modelId: MODEL, input: base }, "body.name", "must not contain control characters"],
    [{ name: "N", input: base }, "body.modelId", "Invalid input: expected string, received undefined"],
    [{ name: "N", modelId: "Bad_Id", input: base }, "body.modelId", "must be a model id such as deal-picker"],
    [
      { name: "N", modelId: MODEL, modelVersion: "1", input: base },
      "body.modelVersion",
      "must be a version such as 1.0.0",
    ],
    [{ name: "N", modelId: MODEL }, "body.input", "is required"],
    [
      { name: "N", modelId: MODEL, input: base, note: "n".repeat(501) },
      "body.note",
      "must be at most 500 characters",
    ],
    [
      { name: "N", modelId: MODEL, input: base, description: "d".repeat(2001) },
      "body.description",
      "must be at most 2000 characters",
    ],
    [{ name: "N", modelId: MODEL, input: base, revision: 1 }, "body", 'Unrecognized key: "revision"'],
  ])("POST /projects/:projectId/scenarios %j → 422 at %s", async (payload, path, message) => {
    await expectRejected("POST", `/projects/${projectId}/scenarios`, payload, path, message);
  });

  it.each([
    [{}, "body", "give at least one of name, description, input, modelVersion"],
    [{ baseRevision: 1 }, "body", "give at least one of name, description, input, modelVersion"],
    [{ note: "why" }, "body.note", "describes a new revision: give it with input or modelVersion"],
    [
      { name: "Why", note: "why" },
      "body.note",
      "describes a new revision: give it with input or modelVersion",
    ],
    [{ name: "" }, "body.name", "must not be blank"],
    [{ name: null }, "body.name", "Invalid input: expected string, received null"],
    [{ input: null }, "body.input", "Invalid input: expected object, received null"],
    [{ input: { ...base, seed: -1 } }, "body.input.seed", "Too small: expected number to be >=0"],
    [{ modelVersion: "v1" }, "body.modelVersion", "must be a version such as 1.0.0"],
    [{ name: "B", baseRevision: 0 }, "body.baseRevision", "must be a revision number"],
    [{ name: "B", baseRevision: 1.5 }, "body.baseRevision", "must be a revision number"],
    [{ name: "B", baseRevision: "1" }, "body.baseRevision", "must be a revision number"],
    [{ name: "B", modelId: MODEL }, "body", 'Unrecognized key: "modelId"'],
  ])("PATCH /scenarios/:id %j → 422 at %s", async (payload, path, message) => {
    await expectRejected("PATCH", `/scenarios/${target.id}`, payload, path, message);
  });

  it.each([
    [{ name: "" }, "body.name", "must not be blank"],
    [{ name: 7 }, "body.name", "Invalid input: expected string, received number"],
    [{ projectId: randomUUID() }, "body", 'Unrecognized key: "projectId"'],
  ])("POST /scenarios/:id/duplicate %j → 422 at %s", async (payload, path, message) => {
    await expectRejected("POST", `/scenarios/${target.id}/duplicate`, payload, path, message);
  });

  it.each([
    ["GET", "/scenarios/not-a-uuid", "params.id", "must be a UUID", undefined],
    ["PATCH", "/scenarios/not-a-uuid", "params.id", "must be a UUID", { name: "X" }],
    ["DELETE", "/scenarios/not-a-uuid", "params.id", "must be a UUID", undefined],
    ["GET", "/scenarios/not-a-uuid/revisions", "params.id", "must be a UUID", undefined],
    ["GET", "/scenarios/not-a-uuid/export", "params.id", "must be a UUID", undefined],
    ["POST", "/scenarios/not-a-uuid/duplicate", "params.id", "must be a UUID", {}],
    ["GET", "/scenarios/not-a-uuid/diff?from=1&to=2", "params.id", "must be a UUID", undefined],
    ["GET", "/projects/not-a-uuid/scenarios", "params.projectId", "must be a UUID", undefined],
    [
      "POST",
      "/projects/not-a-uuid/scenarios",
      "params.projectId",
      "must be a UUID",
      { name: "N", modelId: MODEL, input: base },
    ],
    ["POST", "/projects/not-a-uuid/scenarios/import", "params.projectId", "must be a UUID", {}],
  ] as const)("%s %s → 422 at %s", async (method, url, path, message, payload) => {
    await expectRejected(method, url, payload, path, message);
  });

  it.each([
    ["revisions/0", "params.revision"],
    ["revisions/abc", "params.revision"],
    ["revisions/1.5", "params.revision"],
    ["revisions/-1", "params.revision"],
    ["revisions/01", "params.revision"],
  ])("GET /scenarios/:id/%s → 422 at %s", async (path, at) => {
    await expectRejected(
      "GET",
      `/scenarios/${target.id}/${path}`,
      undefined,
      at,
      "must be a revision number (1, 2, …)",
    );
  });

  it.each([
    ["to=2", "query.from", "Invalid input: expected string, received undefined"],
    ["from=1", "query.to", "Invalid input: expected string, received undefined"],
    ["from=0&to=1", "query.from", "must be a revision number (1, 2, …)"],
    ["from=1&to=x", "query.to", "must be a revision number (1, 2, …)"],
    ["from=1&to=1&context=3", "query", 'Unrecognized key: "context"'],
  ])("GET /scenarios/:id/diff?%s → 422 at %s", async (qs, path, message) => {
    await expectRejected("GET", `/scenarios/${target.id}/diff?${qs}`, undefined, path, message);
  });

  it.each([
    ["limit=0", "query.limit", "must be at least 1"],
    ["limit=101", "query.limit", "must be at most 100"],
    ["offset=-1", "query.offset", "must be 0 or more"],
    ["sort=revision&x=1", "query", 'Unrecognized key: "x"'],
    ["sort=createdAt", "query.sort", "must be one of revision, -revision"],
  ])("GET /scenarios/:id/revisions?%s → 422 at %s", async (qs, path, message) => {
    await expectRejected("GET", `/scenarios/${target.id}/revisions?${qs}`, undefined, path, message);
  });

  it.each([
    ["limit=0", "query.limit", "must be at least 1"],
    ["sort=bogus", "query.sort", "must be one of updatedAt, -updatedAt, name, -name, createdAt, -createdAt"],
    [`modelId=${"m".repeat(42)}`, "query.modelId", "must be at most 41 characters"],
    ["owner=me", "query", 'Unrecognized key: "owner"'],
  ])("GET /projects/:projectId/scenarios?%s → 422 at %s", async (qs, path, message) => {
    await expectRejected("GET", `/projects/${projectId}/scenarios?${qs}`, undefined, path, message);
  });

  it("answers 400 for a body that is not JSON", async () => {
    const before = await snapshot();
    const res = await request(t.app, analyst, {
      method: "PATCH",
      url: `/api/v1/scenarios/${target.id}`,
      payload: "{not json",
      headers: { "x-organization-id": analyst.orgId, "content-type": "application/json" },
    });
    expect(expectProblem(res, 400).detail).toBe("The body is not valid JSON.");
    expect(await snapshot()).toEqual(before);
  });
});

describe("runs from a scenario (with a worker)", () => {
  let w: TestApp;
  let wOwner: OrgActor;
  beforeAll(async () => {
    w = await createTestApp(
      { INTERNAL_MODELS: "true", RUN_HEARTBEAT_MS: "100", RUN_POLL_MS: "200" },
      { worker: true },
    );
    wOwner = await createOwner(w.app, "Worker Org");
  });
  afterAll(async () => w?.close());

  it("runs the current revision and records its number; the run's input is that revision's", async () => {
    const as = (method: Method, url: string, payload?: unknown) =>
      request(w.app, wOwner, {
        method,
        url: `/api/v1${url}`,
        headers: { "x-organization-id": wOwner.orgId },
        ...(payload !== undefined ? { payload } : {}),
      });
    const project = (await as("POST", "/projects", { name: "Runs" })).json().id;
    const created = await as("POST", `/projects/${project}/scenarios`, {
      name: "Run me",
      modelId: MODEL,
      input: { ...base, samples: 5_000 },
    });
    expect(created.statusCode).toBe(201);
    const s = created.json();
    const rev2Input = {
      terms: [
        { mean: 7, sd: 1 },
        { mean: 3, sd: 2 },
        { mean: 2, sd: 2 },
      ],
      samples: 5_000,
      seed: 8,
    };
    const r2 = await as("PATCH", `/scenarios/${s.id}`, { input: rev2Input, baseRevision: 1 });
    expect(r2.json().revision).toBe(2);

    const res = await as("POST", `/models/${MODEL}/runs?wait=20&cache=false`, { scenarioId: s.id });
    expect(res.statusCode, res.body).toBe(200);
    const run = res.json();
    expect(run).toMatchObject({
      status: "succeeded",
      scenarioId: s.id,
      scenarioRevision: 2,
      projectId: project,
      modelVersion: "1.0.0",
      inputHash: r2.json().inputHash,
    });
    const revision2 = (await as("GET", `/scenarios/${s.id}/revisions/2`)).json();
    expect(run.input).toEqual(revision2.input);
    expect(run.input).toEqual(validated(rev2Input));
    expect(run.output.analyticMean).toBe(12);
    expect(run.output.analyticSd).toBe(3);
    expect(run.output.samples).toBe(5_000);

    const listed = (await as("GET", `/runs?scenarioId=${s.id}`)).json();
    expect(listed.total).toBe(1);
    expect(listed.items[0]).toMatchObject({ id: run.id, scenarioRevision: 2 });
  });
});
