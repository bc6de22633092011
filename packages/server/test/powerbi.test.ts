import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Actor, addMember, createOwner, createTestApp, request } from "./harness.ts";
import { multipart } from "./multipart.ts";
import { type FakePowerBi, startFakePowerBi } from "./powerbi-fake-server.ts";

/*
 * Publishing a dashboard to Power BI (issue 16 item 5d) through the real app, a real run worker and
 * the real client, against a local fake of the Microsoft identity platform and the Power BI REST
 * API that serves only the documented operations: connection settings (admins only, per org, the
 * secret never returned), the connection test, a publish run of 25,001 rows in three batches
 * (one answered 429 + Retry-After and retried), values equal to the CSV, bad credentials as a
 * clear failed run, cancel deleting the half-filled dataset, and undocumented calls refused.
 */
const fake: FakePowerBi = await startFakePowerBi();
const t = await createTestApp(
  {
    RUN_POLL_MS: "100",
    POWERBI_AUTHORITY_HOST: fake.authorityHost,
    POWERBI_API_BASE: fake.apiBase,
    POWERBI_MAX_RETRY_AFTER_SECONDS: "30",
    // Seals the client secret: PGlite derives one from the data directory, PostgreSQL has none unless given.
    LLM_MASTER_KEY: randomBytes(32).toString("base64"),
  },
  { worker: true },
);
afterAll(async () => {
  await t.close();
  await fake.close();
});

const TENANT = "7a1c2b3d-0000-4000-8000-00000000aaaa";
const CLIENT = "5e6f7a8b-0000-4000-8000-00000000bbbb";
const GROUP = "f089354e-8366-4e18-aea3-4cb4a3a50b48";
const SECRET = "client-secret-value-Zq9";
fake.registerApp({ tenantId: TENANT, clientId: CLIENT, clientSecret: SECRET, groups: [GROUP] });

type Who = Actor & { orgId: string };
let owner: Who;
let analyst: Who;
let other: Who;
const call = (who: Who, method: "GET" | "POST" | "PUT" | "DELETE", url: string, payload?: unknown) =>
  request(t.app, who, { method, url, payload, headers: { "x-organization-id": who.orgId } });

/** 25,001 rows: a text, a date, a whole number, a decimal number and a yes/no column, all fixed. */
const REGIONS = ["North", "South", "East", "West", "Central"];
const N = 25_001;
interface Row {
  region: string;
  day: string;
  units: number;
  price: number;
  promo: boolean;
}
const ROWS: Row[] = Array.from({ length: N }, (_, i) => ({
  region: REGIONS[i % 5]!,
  day: new Date(Date.UTC(2024, 0, 1) + (i % 700) * 86_400_000).toISOString().slice(0, 10),
  units: (i * 37) % 101,
  price: Math.round(((i * 7919) % 100_000) / 7) / 100,
  promo: i % 3 === 0,
}));
const CSV = `region,day,units,price,promo\n${ROWS.map((r) => `${r.region},${r.day},${r.units},${r.price},${r.promo}`).join("\n")}\n`;

let conversationId: string;

async function runSettled(who: Who, runId: string) {
  for (let i = 0; i < 600; i++) {
    const run = (await call(who, "GET", `/api/v1/runs/${runId}`)).json();
    if (["succeeded", "failed", "canceled"].includes(run.status)) return run;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`run ${runId} did not finish`);
}

beforeAll(async () => {
  owner = await createOwner(t.app, "Publisher");
  analyst = await addMember(t.app, owner, "analyst");
  other = await createOwner(t.app, "Other org");
  const body = multipart("sales.csv", CSV);
  const file = await request(t.app, owner, {
    method: "POST",
    url: "/api/v1/files",
    payload: body.payload,
    headers: { ...body.headers, "x-organization-id": owner.orgId },
  });
  expect(file.statusCode, file.body).toBeLessThan(300);
  const projectId = (await call(owner, "POST", "/api/v1/projects", { name: "Sales" })).json().id;
  conversationId = (await call(owner, "POST", `/api/v1/projects/${projectId}/conversations`, {})).json().id;
  const msg = await call(owner, "POST", `/api/v1/conversations/${conversationId}/messages`, {
    content: "units and price by region over time",
    fileIds: [file.json().id],
  });
  expect(msg.statusCode, msg.body).toBe(202);
  const run = await runSettled(owner, msg.json().runId);
  expect(run.status, JSON.stringify(run.error)).toBe("succeeded");
  // The reply is stored by whoever reads first.
  const c = (await call(owner, "GET", `/api/v1/conversations/${conversationId}`)).json();
  expect(c.currentRevision).toBe(1);
}, 120_000);

const publishUrl = () => `/api/v1/conversations/${conversationId}/plan-revisions/1/powerbi-publish`;

describe("Power BI connection settings", () => {
  it("publishing without a connection is refused before any run is queued", async () => {
    const res = await call(owner, "POST", publishUrl());
    expect(res.statusCode, res.body).toBe(409);
    expect(res.json().code).toBe("powerbi_not_connected");
    expect(fake.requests).toHaveLength(0);
  });

  it("is admin-only, field-validated, never returns the secret, and belongs to one organization", async () => {
    const bad = await call(owner, "PUT", "/api/v1/org/powerbi", {
      tenantId: "not a tenant!",
      clientId: "nope",
      groupId: GROUP,
    });
    expect(bad.statusCode).toBe(422);
    expect(
      bad
        .json()
        .errors.map((e: { path: string }) => e.path)
        .sort(),
    ).toEqual(["body.clientId", "body.tenantId"]);
    const noSecret = await call(owner, "PUT", "/api/v1/org/powerbi", {
      tenantId: TENANT,
      clientId: CLIENT,
      groupId: GROUP,
    });
    expect(noSecret.statusCode).toBe(422);
    expect(noSecret.json().errors[0].path).toBe("body.clientSecret");
    expect((await call(owner, "GET", "/api/v1/org/powerbi")).json().connection).toBeNull();

    const put = { tenantId: TENANT, clientId: CLIENT, groupId: GROUP, clientSecret: "wrong-secret-0000" };
    expect((await call(analyst, "PUT", "/api/v1/org/powerbi", put)).statusCode).toBe(403);
    const saved = await call(owner, "PUT", "/api/v1/org/powerbi", put);
    expect(saved.statusCode, saved.body).toBe(200);
    expect(saved.json()).toMatchObject({
      tenantId: TENANT,
      clientId: CLIENT,
      groupId: GROUP,
      secretHint: "…0000",
    });
    expect(saved.body).not.toContain("wrong-secret");
    const got = await call(owner, "GET", "/api/v1/org/powerbi");
    expect(got.json().connection.secretReadable).toBe(true);
    expect(got.body).not.toContain("wrong-secret");
    expect((await call(analyst, "GET", "/api/v1/org/powerbi")).statusCode).toBe(403);
    // Another organization sees none of it, and cannot publish this org's conversation.
    expect((await call(other, "GET", "/api/v1/org/powerbi")).json().connection).toBeNull();
    expect((await call(other, "POST", "/api/v1/org/powerbi/test")).json().code).toBe("powerbi_not_connected");
    expect((await call(other, "POST", publishUrl())).statusCode).toBe(404);
  });

  it("the connection test names a refused secret, and passes with the right one", async () => {
    const refused = await call(owner, "POST", "/api/v1/org/powerbi/test");
    expect(refused.statusCode, refused.body).toBe(422);
    expect(refused.json().code).toBe("powerbi_credentials_rejected");
    expect(refused.json().detail).toContain("AADSTS7000215");
    const token = fake.requests.find((r) => r.path.endsWith("/oauth2/v2.0/token"))!;
    expect(token.path).toBe(`/${TENANT}/oauth2/v2.0/token`);
    expect(token.body).toEqual({
      client_id: CLIENT,
      scope: "https://analysis.windows.net/powerbi/api/.default",
      client_secret: "wrong-secret-0000",
      grant_type: "client_credentials",
    });
  });
});

describe("publish runs", () => {
  it("bad credentials give a failed run with the identity platform's reason, and no dataset", async () => {
    const started = await call(analyst, "POST", publishUrl());
    expect(started.statusCode, started.body).toBe(202);
    const run = await runSettled(owner, started.json().runId);
    expect(run.status).toBe("failed");
    expect(run.error.message).toContain("refused the app's credentials");
    expect(run.error.message).toContain("AADSTS7000215");
    expect(run.error.message).not.toContain("wrong-secret");
    expect(fake.datasets.size).toBe(0);
  });

  it("pushes 25,001 rows in batches of 10,000, 10,000 and 5,001, waits out a 429, and the values equal the CSV", async () => {
    // Keep the stored ids, replace the secret; the test now passes.
    const fixed = await call(owner, "PUT", "/api/v1/org/powerbi", {
      tenantId: TENANT,
      clientId: CLIENT,
      groupId: GROUP,
      clientSecret: SECRET,
    });
    expect(fixed.statusCode).toBe(200);
    const ok = await call(owner, "POST", "/api/v1/org/powerbi/test");
    expect(ok.statusCode, ok.body).toBe(200);
    expect(ok.json().datasetsInWorkspace).toBe(0);

    fake.throttle(1, 1, 1); // the second row post answers 429, Retry-After: 1
    const before = fake.requests.length;
    const started = await call(analyst, "POST", publishUrl());
    expect(started.statusCode, started.body).toBe(202);
    const run = await runSettled(owner, started.json().runId);
    expect(run.status, JSON.stringify(run.error)).toBe("succeeded");
    expect(run.progress).toBe(1);

    const ds = fake.datasets.get(run.output.datasetId)!;
    expect(ds).toBeDefined();
    expect(ds.groupId).toBe(GROUP);
    expect(ds.batches.map((b) => b.rows)).toEqual([10_000, 10_000, 5_001]);
    const table = ds.tables[0]!;
    expect(Object.fromEntries(table.columns.map((c) => [c.name, c.dataType]))).toEqual({
      region: "String",
      day: "Datetime",
      units: "Int64",
      price: "Double",
      promo: "Boolean",
    });
    expect(table.rows).toHaveLength(N);
    const mismatches = table.rows.filter((r, i) => {
      const e = ROWS[i]!;
      return (
        r.region !== e.region ||
        r.day !== `${e.day}T00:00:00.000Z` ||
        r.units !== e.units ||
        r.price !== e.price ||
        r.promo !== e.promo
      );
    });
    expect(mismatches.slice(0, 3)).toEqual([]);

    // Calls made: token, create, 4 row posts (one 429), read back — all documented, all with the fake's token.
    const calls = fake.requests.slice(before);
    const rowPosts = calls.filter((r) => r.path.endsWith("/rows"));
    expect(rowPosts).toHaveLength(4);
    expect(
      calls.every((r) => r.path.endsWith("/token") || /^Bearer \S+$/.test(String(r.headers.authorization))),
    ).toBe(true);
    expect(calls.find((r) => r.method === "POST" && r.path.endsWith("/datasets"))?.query).toEqual({
      defaultRetentionPolicy: "None",
    });
    expect(fake.rejected).toEqual([]);
    expect(run.output).toMatchObject({
      datasetName: ds.name,
      groupId: GROUP,
      webUrl: `https://app.powerbi.com/groups/${GROUP}/datasets/${ds.id}`,
      tables: [{ name: table.name, rows: N, batches: 3 }],
      throttledRetries: 1,
    });
    expect(run.output.notPublished.join(" ")).toContain(".pbix");
  }, 60_000);

  it("stores no link when the service returns none", async () => {
    fake.webUrls = false;
    try {
      const started = await call(owner, "POST", publishUrl());
      const run = await runSettled(owner, started.json().runId);
      expect(run.status, JSON.stringify(run.error)).toBe("succeeded");
      expect(run.output.webUrl).toBeNull();
    } finally {
      fake.webUrls = true;
    }
  }, 60_000);

  it("refresh: rows replaced in the same dataset; a table whose measures changed gets PutTableInGroup first", async () => {
    const first = await runSettled(owner, (await call(owner, "POST", publishUrl())).json().runId);
    expect(first.status, JSON.stringify(first.error)).toBe("succeeded");
    const id: string = first.output.datasetId;
    const ds = fake.datasets.get(id)!;
    const datasets = fake.datasets.size;

    // The same revision again: no new dataset, no schema call, the rows replaced (not doubled).
    let before = fake.requests.length;
    const same = await call(analyst, "POST", publishUrl(), { datasetId: id });
    expect(same.statusCode, same.body).toBe(202);
    const r1 = await runSettled(owner, same.json().runId);
    expect(r1.status, JSON.stringify(r1.error)).toBe("succeeded");
    expect(r1.output).toMatchObject({
      datasetId: id,
      refreshed: true,
      schemaUpdated: [],
      tables: [{ name: ds.tables[0]!.name, rows: N, batches: 3 }],
    });
    expect(fake.datasets.size).toBe(datasets);
    expect(ds.tables[0]!.rows).toHaveLength(N);
    let calls = fake.requests
      .slice(before)
      .map((r) => `${r.method} ${r.path.split("/").slice(-2).join("/")}`);
    expect(calls.filter((c) => c.startsWith("PUT"))).toEqual([]);
    expect(calls.filter((c) => c.startsWith("DELETE"))).toEqual([`DELETE ${ds.tables[0]!.name}/rows`]);
    expect(calls.filter((c) => c.endsWith("/datasets") && c.startsWith("POST"))).toEqual([]);

    // Revision 2: a visual's sum becomes a max, so the model's measures (the table's schema) change.
    const rev1 = (
      await call(owner, "GET", `/api/v1/conversations/${conversationId}/plan-revisions/1`)
    ).json();
    type B = { channel: string; aggregation?: string; field?: { column: string } };
    type V = { id: string; kind: string; title: string; bindings: B[]; sort?: unknown; topN?: unknown };
    const v = (rev1.plan.pages as { visuals: V[] }[])
      .flatMap((p) => p.visuals)
      .find((x) => x.bindings.some((b) => b.aggregation === "sum" && b.field))!;
    expect(v).toBeDefined();
    const edited = await call(owner, "PUT", `/api/v1/conversations/${conversationId}/visuals/${v.id}`, {
      baseRevision: 1,
      visual: {
        kind: v.kind,
        title: `${v.title} (max)`,
        bindings: v.bindings.map((b) => (b.aggregation === "sum" ? { ...b, aggregation: "max" } : b)),
        ...(v.sort ? { sort: v.sort } : {}),
        ...(v.topN ? { topN: v.topN } : {}),
      },
    });
    expect(edited.statusCode, edited.body).toBe(201);
    const revision = edited.json().revision as number;
    const measuresBefore = JSON.stringify(ds.tables[0]!.measures);
    before = fake.requests.length;
    const changed = await call(
      analyst,
      "POST",
      `/api/v1/conversations/${conversationId}/plan-revisions/${revision}/powerbi-publish`,
      { datasetId: id },
    );
    expect(changed.statusCode, changed.body).toBe(202);
    const r2 = await runSettled(owner, changed.json().runId);
    expect(r2.status, JSON.stringify(r2.error)).toBe("succeeded");
    expect(r2.output).toMatchObject({ datasetId: id, refreshed: true, schemaUpdated: [ds.tables[0]!.name] });
    expect(ds.schemaUpdates).toEqual([ds.tables[0]!.name]);
    expect(JSON.stringify(ds.tables[0]!.measures)).not.toBe(measuresBefore);
    expect(ds.tables[0]!.measures!.some((m) => /^MAX\(/i.test(m.expression))).toBe(true);
    expect(ds.tables[0]!.rows).toHaveLength(N);
    // In that order: the old rows out, the new schema, then the rows.
    calls = fake.requests
      .slice(before)
      .filter((r) => r.method !== "GET" && !r.path.endsWith("/token"))
      .map((r) => `${r.method} ${r.path.split("/").slice(-2).join("/")}`);
    const t = ds.tables[0]!.name;
    expect(calls.slice(0, 3)).toEqual([`DELETE ${t}/rows`, `PUT tables/${t}`, `POST ${t}/rows`]);
    expect(fake.rejected).toEqual([]);

    // Only a dataset this dashboard published: anything else is a field error, and no run.
    const runsBefore = fake.requests.length;
    const foreign = await call(owner, "POST", publishUrl(), { datasetId: "not-one-of-ours" });
    expect(foreign.statusCode).toBe(422);
    expect(foreign.json().errors[0].path).toBe("body.datasetId");
    const extra = await call(owner, "POST", publishUrl(), { datasetId: id, name: "x" });
    expect(extra.statusCode).toBe(422);
    expect(fake.requests.length).toBe(runsBefore);

    // What the page offers to update: one entry per dataset, this one created by the first
    // publish and last updated by revision 2's.
    const listUrl = `/api/v1/conversations/${conversationId}/powerbi-publishes`;
    const list = await call(analyst, "GET", listUrl);
    expect(list.statusCode, list.body).toBe(200);
    const items = list.json().items as { datasetId: string; publishedAt: string }[];
    expect(items.find((x) => x.datasetId === id)).toEqual({
      datasetId: id,
      datasetName: r2.output.datasetName,
      publishedAt: first.finishedAt,
      updatedAt: r2.finishedAt,
      revision,
      runId: r2.id,
    });
    // Earlier tests' publishes made datasets too; each once, the newest first; failed runs made none.
    expect(items.length).toBeGreaterThan(1);
    expect(new Set(items.map((x) => x.datasetId)).size).toBe(items.length);
    expect(items.map((x) => x.publishedAt)).toEqual(
      items
        .map((x) => x.publishedAt)
        .sort()
        .reverse(),
    );
    expect((await call(other, "GET", listUrl)).statusCode).toBe(404);
  }, 120_000);

  it("a run canceled while it waits out a 429 deletes its half-filled dataset", async () => {
    fake.throttle(1, 20, 1);
    const datasetsBefore = new Set(fake.datasets.keys());
    const started = await call(owner, "POST", publishUrl());
    const runId = started.json().runId;
    // Wait until the first batch is in and the second is being waited out (its 429 answered).
    const throttledBefore = fake.throttledAnswers;
    let created: string | undefined;
    for (let i = 0; i < 400 && !created; i++) {
      await new Promise((r) => setTimeout(r, 50));
      if (fake.throttledAnswers > throttledBefore)
        created = [...fake.datasets.values()].find((d) => !datasetsBefore.has(d.id))?.id;
    }
    expect(created).toBeDefined();
    const cancel = await call(owner, "POST", `/api/v1/runs/${runId}/cancel`);
    expect(cancel.statusCode, cancel.body).toBeLessThan(300);
    const run = await runSettled(owner, runId);
    expect(run.status).toBe("canceled");
    for (let i = 0; i < 50 && fake.datasets.has(created!); i++) await new Promise((r) => setTimeout(r, 50));
    expect(fake.datasets.has(created!)).toBe(false);
    expect(fake.deleted).toContain(created);
  }, 60_000);
});

describe("the fake refuses what the documentation does not allow", () => {
  it("undocumented paths, oversized batches, wrong types and foreign tokens", async () => {
    const form = new URLSearchParams({
      client_id: CLIENT,
      client_secret: SECRET,
      scope: "https://analysis.windows.net/powerbi/api/.default",
      grant_type: "client_credentials",
    });
    const tok = (await (
      await fetch(`${fake.authorityHost}/${TENANT}/oauth2/v2.0/token`, { method: "POST", body: form })
    ).json()) as { access_token: string };
    const auth = { authorization: `Bearer ${tok.access_token}`, "content-type": "application/json" };
    // Imports exist in the real API but take .pbix; this fake (and the platform) do not use them.
    const imports = await fetch(`${fake.apiBase}/groups/${GROUP}/imports?datasetDisplayName=x.pbip`, {
      method: "POST",
      headers: auth,
      body: "{}",
    });
    expect(imports.status).toBe(404);
    expect(fake.rejected.map((r) => r.path)).toEqual([`/v1.0/myorg/groups/${GROUP}/imports`]);
    const created = (await (
      await fetch(`${fake.apiBase}/groups/${GROUP}/datasets`, {
        method: "POST",
        headers: auth,
        body: JSON.stringify({
          name: "t",
          defaultMode: "Push",
          tables: [{ name: "T", columns: [{ name: "n", dataType: "Int64" }] }],
        }),
      })
    ).json()) as { id: string };
    const rows = (n: number, v: unknown = 1) =>
      fetch(`${fake.apiBase}/groups/${GROUP}/datasets/${created.id}/tables/T/rows`, {
        method: "POST",
        headers: auth,
        body: JSON.stringify({ rows: Array.from({ length: n }, () => ({ n: v })) }),
      });
    expect((await rows(10_001)).status).toBe(400);
    expect((await rows(1, 1.5)).status).toBe(400);
    expect((await rows(10_000)).status).toBe(200);

    // A new column: rows carrying it are refused until PutTableInGroup gives the table its schema.
    const table = (path: string, body: unknown, method = "PUT") =>
      fetch(`${fake.apiBase}/groups/${GROUP}/datasets/${created.id}/tables/${path}`, {
        method,
        headers: auth,
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    const twoColumns = {
      name: "T",
      columns: [
        { name: "n", dataType: "Int64" },
        { name: "m", dataType: "Double" },
      ],
      measures: [{ name: "Total m", expression: "SUM(T[m])" }],
    };
    const withM = () =>
      fetch(`${fake.apiBase}/groups/${GROUP}/datasets/${created.id}/tables/T/rows`, {
        method: "POST",
        headers: auth,
        body: JSON.stringify({ rows: [{ n: 1, m: 2.5 }] }),
      });
    expect((await withM()).status).toBe(400);
    expect((await table("T", { ...twoColumns, name: "U" })).status).toBe(400); // not the path's name
    expect((await table("T", { ...twoColumns, partitions: [] })).status).toBe(400); // not a Table property
    expect((await table("Nope", { ...twoColumns, name: "Nope" })).status).toBe(404);
    expect((await table("T", twoColumns)).status).toBe(200);
    expect((await withM()).status).toBe(200);
    const ds = fake.datasets.get(created.id)!;
    expect(ds.schemaUpdates).toEqual(["T"]);
    expect(ds.tables[0]!.measures).toEqual(twoColumns.measures);
    expect(ds.tables[0]!.rows).toHaveLength(10_001);
    expect((await table("T/rows", undefined, "DELETE")).status).toBe(200);
    expect(ds.tables[0]!.rows).toHaveLength(0);
    // Reading one table by name is no documented operation.
    expect((await table("T", undefined, "GET")).status).toBe(404);
    expect(fake.rejected.map((r) => `${r.method} ${r.path}`)).toEqual([
      `POST /v1.0/myorg/groups/${GROUP}/imports`,
      `GET /v1.0/myorg/groups/${GROUP}/datasets/${created.id}/tables/T`,
    ]);
    const badType = await fetch(`${fake.apiBase}/groups/${GROUP}/datasets`, {
      method: "POST",
      headers: auth,
      body: JSON.stringify({
        name: "u",
        defaultMode: "Push",
        tables: [{ name: "T", columns: [{ name: "n", dataType: "Money" }] }],
      }),
    });
    expect(badType.status).toBe(400);
    const noToken = await fetch(`${fake.apiBase}/groups/${GROUP}/datasets`, {
      headers: { authorization: "Bearer forged" },
    });
    expect(noToken.status).toBe(403);
  });
});
