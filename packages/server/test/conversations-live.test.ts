import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunEvent } from "../src/runs/events.ts";
import { type Actor, createOwner, createTestApp, request, type TestApp } from "./harness.ts";
import { type FakeLlmServer, type FakeRequest, startFakeLlmServer } from "./llm-fake-server.ts";
import { multipart } from "./multipart.ts";

/*
 * Issue 16's live parts of dashboard conversations, through the real app, a real run worker and
 * the local fake model provider: replies streamed as run events while the run works; a slicer's
 * values from the plan's compiled query; a re-uploaded file refreshing the dashboard.
 */
const REPLY =
  "Your dashboard shows revenue and units by region and month. The bars rank regions by revenue, " +
  "and the trend follows revenue over the year.";

let fake: FakeLlmServer;
let t: TestApp;
let owner: Actor & { orgId: string };
let projectId: string;
/** The plan the fake model answers with (the built-in plan of the first conversation). */
let modelPlan: unknown = null;

/** Structured calls get the plan; streamed ones the reply, word by word, 40 ms apart. */
const answerFor = (r: FakeRequest) =>
  r.body.stream ? { answer: REPLY, chunkDelayMs: 40 } : { answer: modelPlan ?? { nope: true } };

const call = (method: "GET" | "POST" | "PATCH" | "DELETE", url: string, payload?: unknown) =>
  request(t.app, owner, { method, url, payload, headers: { "x-organization-id": owner.orgId } });

const REGIONS = ["North", "South", "East", "West", "Central"];
interface Sale {
  region: string;
  month: string;
  units: number;
  revenue: number;
}
function sales(scale: number): Sale[] {
  const out: Sale[] = [];
  for (let m = 1; m <= 12; m++)
    REGIONS.forEach((region, i) => {
      const units = (((m * 7 + i * 13) % 23) + 5) * scale;
      out.push({
        region,
        month: `2025-${String(m).padStart(2, "0")}-01`,
        units,
        revenue: Math.round(units * (19.5 + i * 2.25) * 100) / 100,
      });
    });
  return out;
}
const csvOf = (rows: Sale[]) =>
  `region,month,units,revenue\n${rows.map((s) => `${s.region},${s.month},${s.units},${s.revenue}`).join("\n")}\n`;

async function upload(name: string, content: string): Promise<string> {
  const body = multipart(name, content);
  const res = await request(t.app, owner, {
    method: "POST",
    url: "/api/v1/files",
    payload: body.payload,
    headers: { ...body.headers, "x-organization-id": owner.orgId },
  });
  expect(res.statusCode, res.body).toBeLessThan(300);
  return res.json().id;
}

async function settled(conversationId: string, runId: string) {
  for (let i = 0; i < 300; i++) {
    const run = (await call("GET", `/api/v1/runs/${runId}`)).json();
    if (["succeeded", "failed", "canceled"].includes(run.status)) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  return (await call("GET", `/api/v1/conversations/${conversationId}`)).json();
}

async function newConversation(title: string): Promise<string> {
  const res = await call("POST", `/api/v1/projects/${projectId}/conversations`, { title });
  expect(res.statusCode, res.body).toBe(201);
  return res.json().id;
}

let salesFileId: string;
/** The built-in conversation: plan revision 1 over sales.csv. */
let builtInId: string;

beforeAll(async () => {
  fake = await startFakeLlmServer();
  fake.fallback = answerFor;
  t = await createTestApp(
    {
      RUN_POLL_MS: "100",
      LLM_PROVIDER: "openai",
      LLM_BASE_URL: fake.url,
      LLM_API_KEY: "sk-platform-key-1234",
      LLM_MODEL: "gpt-4o-mini",
      LLM_RETRY_BASE_MS: "10",
    },
    { worker: true },
  );
  owner = await createOwner(t.app, "Live dashboards");
  projectId = (await call("POST", "/api/v1/projects", { name: "Sales" })).json().id;
  salesFileId = await upload("sales.csv", csvOf(sales(1)));
  builtInId = await newConversation("Built-in");
  const posted = await call("POST", `/api/v1/conversations/${builtInId}/messages`, {
    content: "sales by region",
    fileIds: [salesFileId],
    planner: "built-in",
  });
  expect(posted.statusCode, posted.body).toBe(202);
  const c = await settled(builtInId, posted.json().runId);
  expect(c.currentRevision).toBe(1);
}, 240_000);
afterAll(async () => {
  await t?.close();
  await fake?.close();
});

describe("streamed replies", () => {
  it("the built-in planner's reply is worded by the server, with no model call", async () => {
    const c = (await call("GET", `/api/v1/conversations/${builtInId}`)).json();
    const reply = c.messages.find((m: { role: string }) => m.role === "assistant");
    expect(reply.status).toBe("done");
    expect(reply.content).toMatch(
      /^"sales dashboard": 8 visuals on 2 pages, planned by the built-in rules\.\n/,
    );
    expect(fake.requests).toHaveLength(0);
  });

  it("streams the model's reply as run events before the run ends; the stored reply is their concatenation", async () => {
    modelPlan = (await call("GET", `/api/v1/conversations/${builtInId}/plan-revisions/1`)).json().plan;
    const id = await newConversation("By the model");
    const posted = await call("POST", `/api/v1/conversations/${id}/messages`, {
      content: "revenue by region, please",
      fileIds: [salesFileId],
    });
    expect(posted.statusCode, posted.body).toBe(202);
    const runId = posted.json().runId;
    // Heard in order on the run's event bus (what the SSE route forwards) and over SSE itself.
    const heard: RunEvent[] = [];
    const unsubscribe = await t.app.deps.bus.subscribe(runId, (e) => heard.push(e));
    const sse = await request(t.app, owner, {
      method: "GET",
      url: `/api/v1/runs/${runId}/events`,
      headers: { "x-organization-id": owner.orgId },
    });
    const c = await settled(id, runId);
    unsubscribe();

    const reply = c.messages.find((m: { role: string }) => m.role === "assistant");
    expect(reply.status).toBe("done");
    expect(reply.content).toBe(REPLY);
    const texts = heard.filter((e) => e.text !== undefined);
    // Several deltas (the words come 40 ms apart, events at most every 100 ms), all before the end.
    expect(texts.length).toBeGreaterThan(2);
    const end = heard.findIndex((e) => ["succeeded", "failed", "canceled"].includes(e.status));
    expect(end).toBeGreaterThan(heard.lastIndexOf(texts.at(-1)!));
    expect(texts.every((e) => e.status === "running")).toBe(true);
    expect(texts.map((e) => e.text).join("")).toBe(REPLY);
    const sseTexts = [...sse.body.matchAll(/event: text\n.*\ndata: (.*)\n/g)].map(
      (m) => JSON.parse(m[1]!).text,
    );
    expect(sseTexts.join("")).toBe(REPLY);
    expect(sse.body.indexOf("event: text")).toBeLessThan(sse.body.indexOf("event: status"));
    // One structured call for the plan, one streamed call for the reply.
    expect(fake.requests.map((r) => r.body.stream === true)).toEqual([false, true]);
    const run = (await call("GET", `/api/v1/runs/${runId}`)).json();
    expect(run.output.generatedBy).toEqual({ provider: "openai", model: "gpt-4o-mini" });
    expect(run.output.reply).toBe(REPLY);
  }, 120_000);
});

/** Orders with uneven region counts, so ordering by frequency means something. */
const ORDER_REGIONS = ["Alpha", "Alder", "Beta", "Birch", "Cedar", "Delta", "Dune", "echo"];
const ORDERS = Array.from({ length: 240 }, (_, i) => ({
  region: ORDER_REGIONS[(i * i + (i % 5)) % ORDER_REGIONS.length]!,
  month: `2025-${String((i % 12) + 1).padStart(2, "0")}-01`,
  amount: ((i * 37) % 101) + 0.5,
}));
const ordersCsv = `region,month,amount\n${ORDERS.map((o) => `${o.region},${o.month},${o.amount}`).join("\n")}\n`;

/** The JS side: distinct regions with counts over the rows kept, ordered like the endpoint. */
function expectedValues(rows: typeof ORDERS, order: "value" | "frequency") {
  const counts = new Map<string, number>();
  for (const r of rows) counts.set(r.region, (counts.get(r.region) ?? 0) + 1);
  const list = [...counts].map(([value, count]) => ({ value, count }));
  const byValue = (a: { value: string }, b: { value: string }) =>
    a.value < b.value ? -1 : a.value > b.value ? 1 : 0;
  return order === "value" ? list.sort(byValue) : list.sort((a, b) => b.count - a.count || byValue(a, b));
}

describe("slicer values", () => {
  let ordersConversation: string;
  let slicerId: string;
  const url = (id = slicerId) =>
    `/api/v1/conversations/${ordersConversation}/plan-revisions/1/slicers/${encodeURIComponent(id)}/values`;

  beforeAll(async () => {
    const fileId = await upload("orders.csv", ordersCsv);
    ordersConversation = await newConversation("Orders");
    const posted = await call("POST", `/api/v1/conversations/${ordersConversation}/messages`, {
      content: "amount by region",
      fileIds: [fileId],
      planner: "built-in",
    });
    expect(posted.statusCode, posted.body).toBe(202);
    await settled(ordersConversation, posted.json().runId);
    const plan = (await call("GET", `/api/v1/conversations/${ordersConversation}/plan-revisions/1`)).json()
      .plan;
    const slicer = plan.pages
      .flatMap((p: { slicers: unknown[] }) => p.slicers)
      .find((s: { field: { column: string } }) => s.field.column === "region");
    expect(slicer, JSON.stringify(plan.pages.map((p: { slicers: unknown }) => p.slicers))).toBeTruthy();
    slicerId = slicer.id;
  }, 120_000);

  it("lists the distinct values with their row counts, by value or by frequency, equal to a JS count over the CSV", async () => {
    const byValue = await call("POST", url(), {});
    expect(byValue.statusCode, byValue.body).toBe(200);
    expect(byValue.json()).toEqual({
      revision: 1,
      slicerId,
      values: expectedValues(ORDERS, "value"),
      truncated: false,
    });
    const byFrequency = (await call("POST", url(), { order: "frequency" })).json();
    expect(byFrequency.values).toEqual(expectedValues(ORDERS, "frequency"));
    // The counts really differ, so the two orders are not the same list.
    expect(byFrequency.values).not.toEqual(byValue.json().values);
  });

  it("searches by prefix ignoring case, bounds the list, and follows the other filters", async () => {
    const a = (await call("POST", url(), { prefix: "a" })).json();
    expect(a.values).toEqual(
      expectedValues(
        ORDERS.filter((o) => o.region.toLowerCase().startsWith("a")),
        "value",
      ),
    );
    expect(a.values.map((v: { value: string }) => v.value)).toEqual(["Alder", "Alpha"]);
    const e = (await call("POST", url(), { prefix: "E" })).json();
    expect(e.values.map((v: { value: string }) => v.value)).toEqual(["echo"]);
    const top3 = (await call("POST", url(), { order: "frequency", limit: 3 })).json();
    expect(top3.values).toEqual(expectedValues(ORDERS, "frequency").slice(0, 3));
    expect(top3.truncated).toBe(true);
    // A cross-filter on two months: the values and counts of those months' rows only.
    const months = ["2025-03-01", "2025-04-01"];
    const filtered = await call("POST", url(), {
      order: "frequency",
      selections: [{ field: { table: "orders", column: "month" }, values: months }],
    });
    expect(filtered.statusCode, filtered.body).toBe(200);
    const kept = ORDERS.filter((o) => months.includes(o.month));
    expect(filtered.json().values).toEqual(expectedValues(kept, "frequency"));
    expect(filtered.json().values.reduce((n: number, v: { count: number }) => n + v.count, 0)).toBe(
      kept.length,
    );
    // The slicer's own state never narrows its choices.
    const own = (await call("POST", url(), { slicers: { [slicerId]: { values: ["Beta"] } } })).json();
    expect(own.values).toEqual(expectedValues(ORDERS, "value"));
  });

  it("answers 422 at the field's path for an unknown field, slicer or value, and 404 for another org", async () => {
    const field = await call("POST", url(), {
      selections: [{ field: { table: "orders", column: "nope" }, values: ["x"] }],
    });
    expect(field.statusCode).toBe(422);
    expect(field.json().errors).toEqual([
      { path: "body.selections.0.field", message: "no such column in the plan's tables" },
    ]);
    const value = await call("POST", url(), {
      selections: [{ field: { table: "orders", column: "amount" }, values: ["lots"] }],
    });
    expect(value.statusCode).toBe(422);
    expect(value.json().errors[0].path).toBe("body.selections.0.values.0");
    const slicer = await call("POST", url("slicer-nope"), {});
    expect(slicer.statusCode).toBe(422);
    expect(slicer.json().errors[0].path).toBe("params.slicerId");
    const state = await call("POST", url(), { slicers: { nope: { values: ["x"] } } });
    expect(state.statusCode).toBe(422);
    expect(state.json().errors[0].path).toBe("body.slicers.nope");
    const limit = await call("POST", url(), { limit: 5000 });
    expect(limit.statusCode).toBe(422);
    expect(limit.json().errors[0].path).toBe("body.limit");
    const stranger = await createOwner(t.app, "Stranger");
    const foreign = await request(t.app, stranger, {
      method: "POST",
      url: url(),
      payload: {},
      headers: { "x-organization-id": stranger.orgId },
    });
    expect(foreign.statusCode).toBe(404);
  });
});

interface PlanShape {
  pages: {
    visuals: {
      id: string;
      kind: string;
      bindings: { field?: { column: string }; aggregation?: string }[];
      filters: unknown[];
      sort?: unknown;
    }[];
    slicers: { id: string; field: { column: string } }[];
  }[];
}

describe("refresh on re-upload", () => {
  let conversation: string;
  let oldFileId: string;
  let plan: PlanShape;
  /** A bar of SUM(some measure) by region in the built-in plan: its numbers are compared with JS. */
  let bar: { id: string; measure: "units" | "revenue" };

  const revisionOf = async (n: number) =>
    (await call("GET", `/api/v1/conversations/${conversation}/plan-revisions/${n}`)).json();
  /** The bar's region → sum, as the dashboard draws it for revision `n`. */
  async function barTotals(n: number, id = bar.id): Promise<Record<string, number>> {
    const res = await call("POST", `/api/v1/conversations/${conversation}/plan-revisions/${n}/query`, {
      visualIds: [id],
    });
    expect(res.statusCode, res.body).toBe(200);
    const v = res.json().visuals[0];
    const group = v.columns.find((c: { role: string }) => c.role === "group").name;
    const value = v.columns.find((c: { role: string }) => c.role === "value").name;
    return Object.fromEntries(v.rows.map((r: Record<string, unknown>) => [r[group], Number(r[value])]));
  }
  const jsTotals = (rows: Sale[], measure: "units" | "revenue") => {
    const out: Record<string, number> = {};
    for (const r of rows) out[r.region] = Math.round(((out[r.region] ?? 0) + r[measure]) * 1e6) / 1e6;
    return out;
  };
  const rounded = (o: Record<string, number>) =>
    Object.fromEntries(Object.entries(o).map(([k, v]) => [k, Math.round(v * 1e6) / 1e6]));

  beforeAll(async () => {
    oldFileId = await upload("regional.csv", csvOf(sales(1)));
    conversation = await newConversation("Refresh");
    const posted = await call("POST", `/api/v1/conversations/${conversation}/messages`, {
      content: "units and revenue by region",
      fileIds: [oldFileId],
      planner: "built-in",
    });
    expect(posted.statusCode, posted.body).toBe(202);
    await settled(conversation, posted.json().runId);
    plan = (await revisionOf(1)).plan;
    const found = plan.pages
      .flatMap((p) => p.visuals)
      .find(
        (v) =>
          v.bindings.some((b) => b.field?.column === "region" && !b.aggregation) &&
          v.bindings.some(
            (b) => b.aggregation === "sum" && ["units", "revenue"].includes(b.field?.column ?? ""),
          ) &&
          v.bindings.length === 2 &&
          v.filters.length === 0,
      );
    expect(found, JSON.stringify(plan)).toBeTruthy();
    bar = {
      id: found!.id,
      measure: found!.bindings.find((b) => b.aggregation === "sum")!.field!.column as "units" | "revenue",
    };
  }, 120_000);

  it("a new version with the same columns: the plan is kept, a new revision reads the new numbers", async () => {
    expect(rounded(await barTotals(1))).toEqual(jsTotals(sales(1), bar.measure));
    const newId = await upload("regional.csv", csvOf(sales(3)));
    const res = await call("POST", `/api/v1/conversations/${conversation}/files/${oldFileId}/replace`, {
      fileId: newId,
    });
    expect(res.statusCode, res.body).toBe(200);
    const out = res.json();
    expect(out).toMatchObject({ sameColumns: true, revision: 2, unfit: [], repairs: [] });
    expect(out.message.role).toBe("system");
    expect(out.message.content).toContain("the same columns");
    const rev2 = await revisionOf(2);
    expect(rev2.plan).toEqual(plan);
    expect(rev2.baseRevision).toBe(1);
    expect(rev2.note).toMatch(/^Data refreshed/);
    // (sales(1) has sales.csv's bytes: the upload is deduplicated to that file, table "sales".)
    const table = (await revisionOf(1)).tables[0].table;
    expect(rev2.tables.map((x: { table: string; fileId: string }) => [x.table, x.fileId])).toEqual([
      [table, newId],
    ]);
    // Each table's columns and types, as the visual form offers them.
    expect(rev2.tables[0].columns.map((c: { name: string }) => c.name)).toEqual([
      "region",
      "month",
      "units",
      "revenue",
    ]);
    expect(rev2.tables[0].columns.find((c: { name: string }) => c.name === "units").type).toBe("integer");
    // After: the new data's numbers (three times the units); before: revision 1 still reads the old file.
    const after = rounded(await barTotals(2));
    expect(after).toEqual(jsTotals(sales(3), bar.measure));
    expect(after).not.toEqual(jsTotals(sales(1), bar.measure));
    expect(rounded(await barTotals(1))).toEqual(jsTotals(sales(1), bar.measure));
    const c = (await call("GET", `/api/v1/conversations/${conversation}`)).json();
    expect(c.currentRevision).toBe(2);
    expect(c.files.map((f: { fileId: string; table: string }) => [f.fileId, f.table])).toEqual([
      [newId, table],
    ]);
    oldFileId = newId;
  });

  it("a new version with other columns: the plan is re-checked, and the visuals that no longer fit are named", async () => {
    // Revenue is gone: every visual or slicer reading it no longer fits.
    const rows = sales(2);
    const newId = await upload(
      "regional.csv",
      `region,month,units\n${rows.map((s) => `${s.region},${s.month},${s.units}`).join("\n")}\n`,
    );
    const res = await call("POST", `/api/v1/conversations/${conversation}/files/${oldFileId}/replace`, {
      fileId: newId,
    });
    expect(res.statusCode, res.body).toBe(200);
    const out = res.json();
    expect(out.sameColumns).toBe(false);
    const readsRevenue = (x: unknown) => JSON.stringify(x).includes('"column":"revenue"');
    const expectedUnfit = [
      ...plan.pages
        .flatMap((p) => p.visuals)
        .filter(readsRevenue)
        .map((v) => v.id),
      ...plan.pages
        .flatMap((p) => p.slicers)
        .filter(readsRevenue)
        .map((s) => s.id),
    ].sort();
    expect(expectedUnfit.length).toBeGreaterThan(0);
    expect(out.unfit.map((u: { visualId: string }) => u.visualId).sort()).toEqual(expectedUnfit);
    expect(out.message.content).toContain("No longer fit the data");
    for (const u of out.unfit) expect(out.message.content).toContain(`"${u.title}"`);
    expect(out.revision).toBe(3);
    const rev3 = await revisionOf(3);
    const kept = (rev3.plan as PlanShape).pages.flatMap((p) => p.visuals).map((v) => v.id);
    expect(kept.some((id) => expectedUnfit.includes(id))).toBe(false);
    expect(kept.length).toBeGreaterThan(0);
    // A units bar, when the plan has one, reads the new numbers.
    if (bar.measure === "units") expect(rounded(await barTotals(3))).toEqual(jsTotals(rows, "units"));
    const all = await call("POST", `/api/v1/conversations/${conversation}/plan-revisions/3/query`, {});
    expect(all.statusCode, all.body).toBe(200);
  });

  it("refuses a file that is not attached, an unknown one, or one already attached — changing nothing", async () => {
    const before = (await call("GET", `/api/v1/conversations/${conversation}`)).json();
    const notAttached = await call(
      "POST",
      `/api/v1/conversations/${conversation}/files/${salesFileId}/replace`,
      {
        fileId: salesFileId,
      },
    );
    expect(notAttached.statusCode).toBe(404);
    const attached = before.files[0].fileId;
    const same = await call("POST", `/api/v1/conversations/${conversation}/files/${attached}/replace`, {
      fileId: attached,
    });
    expect(same.statusCode).toBe(422);
    expect(same.json().errors[0].path).toBe("body.fileId");
    const unknown = await call("POST", `/api/v1/conversations/${conversation}/files/${attached}/replace`, {
      fileId: "00000000-0000-4000-8000-000000000000",
    });
    expect(unknown.statusCode).toBe(422);
    expect(unknown.json().errors[0].path).toBe("body.fileId");
    const after = (await call("GET", `/api/v1/conversations/${conversation}`)).json();
    expect(after.currentRevision).toBe(before.currentRevision);
    expect(after.messages.length).toBe(before.messages.length);
  });
});
