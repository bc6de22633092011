import { PGlite } from "@electric-sql/pglite";
import {
  type CustomerRecord,
  cellText,
  decileOf,
  type ModelArtifact,
  recordsToTable,
  sampleFieldEnds,
  sampleRecords,
  scoreProbability,
  scoringModelOf,
  tableFingerprint,
} from "@modelworks/engine-response-model";
import ExcelJS from "exceljs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Actor, addMember, createOwner, createTestApp, request } from "./harness.ts";
import { multipart } from "./multipart.ts";

/*
 * Issue 15 item 8 (with parts of 1 and 9) on the platform: a customer file uploaded and mapped,
 * a response model fitted from it, the fit made a versioned artifact, approved under the
 * deployment gate, exported as SQL that PostgreSQL runs to the engine's probabilities, and a
 * scoring run that writes the scored file — reproducing the fit's probabilities exactly.
 */
// Heartbeats every 100 ms: how soon a cancel reaches a running scoring run.
const t = await createTestApp({ RUN_HEARTBEAT_MS: "100", RUN_POLL_MS: "200" }, { worker: true });
afterAll(async () => t.close());

type Org = Actor & { orgId: string };
let owner: Org;
let analyst: Org;
let other: Org;
const as = (who: Org) => (method: "GET" | "POST", url: string, payload?: unknown) =>
  request(t.app, who, {
    method,
    url,
    headers: { "x-organization-id": who.orgId },
    ...(payload === undefined ? {} : { payload }),
  });

async function upload(who: Org, name: string, content: string): Promise<string> {
  const body = multipart(name, content);
  const res = await t.app.inject({
    method: "POST",
    url: "/api/v1/files",
    payload: body.payload,
    headers: {
      ...body.headers,
      cookie: who.cookie,
      "x-csrf-token": who.csrf,
      "x-organization-id": who.orgId,
    },
  });
  if (res.statusCode !== 201) throw new Error(`upload: ${res.statusCode} ${res.body}`);
  return res.json().id;
}

/** The prototype's sample as a client would send it: an ID column, the response flag as Y/N. */
const SAMPLE = sampleRecords("campaigniq");
const FIELDS = Object.keys(SAMPLE[0]!).filter((f) => f !== "TARGET");
function clientCsv(rows: Record<string, string>[]): string {
  const lines = [["Customer ID", ...FIELDS, "Responded"].join(",")];
  rows.forEach((r, i) => {
    lines.push([`C${100000 + i}`, ...FIELDS.map((f) => r[f] ?? ""), r.TARGET === "1" ? "Y" : "N"].join(","));
  });
  return `${lines.join("\r\n")}\r\n`;
}

const FIT = {
  target: "TARGET",
  idField: "INDIVIDUALID",
  fieldEnds: sampleFieldEnds(),
  folds: 3,
  lambdaCount: 20,
  selectionMaxSteps: 0,
};

/** The fitted model's probabilities on the rows it was fitted from (engine arithmetic). */
const expectedProbabilities = () =>
  scoreProbability(scoringModelOf(fit.output.artifact), recordsToTable(fit.input.records));

async function waitRun(who: Org, id: string) {
  for (let i = 0; i < 600; i++) {
    const run = (await as(who)("GET", `/api/v1/runs/${id}`)).json();
    if (["succeeded", "failed", "canceled"].includes(run.status)) return run;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`run ${id} did not finish`);
}

let fileId: string;
let mappingId: string;
let fit: {
  id: string;
  status: string;
  input: { records: CustomerRecord[] };
  output: Record<string, unknown> & { artifact: ModelArtifact };
};
let gateFailRunId: string;

beforeAll(async () => {
  owner = await createOwner(t.app, "Agency A");
  analyst = await addMember(t.app, owner, "analyst");
  other = await createOwner(t.app, "Agency B");
  fileId = await upload(owner, "client.csv", clientCsv(SAMPLE));
  const mapping = await as(owner)("POST", "/api/v1/field-mappings", {
    name: "Client layout",
    schema: "customer-response",
    columns: [
      { target: "INDIVIDUALID", source: "Customer ID", cast: "string" },
      { target: "TARGET", source: "Responded", cast: "integer", valueMap: { Y: 1, N: 0 } },
    ],
  });
  expect(mapping.statusCode, mapping.body).toBe(201);
  mappingId = mapping.json().id;
  const res = await as(owner)("POST", "/api/v1/models/response-model/runs?wait=60&cache=false", {
    input: FIT,
    data: { fileId, mappingId },
  });
  expect(res.statusCode, res.body).toBe(200);
  fit = await waitRun(owner, res.json().id);
  expect(fit.status, JSON.stringify((fit as { error?: unknown }).error)).toBe("succeeded");
  const failing = await as(owner)("POST", "/api/v1/models/response-model/runs?wait=60&cache=false", {
    input: { ...FIT, gateTopDecileLift: 20 },
    data: { fileId, mappingId },
  });
  expect(failing.statusCode, failing.body).toBe(200);
  gateFailRunId = failing.json().id;
}, 240_000);

describe("the fit's model report (issue 15 item 9)", () => {
  it("downloads through the runs' export route as Excel and PDF, for the run's org only", async () => {
    const model = (
      await request(t.app, null, { method: "GET", url: "/api/v1/models/response-model" })
    ).json();
    expect(
      model.documents.map((d: { name: string; formats: string[] }) => [d.name, d.formats]),
    ).toContainEqual(["model-report", ["xlsx", "pdf", "docx"]]);
    const xlsx = await as(analyst)("GET", `/api/v1/runs/${fit.id}/export?format=xlsx&document=model-report`);
    expect(xlsx.statusCode, xlsx.body).toBe(200);
    expect(xlsx.headers["content-disposition"]).toMatch(/-model-report\.xlsx"$/);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(xlsx.rawPayload as unknown as ExcelJS.Buffer);
    const summary = wb.getWorksheet("Summary")!;
    let aucRow = 0;
    summary.eachRow((row, n) => {
      if (row.getCell(1).value === "AUC") aucRow = n;
    });
    // The artifact's holdout AUC is the run's (the report reads the run's output).
    expect(summary.getCell(aucRow, 2).value).toBe(fit.output.artifact.metrics.holdoutAuc);
    const pdf = await as(owner)("GET", `/api/v1/runs/${fit.id}/export?format=pdf&document=model-report`);
    expect(pdf.statusCode).toBe(200);
    expect(pdf.rawPayload.subarray(0, 5).toString("latin1")).toBe("%PDF-");
    const stranger = await as(other)("GET", `/api/v1/runs/${fit.id}/export?format=pdf&document=model-report`);
    expect(stranger.statusCode).toBe(404);
  }, 120_000);
});

describe("the model's examples name the bundled sample", () => {
  it("GET /models/response-model is small, and its first example still fits 2,500 rows", async () => {
    const res = await request(t.app, null, { method: "GET", url: "/api/v1/models/response-model" });
    expect(res.statusCode).toBe(200);
    expect(res.body.length).toBeLessThan(100_000);
    const example = res.json().examples[0].input;
    expect(example.sampleData).toBe("campaigniq");
    expect(example.records).toBeUndefined();
  });
});

describe("fit from a stored file through a saved mapping", () => {
  it("reads every row, maps the ID and the flag, passes the other columns through", () => {
    const records = fit.input.records;
    expect(records).toHaveLength(2500);
    expect(records[0]!.INDIVIDUALID).toBe("C100000");
    expect(records.filter((r) => r.TARGET === 1)).toHaveLength(709);
    expect(records.filter((r) => r.TARGET === 0)).toHaveLength(1791);
    expect(records[0]).not.toHaveProperty("Responded");
    expect(records[0]).not.toHaveProperty("Customer ID");
    expect(Object.keys(records[0]!)).toHaveLength(FIELDS.length + 2);
    const artifact = fit.output.artifact;
    expect(artifact.trainedRows).toBe(2000); // the 80 % training part; 500 held out
    expect(artifact.idField).toBe("INDIVIDUALID");
    expect(artifact.dataFingerprint).toBe(tableFingerprint(recordsToTable(records)));
  });

  it("refuses rows both inline and from a file, another organization's file, and unmappable cells", async () => {
    const both = await as(owner)("POST", "/api/v1/models/response-model/runs", {
      input: { ...FIT, records: [{ TARGET: 1 }] },
      data: { fileId, mappingId },
    });
    expect(both.statusCode).toBe(422);
    expect(both.json().errors[0].path).toBe("body.input.records");
    const foreign = await as(other)("POST", "/api/v1/models/response-model/runs", {
      input: FIT,
      data: { fileId },
    });
    expect(foreign.statusCode).toBe(404);
    const badId = await upload(
      owner,
      "bad.csv",
      clientCsv(SAMPLE.slice(0, 150)).replace(",Y\r\n", ",maybe\r\n"),
    );
    const bad = await as(owner)("POST", "/api/v1/models/response-model/runs", {
      input: FIT,
      data: { fileId: badId, mappingId },
    });
    expect(bad.statusCode, bad.body).toBe(422);
    expect(bad.json().code).toBe("input_invalid");
    expect(bad.json().errors).toEqual([
      expect.objectContaining({ path: expect.stringMatching(/^body\.data\.rows\.\d+\.TARGET$/) }),
    ]);
  });
});

describe("model artifacts: versions, approval under the gate, retirement", () => {
  let first: { id: string; version: number; state: string };
  let gateFailed: { id: string };

  beforeAll(async () => {
    const a = await as(analyst)("POST", "/api/v1/model-artifacts", { runId: fit.id, name: "Spring mailing" });
    expect(a.statusCode, a.body).toBe(201);
    first = a.json();
    const failRun = await waitRun(owner, gateFailRunId);
    expect(failRun.status).toBe("succeeded");
    expect(failRun.output.kpis.gatePass).toBe(false);
    const b = await as(analyst)("POST", "/api/v1/model-artifacts", {
      runId: gateFailRunId,
      name: "Deep mailing",
    });
    expect(b.statusCode, b.body).toBe(201);
    gateFailed = b.json();
  }, 120_000);

  it("a draft carries the fit's provenance and metrics; the next of a name is the next version", async () => {
    expect(first).toMatchObject({
      version: 1,
      state: "draft",
      sourceRunId: fit.id,
      modelId: "response-model",
      dataFingerprint: fit.output.artifact.dataFingerprint,
      trainedRows: 2000,
      metrics: fit.output.artifact.metrics,
    });
    const again = await as(analyst)("POST", "/api/v1/model-artifacts", {
      runId: fit.id,
      name: "SPRING MAILING",
    });
    expect(again.json().version).toBe(2);
    const list = (await as(owner)("GET", "/api/v1/model-artifacts?name=spring%20mailing")).json();
    expect(list.items.map((i: { version: number }) => i.version)).toEqual([2, 1]);
  });

  it("approval is an admin's; a passing gate approves; a failed gate needs a reason", async () => {
    expect((await as(analyst)("POST", `/api/v1/model-artifacts/${first.id}/approve`, {})).statusCode).toBe(
      403,
    );
    expect(fit.output.artifact.metrics.gatePass).toBe(true);
    const ok = await as(owner)("POST", `/api/v1/model-artifacts/${first.id}/approve`, {});
    expect(ok.statusCode, ok.body).toBe(200);
    expect(ok.json()).toMatchObject({
      state: "approved",
      approvedBy: owner.userId,
      gateOverrideReason: null,
    });
    const twice = await as(owner)("POST", `/api/v1/model-artifacts/${first.id}/approve`, {});
    expect(twice.json().code).toBe("artifact_state_conflict");

    const refused = await as(owner)("POST", `/api/v1/model-artifacts/${gateFailed.id}/approve`, {});
    expect(refused.statusCode).toBe(409);
    expect(refused.json().code).toBe("model_gate_failed");
    expect(refused.json().errors[0].path).toBe("body.overrideReason");
    expect((await as(owner)("GET", `/api/v1/model-artifacts/${gateFailed.id}`)).json().state).toBe("draft");
    const short = await as(owner)("POST", `/api/v1/model-artifacts/${gateFailed.id}/approve`, {
      overrideReason: "ok",
    });
    expect(short.statusCode).toBe(422);
    const reason = "Client accepts a lift of 1.9 for this reactivation test cell";
    const overridden = await as(owner)("POST", `/api/v1/model-artifacts/${gateFailed.id}/approve`, {
      overrideReason: reason,
    });
    expect(overridden.statusCode, overridden.body).toBe(200);
    expect(overridden.json()).toMatchObject({ state: "approved", gateOverrideReason: reason });

    const retired = await as(owner)("POST", `/api/v1/model-artifacts/${gateFailed.id}/retire`);
    expect(retired.json()).toMatchObject({ state: "retired", retiredBy: owner.userId });
    expect((await as(owner)("POST", `/api/v1/model-artifacts/${gateFailed.id}/retire`)).statusCode).toBe(409);

    const audit = (
      await as(owner)("GET", `/api/v1/org/audit-events?action=model_artifact.*&targetId=${gateFailed.id}`)
    ).json();
    const actions = audit.items.map((e: { action: string }) => e.action).sort();
    expect(actions).toEqual(["model_artifact.approved", "model_artifact.created", "model_artifact.retired"]);
    const approved = audit.items.find((e: { action: string }) => e.action === "model_artifact.approved");
    expect(approved.metadata).toMatchObject({ gatePass: false, overrideReason: reason });
  });

  it("downloads the artifact `modelworks score` reads, exactly the fit's", async () => {
    const res = await as(owner)("GET", `/api/v1/model-artifacts/${first.id}/download`);
    expect(res.statusCode).toBe(200);
    expect(res.headers["content-disposition"]).toContain("Spring-mailing-v1.json");
    expect(res.json()).toEqual(fit.output.artifact);
  });

  it("another organization sees none of it (404), and bad requests name the field", async () => {
    const b = as(other);
    for (const [method, url, body] of [
      ["GET", `/api/v1/model-artifacts/${first.id}`],
      ["GET", `/api/v1/model-artifacts/${first.id}/download`],
      ["GET", `/api/v1/model-artifacts/${first.id}/sql?dialect=duckdb`],
      ["POST", `/api/v1/model-artifacts/${first.id}/approve`, {}],
      ["POST", `/api/v1/model-artifacts/${first.id}/retire`],
      ["POST", `/api/v1/model-artifacts/${first.id}/scoring-runs`, { fileId }],
      ["POST", "/api/v1/model-artifacts", { runId: fit.id, name: "Stolen" }],
    ] as const)
      expect((await b(method, url, body)).statusCode, `${method} ${url}`).toBe(404);
    expect((await b("GET", "/api/v1/model-artifacts")).json().total).toBe(0);
    const notUuid = await as(owner)("POST", "/api/v1/model-artifacts", { runId: "x", name: "N" });
    expect(notUuid.statusCode).toBe(422);
    expect(notUuid.json().errors[0].path).toBe("body.runId");
    const dialect = await as(owner)("GET", `/api/v1/model-artifacts/${first.id}/sql?dialect=oracle`);
    expect(dialect.statusCode).toBe(422);
    expect(dialect.json().errors[0].path).toBe("query.dialect");
  });

  it("the SQL export, run in PostgreSQL (PGlite), gives the engine's probabilities to 1e-12", async () => {
    const res = await as(owner)(
      "GET",
      `/api/v1/model-artifacts/${first.id}/sql?dialect=postgresql&table=crm.customers`,
    );
    expect(res.statusCode).toBe(200);
    const records = fit.input.records;
    const names = Object.keys(records[0]!);
    const pg = new PGlite();
    try {
      await pg.exec("CREATE SCHEMA crm");
      await pg.exec(`CREATE TABLE crm.customers (${names.map((n) => `"${n}" VARCHAR`).join(", ")})`);
      const q = (v: string | null) => (v === null ? "NULL" : `'${v.replaceAll("'", "''")}'`);
      for (let s = 0; s < records.length; s += 500)
        await pg.exec(
          `INSERT INTO crm.customers VALUES ${records
            .slice(s, s + 500)
            .map((r) => `(${names.map((n) => q(cellText(r[n]))).join(", ")})`)
            .join(", ")}`,
        );
      const rows = (await pg.query<{ INDIVIDUALID: string; probability: number }>(res.body)).rows;
      const expected = scoreProbability(scoringModelOf(fit.output.artifact), recordsToTable(records));
      const at = new Map(records.map((r, i) => [r.INDIVIDUALID as string, i]));
      expect(rows).toHaveLength(2500);
      let worst = 0;
      for (const r of rows)
        worst = Math.max(worst, Math.abs(Number(r.probability) - expected[at.get(r.INDIVIDUALID)!]!));
      expect(worst).toBeLessThan(1e-12);
    } finally {
      await pg.close();
    }
  }, 60_000);

  it("scoring the training file reproduces the fit's probabilities exactly, as a run with a stored CSV", async () => {
    const started = await as(analyst)("POST", `/api/v1/model-artifacts/${first.id}/scoring-runs`, {
      fileId,
      mappingId,
    });
    expect(started.statusCode, started.body).toBe(202);
    expect(started.json()).toMatchObject({ modelId: "response-model-score", status: "queued" });
    const run = await waitRun(owner, started.json().id);
    expect(run.status, JSON.stringify(run.error)).toBe("succeeded");
    expect(run.progress).toBe(1);
    const out = run.output;
    expect(out).toMatchObject({ artifactId: first.id, fileId, rows: 2500, unseenLevels: 0 });
    // Deciles by the fit's cut-offs: a tenth of the rows each, give or take the rows tied at a cut-off.
    const expectedDeciles = new Array<number>(10).fill(0);
    for (const p of expectedProbabilities())
      expectedDeciles[decileOf(fit.output.artifact.decileCutoffs, p) - 1]!++;
    expect(out.byDecile).toEqual(expectedDeciles);
    for (const n of out.byDecile) expect(Math.abs(n - 250)).toBeLessThanOrEqual(5);
    expect(Object.values(out.byTier as Record<string, number>).reduce((s, n) => s + n, 0)).toBe(2500);

    const csv = await as(owner)("GET", `/api/v1/files/${out.scoredFileId}/download`);
    expect(csv.statusCode).toBe(200);
    const lines = csv.body.trim().split("\r\n");
    expect(lines[0]).toBe("customer_id,probability,points,decile,tier");
    expect(lines).toHaveLength(2501);
    const expected = expectedProbabilities();
    let mismatches = 0;
    lines.slice(1).forEach((line, i) => {
      const [id, p] = line.split(",");
      if (id !== `C${100000 + i}` || Number(p) !== expected[i]) mismatches++;
    });
    expect(mismatches).toBe(0);
    const stored = (await as(owner)("GET", `/api/v1/files/${out.scoredFileId}`)).json();
    expect(stored).toMatchObject({ rowCount: 2500, columnCount: 5 });
  }, 60_000);

  it("a draft scores only when asked, a retired one never; unseen levels are counted", async () => {
    const draft = (await as(owner)("GET", "/api/v1/model-artifacts?name=spring%20mailing&state=draft")).json()
      .items[0];
    const refused = await as(owner)("POST", `/api/v1/model-artifacts/${draft.id}/scoring-runs`, {
      fileId,
      mappingId,
    });
    expect(refused.statusCode).toBe(409);
    expect(refused.json().code).toBe("artifact_not_approved");
    const retired = await as(owner)("POST", `/api/v1/model-artifacts/${gateFailed.id}/scoring-runs`, {
      fileId,
      allowDraft: true,
    });
    expect(retired.json().code).toBe("artifact_not_approved");

    // A new file: 300 customers, three from a neighbourhood cluster the fit never saw.
    const rows = SAMPLE.slice(0, 300).map((r, i) => (i < 3 ? { ...r, BUBBLES: "Lunar Suburbs" } : r));
    const newFile = await upload(owner, "new.csv", clientCsv(rows));
    const started = await as(owner)("POST", `/api/v1/model-artifacts/${draft.id}/scoring-runs`, {
      fileId: newFile,
      mappingId,
      allowDraft: true,
    });
    expect(started.statusCode, started.body).toBe(202);
    const run = await waitRun(owner, started.json().id);
    expect(run.status, JSON.stringify(run.error)).toBe("succeeded");
    expect(run.output.rows).toBe(300);
    expect(run.output.unseenLevels).toBe(3);
    expect(run.output.fields.find((f: { field: string }) => f.field === "BUBBLES")).toMatchObject({
      unseenLevels: 3,
      examples: ["Lunar Suburbs"],
    });
  }, 60_000);

  it("a running scoring run cancels between chunks and stores no scored file", async () => {
    const approved = (
      await as(owner)("GET", "/api/v1/model-artifacts?state=approved&name=spring%20mailing")
    ).json().items[0];
    // 600,000 customers of whom only the ID is known: every model field scores as missing.
    const ids = Array.from({ length: 600_000 }, (_, i) => `X${i}`);
    const big = await upload(owner, "big.csv", `INDIVIDUALID\n${ids.join("\n")}\n`);
    const filesBefore = (await as(owner)("GET", "/api/v1/files?limit=1")).json().total;
    const started = await as(owner)("POST", `/api/v1/model-artifacts/${approved.id}/scoring-runs`, {
      fileId: big,
    });
    expect(started.statusCode, started.body).toBe(202);
    const id = started.json().id;
    let seen = { status: "queued", progress: 0 };
    for (let i = 0; i < 600 && !(seen.status === "running" && seen.progress > 0); i++) {
      await new Promise((r) => setTimeout(r, 50));
      seen = (await as(owner)("GET", `/api/v1/runs/${id}`)).json();
    }
    expect(seen).toMatchObject({ status: "running" });
    expect(seen.progress).toBeGreaterThan(0);
    expect(seen.progress).toBeLessThan(0.95);
    expect((await as(owner)("POST", `/api/v1/runs/${id}/cancel`)).statusCode).toBe(202);
    const run = await waitRun(owner, id);
    expect(run.status).toBe("canceled");
    expect(run.output).toBeNull();
    expect((await as(owner)("GET", "/api/v1/files?limit=1")).json().total).toBe(filesBefore);
  }, 120_000);
});
