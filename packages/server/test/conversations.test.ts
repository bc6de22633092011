import { eq } from "drizzle-orm";
import { unzipSync } from "fflate";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { describeErrors, loadSchemas } from "../../engines/dashboard-planner/test/powerbi/json-schemas.ts";
import { resultCacheStats } from "../src/conversations/result-cache.ts";
import { conversationMessages, runs } from "../src/db/schema.ts";
import { type Actor, createOwner, createTestApp, request } from "./harness.ts";
import { multipart } from "./multipart.ts";

/*
 * Dashboard conversations end to end through the real app and a real run worker: upload → message
 * → dashboard-planner run → stored reply and plan revision → live queries compared with a plain
 * JS computation over the same CSV → edit by chat, undo, diff → the Power BI project download,
 * every JSON file validated against Microsoft's schemas.
 */
const t = await createTestApp(
  { RUN_POLL_MS: "100" },
  {
    worker: true,
    logStream: { write: (l: string) => (process.env.DEBUG_LOG ? process.stderr.write(l) : undefined) },
  },
);
afterAll(async () => t.close());
let owner: Actor & { orgId: string };
let other: Actor & { orgId: string };
let projectId: string;

const as = (who: Actor & { orgId: string }) => ({
  call: (method: "GET" | "POST" | "PATCH" | "DELETE", url: string, payload?: unknown) =>
    request(t.app, who, { method, url, payload, headers: { "x-organization-id": who.orgId } }),
});
const call = (method: "GET" | "POST" | "PATCH" | "DELETE", url: string, payload?: unknown) =>
  as(owner).call(method, url, payload);

/** A small sales table: region (5 values) × month (12) with units and revenue, fixed numbers. */
const REGIONS = ["North", "South", "East", "West", "Central"];
interface Sale {
  region: string;
  month: string;
  units: number;
  revenue: number;
}
const SALES: Sale[] = [];
for (let m = 1; m <= 12; m++)
  REGIONS.forEach((region, i) => {
    const units = ((m * 7 + i * 13) % 23) + 5;
    SALES.push({
      region,
      month: `2025-${String(m).padStart(2, "0")}-01`,
      units,
      revenue: Math.round(units * (19.5 + i * 2.25) * 100) / 100,
    });
  });
const salesCsv = `region,month,units,revenue\n${SALES.map((s) => `${s.region},${s.month},${s.units},${s.revenue}`).join("\n")}\n`;

async function upload(who: Actor & { orgId: string }, name: string, content: string): Promise<string> {
  const body = multipart(name, content);
  const res = await request(t.app, who, {
    method: "POST",
    url: "/api/v1/files",
    payload: body.payload,
    headers: { ...body.headers, "x-organization-id": who.orgId },
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
  // The reply is stored by the instance following the run; a read settles it too.
  const c = (await call("GET", `/api/v1/conversations/${conversationId}`)).json();
  return c;
}

let salesFileId: string;
let conversationId: string;

beforeAll(async () => {
  owner = await createOwner(t.app, "Dashboards");
  other = await createOwner(t.app, "Other org");
  projectId = (await call("POST", "/api/v1/projects", { name: "Sales" })).json().id;
  salesFileId = await upload(owner, "sales.csv", salesCsv);
});

describe("conversations", () => {
  it("creates, lists by last activity, renames", async () => {
    const a = await call("POST", `/api/v1/projects/${projectId}/conversations`, { title: "First" });
    expect(a.statusCode, a.body).toBe(201);
    const b = await call("POST", `/api/v1/projects/${projectId}/conversations`, {});
    expect(b.json().title).toBe("New dashboard");
    let list = (await call("GET", `/api/v1/projects/${projectId}/conversations`)).json();
    expect(list.items.map((c: { id: string }) => c.id).slice(0, 2)).toEqual([b.json().id, a.json().id]);
    const renamed = await call("PATCH", `/api/v1/conversations/${a.json().id}`, { title: "Sales by region" });
    expect(renamed.statusCode, renamed.body).toBe(200);
    expect(renamed.json().title).toBe("Sales by region");
    conversationId = a.json().id;
    // Bad input: field errors, nothing changed.
    const blank = await call("PATCH", `/api/v1/conversations/${conversationId}`, { title: "  " });
    expect(blank.statusCode).toBe(422);
    expect(blank.json().errors[0].path).toBe("body.title");
    // A message is activity: the conversation moves to the top (checked after the first message below).
    list = (await call("GET", `/api/v1/projects/${projectId}/conversations`)).json();
    expect(list.total).toBe(2);
  });

  it("refuses a first message without files, an unknown file, and more than 10 files — storing nothing", async () => {
    const none = await call("POST", `/api/v1/conversations/${conversationId}/messages`, {
      content: "sales by region",
    });
    expect(none.statusCode, none.body).toBe(422);
    expect(none.json().errors[0].path).toBe("body.fileIds");
    const unknown = await call("POST", `/api/v1/conversations/${conversationId}/messages`, {
      content: "sales",
      fileIds: [salesFileId, "00000000-0000-4000-8000-000000000000"],
    });
    expect(unknown.statusCode).toBe(422);
    expect(unknown.json().errors).toEqual([
      { path: "body.fileIds.1", message: "no such file in this organization" },
    ]);
    // Another organization's file is unknown here too.
    const foreign = await upload(other, "foreign.csv", "a,b\n1,2\n3,4\n");
    const cross = await call("POST", `/api/v1/conversations/${conversationId}/messages`, {
      content: "sales",
      fileIds: [foreign],
    });
    expect(cross.statusCode).toBe(422);
    const eleven = [];
    for (let i = 0; i < 11; i++)
      eleven.push(await upload(owner, `t${i}.csv`, `k,v${i}\nx,${i}\ny,${i + 1}\n`));
    const many = await call("POST", `/api/v1/conversations/${conversationId}/messages`, {
      content: "sales",
      fileIds: eleven,
    });
    expect(many.statusCode).toBe(422);
    expect(many.json().errors[0].path).toBe("body.fileIds");
    const c = (await call("GET", `/api/v1/conversations/${conversationId}`)).json();
    expect(c.messages).toEqual([]);
    expect(c.files).toEqual([]);
  });

  let revision1: number;
  it("plans a dashboard from a message through a dashboard-planner run, then stores the reply and plan revision 1", async () => {
    const res = await call("POST", `/api/v1/conversations/${conversationId}/messages`, {
      content: "revenue by region and month",
      fileIds: [salesFileId],
      planner: "built-in",
    });
    expect(res.statusCode, res.body).toBe(202);
    const { runId, reply } = res.json();
    expect(reply.status).toBe("pending");
    const c = await settled(conversationId, runId);
    const run = (await call("GET", `/api/v1/runs/${runId}`)).json();
    expect(run.status).toBe("succeeded");
    expect(run.modelId).toBe("dashboard-planner");
    expect(run.progress).toBe(1);
    expect(run.input.goal).toBe("revenue by region and month");
    expect(run.input.tables[0].name).toBe("sales");
    expect(run.input.tables[0].sampleRows).toHaveLength(SALES.length);
    expect(c.files).toMatchObject([{ fileId: salesFileId, table: "sales", rowCount: 60, columnCount: 4 }]);
    const roles = c.messages.map((m: { role: string; status: string }) => `${m.role}:${m.status}`);
    expect(roles.slice(0, 2)).toEqual(["user:done", "assistant:done"]);
    expect(c.messages[1].content).toMatch(/visuals? on \d+ pages?, planned by the built-in rules/);
    expect(c.currentRevision).toBe(1);
    expect(c.messages[1].planRevision).toBe(1);
    revision1 = 1;
    const list = (await call("GET", `/api/v1/projects/${projectId}/conversations`)).json();
    expect(list.items[0]).toMatchObject({ id: conversationId, messageCount: 2 });
  });

  it("runs every visual's query and each result equals a JS computation over the CSV", async () => {
    const rev = (
      await call("GET", `/api/v1/conversations/${conversationId}/plan-revisions/${revision1}`)
    ).json();
    const res = await call(
      "POST",
      `/api/v1/conversations/${conversationId}/plan-revisions/${revision1}/query`,
      {},
    );
    expect(res.statusCode, res.body).toBe(200);
    const results = res.json().visuals as {
      visualId: string;
      columns: { name: string; role: string; binding?: number }[];
      rows: Record<string, unknown>[];
    }[];
    const visuals = rev.plan.pages.flatMap((p: { visuals: unknown[] }) => p.visuals) as {
      id: string;
      kind: string;
      comparison?: { timeGrain?: string };
      filters: unknown[];
      topN?: unknown;
      bindings: { channel: string; field?: { column: string }; aggregation?: string; timeGrain?: string }[];
    }[];
    expect(results.map((r) => r.visualId)).toEqual(visuals.map((v) => v.id));
    let checked = 0;
    for (const v of visuals) {
      const r = results.find((x) => x.visualId === v.id)!;
      const groups = r.columns.filter((c) => c.role === "group");
      const values = r.columns.filter((c) => c.role === "value");
      // Visuals grouped by columns (dates by their period), aggregated by sum/avg/count/min/max.
      const plain =
        v.kind !== "histogram" &&
        v.filters.length === 0 &&
        values.length > 0 &&
        values.every((c) =>
          ["sum", "avg", "count", "min", "max", "countDistinct"].includes(
            v.bindings[c.binding!]!.aggregation!,
          ),
        );
      if (v.comparison) {
        // Period over period: the last period's total and the one before, by the comparison's grain.
        const b = v.bindings.find((x) => x.aggregation)!;
        const grain = v.comparison.timeGrain ?? "day";
        const periodOf = (s: Sale) =>
          grain === "year"
            ? s.month.slice(0, 4)
            : grain === "quarter"
              ? `${s.month.slice(0, 4)}Q${Math.ceil(Number(s.month.slice(5, 7)) / 3)}`
              : grain === "month"
                ? s.month.slice(0, 7)
                : s.month;
        const periods = [...new Set(SALES.map(periodOf))].sort().reverse();
        const total = (p: string | undefined) =>
          p === undefined
            ? null
            : SALES.filter((s) => periodOf(s) === p).reduce(
                (a, s) => a + (b.aggregation === "count" ? 1 : Number(s[b.field!.column as keyof Sale])),
                0,
              );
        expect(b.aggregation, v.id).toMatch(/^(sum|count)$/);
        const row = r.rows[0]!;
        expect(Number(row[values[0]!.name]), `${v.id} last period`).toBeCloseTo(total(periods[0])!, 6);
        const previous = r.columns.find((c) => c.role === "previousValue");
        if (previous)
          expect(row[previous.name] === null ? null : Number(row[previous.name])).toBeCloseTo(
            total(periods[1]) ?? Number.NaN,
            6,
          );
        checked++;
        continue;
      }
      if (r.columns.every((c) => c.role === "raw") && v.filters.length === 0) {
        // Plain rows (table, scatter): the same multiset of tuples as the CSV's.
        const cols = r.columns.map((c) => v.bindings[c.binding!]!.field!.column as keyof Sale);
        const tuple = (xs: unknown[]) =>
          JSON.stringify(xs.map((x) => (typeof x === "number" ? x : String(x))));
        const want = SALES.map((s) => tuple(cols.map((c) => s[c]))).sort();
        const have = r.rows.map((row) => tuple(r.columns.map((c) => row[c.name]))).sort();
        expect(have, v.id).toEqual(want);
        checked++;
        continue;
      }
      if (v.kind === "histogram") {
        // Each bin's count is the rows whose value lies in [start, end) (the last bin closed).
        const start = r.columns.find((c) => c.role === "binStart")!;
        const end = r.columns.find((c) => c.role === "binEnd")!;
        const val = r.columns.find((c) => c.role === "value")!;
        const column = v.bindings[start.binding!]!.field!.column as keyof Sale;
        expect(v.bindings[val.binding!]!.aggregation).toBe("count");
        const last = Math.max(...r.rows.map((row) => Number(row[end.name])));
        for (const row of r.rows) {
          const [lo, hi] = [Number(row[start.name]), Number(row[end.name])];
          const n = SALES.filter((s) => {
            const x = Number(s[column]);
            return x >= lo && (x < hi || (hi === last && x === hi));
          }).length;
          expect(Number(row[val.name]), `${v.id} [${lo}, ${hi})`).toBe(n);
        }
        expect(r.rows.reduce((a, row) => a + Number(row[val.name]), 0)).toBe(SALES.length);
        checked++;
        continue;
      }
      if (!plain) {
        console.log(`not compared: ${v.id} ${v.kind} ${JSON.stringify(r.columns)}`);
        continue;
      }
      /** A date as the start of its period (`2025-04-01` for 2025 Q2), or a value as text. */
      const periodStart = (value: string, grain: string | undefined) => {
        if (!grain || grain === "day") return value.slice(0, 10);
        const [y, m] = [value.slice(0, 4), Number(value.slice(5, 7))];
        if (grain === "year") return `${y}-01-01`;
        if (grain === "quarter") return `${y}-${String(Math.floor((m - 1) / 3) * 3 + 1).padStart(2, "0")}-01`;
        return `${y}-${String(m).padStart(2, "0")}-01`;
      };
      const norm = (raw: unknown, g: { binding?: number }) => {
        const grain = v.bindings[g.binding!]!.timeGrain;
        if (!grain) return String(raw);
        return typeof raw === "number" ? `${raw}-01-01` : periodStart(String(raw), grain);
      };
      const key = (s: Sale) =>
        groups.map((g) => norm(s[v.bindings[g.binding!]!.field!.column as keyof Sale], g)).join("|");
      const byKey = new Map<string, Sale[]>();
      for (const s of SALES) byKey.set(key(s), [...(byKey.get(key(s)) ?? []), s]);
      const expected = [...byKey.entries()].map(([k, rows]) => {
        const out: Record<string, unknown> = { k };
        for (const c of values) {
          const b = v.bindings[c.binding!]!;
          const xs = rows.map((s) => (b.field ? Number(s[b.field.column as keyof Sale]) : 1));
          const raw = rows.map((s) => (b.field ? String(s[b.field.column as keyof Sale]) : ""));
          out[c.name] = {
            countDistinct: new Set(raw).size,
            sum: xs.reduce((a, x) => a + x, 0),
            avg: xs.reduce((a, x) => a + x, 0) / xs.length,
            count: xs.length,
            min: Math.min(...xs),
            max: Math.max(...xs),
          }[b.aggregation!];
        }
        return out;
      });
      const got = r.rows.filter((row) => !r.columns.some((c) => c.role === "other" && row[c.name]));
      const wanted = v.topN
        ? expected.filter((e) => got.some((g) => groups.map((c) => norm(g[c.name], c)).join("|") === e.k))
        : expected;
      expect(got.length, v.id).toBe(wanted.length);
      for (const e of wanted) {
        const row = got.find((g) => groups.map((c) => norm(g[c.name], c)).join("|") === e.k)!;
        expect(row, `${v.id} ${e.k}`).toBeDefined();
        for (const c of values)
          expect(Number(row[c.name]), `${v.id} ${e.k} ${c.name}`).toBeCloseTo(e[c.name] as number, 6);
      }
      checked++;
    }
    console.log(`visuals checked against JS: ${checked} of ${visuals.length}`);
    expect(checked).toBe(visuals.length);
  });

  it("answers the same query again from the kept answer, equal to the first; another filter state is computed", async () => {
    const url = `/api/v1/conversations/${conversationId}/plan-revisions/${revision1}/query`;
    const first = await call("POST", url, { slicers: {}, selections: [] });
    expect(first.statusCode, first.body).toBe(200);
    const before = resultCacheStats();
    const again = await call("POST", url, { slicers: {}, selections: [] });
    expect(again.statusCode).toBe(200);
    expect(again.json()).toEqual(first.json());
    expect(resultCacheStats().hits).toBe(before.hits + 1);
    expect(resultCacheStats().misses).toBe(before.misses);
    // One visual only, or another state: another answer, computed.
    const visualId = first.json().visuals[0].visualId as string;
    const one = await call("POST", url, { visualIds: [visualId] });
    expect(one.statusCode, one.body).toBe(200);
    expect(one.json().visuals).toEqual([first.json().visuals[0]]);
    expect(resultCacheStats().misses).toBe(before.misses + 1);
    // Two identical requests at once: one computation.
    const body = { visualIds: [first.json().visuals[1].visualId], slicers: {}, selections: [] };
    const [a, b] = await Promise.all([call("POST", url, body), call("POST", url, body)]);
    expect(a.json()).toEqual(b.json());
    expect(resultCacheStats().misses).toBe(before.misses + 2);
  });

  it("refuses a slicer or selection that does not fit the plan, field by field", async () => {
    const url = `/api/v1/conversations/${conversationId}/plan-revisions/1/query`;
    const bad = await call("POST", url, {
      slicers: { nope: { values: ["x"] } },
      selections: [{ field: { table: "sales", column: "units" }, values: ["many"] }],
      visualIds: ["missing-visual"],
    });
    expect(bad.statusCode, bad.body).toBe(422);
    expect(
      bad
        .json()
        .errors.map((e: { path: string }) => e.path)
        .sort(),
    ).toEqual(["body.selections.0.values.0", "body.slicers.nope", "body.visualIds.0"]);
    const unknownColumn = await call("POST", url, {
      selections: [{ field: { table: "sales", column: "'; drop table x; --" }, values: ["a"] }],
    });
    expect(unknownColumn.statusCode).toBe(422);
    expect(unknownColumn.json().errors[0].path).toBe("body.selections.0.field");
  });

  it("cross-filters: a selection on region is a parameter, and the totals follow it", async () => {
    const rev = (await call("GET", `/api/v1/conversations/${conversationId}/plan-revisions/1`)).json();
    const kpi = rev.plan.pages
      .flatMap(
        (p: {
          visuals: {
            id: string;
            kind: string;
            bindings: { aggregation?: string; field?: { column: string } }[];
          }[];
        }) => p.visuals,
      )
      .find(
        (v: { kind: string; bindings: { aggregation?: string; field?: { column: string } }[] }) =>
          v.kind === "kpi" &&
          v.bindings.some((b) => b.aggregation === "sum" && b.field?.column === "revenue"),
      );
    if (!kpi) return; // the plan has no revenue KPI; the grouped visuals above cover the numbers
    const res = await call("POST", `/api/v1/conversations/${conversationId}/plan-revisions/1/query`, {
      visualIds: [kpi.id],
      selections: [{ field: { table: "sales", column: "region" }, values: ["North", "East"] }],
    });
    expect(res.statusCode, res.body).toBe(200);
    const v = res.json().visuals[0];
    const value = v.columns.find((c: { role: string }) => c.role === "value").name;
    // The KPI shows the last month (period over period); the selection keeps two regions of it.
    const expected = SALES.filter(
      (s) => s.month === "2025-12-01" && (s.region === "North" || s.region === "East"),
    ).reduce((a, s) => a + s.revenue, 0);
    const total = v.rows.reduce((a: number, r: Record<string, number>) => a + Number(r[value]), 0);
    expect(total).toBeCloseTo(expected, 6);
  });

  it("edits by chat into revision 2 with a diff, and undo returns to revision 1", async () => {
    const rev1 = (await call("GET", `/api/v1/conversations/${conversationId}/plan-revisions/1`)).json();
    const bar = rev1.plan.pages
      .flatMap((p: { visuals: { id: string; kind: string }[] }) => p.visuals)
      .find((v: { kind: string }) => v.kind === "bar" || v.kind === "column");
    expect(bar, "the plan ranks a dimension with a bar").toBeDefined();
    const res = await call("POST", `/api/v1/conversations/${conversationId}/messages`, {
      content: "top 3 only",
      visualId: bar.id,
      planner: "built-in",
    });
    expect(res.statusCode, res.body).toBe(202);
    const c = await settled(conversationId, res.json().runId);
    const run = (await call("GET", `/api/v1/runs/${res.json().runId}`)).json();
    expect(run.input.instruction).toBe("top 3 only");
    expect(run.input.conversation.map((m: { role: string }) => m.role)).toEqual(["user", "assistant"]);
    expect(c.currentRevision).toBe(2);
    expect(c.messages[3]).toMatchObject({ role: "assistant", status: "done", planRevision: 2 });
    const listed = await call("GET", `/api/v1/conversations/${conversationId}/plan-revisions`);
    expect(listed.statusCode, listed.body).toBe(200);
    const revs = listed.json().items;
    expect(
      revs.map((r: { revision: number; baseRevision: number | null }) => [r.revision, r.baseRevision]),
    ).toEqual([
      [1, null],
      [2, 1],
    ]);
    expect(revs[1].diff.length).toBeGreaterThan(0);
    expect(JSON.stringify(revs[1].diff)).toContain("topN");
    const diff = (
      await call("GET", `/api/v1/conversations/${conversationId}/plan-revisions/2/diff?against=1`)
    ).json();
    expect(diff.changes.some((ch: { path: string }) => ch.path.includes("topN"))).toBe(true);
    // The edited bar shows 3 bars (plus an Other bucket when the plan asks for one).
    const q = (
      await call("POST", `/api/v1/conversations/${conversationId}/plan-revisions/2/query`, {
        visualIds: [bar.id],
      })
    ).json().visuals[0];
    const otherCol = q.columns.find((col: { role: string }) => col.role === "other")?.name;
    expect(q.rows.filter((row: Record<string, unknown>) => !otherCol || !row[otherCol])).toHaveLength(3);

    const undo = await call("POST", `/api/v1/conversations/${conversationId}/undo`);
    expect(undo.statusCode, undo.body).toBe(200);
    expect(undo.json().currentRevision).toBe(1);
    const again = await call("POST", `/api/v1/conversations/${conversationId}/undo`);
    expect(again.statusCode).toBe(409);
    expect(again.json().code).toBe("nothing_to_undo");
  });

  it("downloads the plan revision as a Power BI project: every JSON file valid, the data CSV complete", async () => {
    const res = await call("GET", `/api/v1/conversations/${conversationId}/plan-revisions/1/powerbi`);
    expect(res.statusCode, res.body.slice(0, 300)).toBe(200);
    expect(res.headers["content-type"]).toContain("application/zip");
    const files = unzipSync(new Uint8Array(res.rawPayload));
    const names = Object.keys(files);
    expect(names.some((n) => n.endsWith(".pbip"))).toBe(true);
    expect(names.some((n) => n.endsWith("/definition/model.tmdl"))).toBe(true);
    const csv = names.find((n) => n.endsWith("data/sales.csv"));
    expect(csv).toBeDefined();
    const lines = new TextDecoder().decode(files[csv!]).trim().split("\r\n");
    expect(lines[0]).toBe("region,month,units,revenue");
    expect(lines).toHaveLength(SALES.length + 1);
    expect(lines[1]).toBe(`${SALES[0]!.region},${SALES[0]!.month},${SALES[0]!.units},${SALES[0]!.revenue}`);
    const schemas = loadSchemas();
    let validated = 0;
    for (const name of names.filter((n) => /\.(json|pbip|pbir|pbism)$|\/\.platform$/.test(n))) {
      const doc = JSON.parse(new TextDecoder().decode(files[name]));
      const validate = schemas.validator(doc.$schema);
      expect(validate, `${name}: no schema for ${doc.$schema}`).toBeDefined();
      expect(validate!(doc), `${name}\n${describeErrors(validate!.errors)}`).toBe(true);
      validated++;
    }
    expect(validated).toBeGreaterThanOrEqual(8);
  });

  it("keeps another organization out of everything (404), and leaves it as it was", async () => {
    const them = as(other);
    const urls: ["GET" | "POST" | "PATCH" | "DELETE", string, unknown?][] = [
      ["GET", `/api/v1/conversations/${conversationId}`],
      ["PATCH", `/api/v1/conversations/${conversationId}`, { title: "mine now" }],
      ["POST", `/api/v1/conversations/${conversationId}/messages`, { content: "hi", fileIds: [] }],
      ["GET", `/api/v1/conversations/${conversationId}/plan-revisions`],
      ["GET", `/api/v1/conversations/${conversationId}/plan-revisions/1`],
      ["GET", `/api/v1/conversations/${conversationId}/plan-revisions/1/diff?against=1`],
      ["POST", `/api/v1/conversations/${conversationId}/plan-revisions/1/query`, {}],
      ["GET", `/api/v1/conversations/${conversationId}/plan-revisions/1/powerbi`],
      ["POST", `/api/v1/conversations/${conversationId}/undo`],
      ["GET", `/api/v1/projects/${projectId}/conversations`],
      ["POST", `/api/v1/projects/${projectId}/conversations`, {}],
      ["DELETE", `/api/v1/conversations/${conversationId}`],
    ];
    for (const [method, url, body] of urls) {
      const res = await them.call(method, url, body);
      expect(res.statusCode, `${method} ${url}: ${res.body}`).toBe(404);
    }
    const c = (await call("GET", `/api/v1/conversations/${conversationId}`)).json();
    expect(c.title).toBe("Sales by region");
    expect(c.messages).toHaveLength(4);
  });

  it("answers 410 for a revision whose file is gone (retention), and the link goes with the file", async () => {
    const c2 = (
      await call("POST", `/api/v1/projects/${projectId}/conversations`, { title: "Short-lived" })
    ).json();
    const fileId = await upload(owner, "gone.csv", "city,visits\nOslo,3\nBergen,5\nOslo,4\n");
    const long = await call("POST", `/api/v1/conversations/${c2.id}/messages`, {
      content: "x".repeat(2001),
      fileIds: [fileId],
    });
    expect(long.statusCode).toBe(422);
    expect(long.json().errors[0].path).toBe("body.content");
    const posted = await call("POST", `/api/v1/conversations/${c2.id}/messages`, {
      content: "visits by city",
      fileIds: [fileId],
      planner: "built-in",
    });
    expect(posted.statusCode, posted.body).toBe(202);
    expect((await settled(c2.id, posted.json().runId)).currentRevision).toBe(1);
    // Answered once, and so kept: a deleted file is still 410, never the kept answer.
    expect((await call("POST", `/api/v1/conversations/${c2.id}/plan-revisions/1/query`, {})).statusCode).toBe(
      200,
    );
    expect((await call("DELETE", `/api/v1/files/${fileId}`)).statusCode).toBe(204);
    const q = await call("POST", `/api/v1/conversations/${c2.id}/plan-revisions/1/query`, {});
    expect(q.statusCode, q.body).toBe(410);
    expect(q.json().code).toBe("gone");
    expect((await call("GET", `/api/v1/conversations/${c2.id}/plan-revisions/1/powerbi`)).statusCode).toBe(
      410,
    );
    expect((await call("GET", `/api/v1/conversations/${c2.id}`)).json().files).toEqual([]);
  });

  it("a failed run ends its reply as failed, with the reason, and the conversation keeps working", async () => {
    const c3 = (await call("POST", `/api/v1/projects/${projectId}/conversations`, {})).json();
    // What a worker leaves behind when the engine fails (here written directly: no engine fails on demand).
    const [run] = await t.database.db
      .insert(runs)
      .values({
        orgId: owner.orgId,
        modelId: "dashboard-planner",
        modelVersion: "1.0.0",
        input: {},
        inputHash: `failed-${Date.now()}`,
        status: "failed",
        error: { code: "model_error", message: "the engine ran out of patience" },
        timeoutMs: 1000,
        finishedAt: new Date(),
      })
      .returning();
    await t.database.db.insert(conversationMessages).values([
      { orgId: owner.orgId, conversationId: c3.id, seq: 1, role: "user", content: "plan it" },
      {
        orgId: owner.orgId,
        conversationId: c3.id,
        seq: 2,
        role: "assistant",
        content: "",
        status: "pending",
        runId: run!.id,
      },
    ]);
    // While a reply's run is still running, the conversation takes no other message (nor an undo).
    await t.database.db
      .update(runs)
      .set({ status: "running", leaseOwner: "elsewhere", leaseExpiresAt: new Date(Date.now() + 3_600_000) })
      .where(eq(runs.id, run!.id));
    const busy = await call("POST", `/api/v1/conversations/${c3.id}/messages`, {
      content: "hurry",
      fileIds: [salesFileId],
    });
    expect(busy.statusCode, busy.body).toBe(409);
    expect(busy.json().code).toBe("conversation_busy");
    expect((await call("POST", `/api/v1/conversations/${c3.id}/undo`)).json().code).toBe("conversation_busy");
    await t.database.db
      .update(runs)
      .set({ status: "failed", leaseOwner: null, leaseExpiresAt: null })
      .where(eq(runs.id, run!.id));
    const read = (await call("GET", `/api/v1/conversations/${c3.id}`)).json();
    expect(read.messages[1]).toMatchObject({ status: "failed", planRevision: null });
    expect(read.messages[1].content).toContain("the engine ran out of patience");
    expect(read.currentRevision).toBeNull();
    const again = await call("POST", `/api/v1/conversations/${c3.id}/messages`, {
      content: "plan it",
      fileIds: [salesFileId],
      planner: "built-in",
    });
    expect(again.statusCode, again.body).toBe(202);
    const settledC3 = await settled(c3.id, again.json().runId);
    expect(settledC3.currentRevision).toBe(1);
    // The failed exchange stays in the history but is not sent to the planner again.
    const rerun = (await call("GET", `/api/v1/runs/${again.json().runId}`)).json();
    expect(rerun.input.conversation).toEqual([{ role: "user", content: "plan it" }]);
  });

  it("deletes a conversation; its files stay (they follow retention)", async () => {
    const del = await call("DELETE", `/api/v1/conversations/${conversationId}`);
    expect(del.statusCode).toBe(204);
    expect((await call("GET", `/api/v1/conversations/${conversationId}`)).statusCode).toBe(404);
    expect((await call("GET", `/api/v1/files/${salesFileId}`)).statusCode).toBe(200);
  });
});
