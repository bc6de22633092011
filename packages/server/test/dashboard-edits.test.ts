import { createRequire } from "node:module";
import { extractText } from "unpdf";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Actor, createOwner, createTestApp, request } from "./harness.ts";
import { multipart } from "./multipart.ts";

/*
 * Hand edits of a live dashboard (issue 16): tiles dragged and resized (a layout patch), a visual
 * edited by form — each a new plan revision with a diff and undo, refused at the request's field
 * paths when the plan schema or checkPlan would not have it — plus the dashboard's read-only live
 * share link and its PDF/PNG.
 */
const t = await createTestApp({ RUN_POLL_MS: "100" }, { worker: true });
afterAll(async () => t.close());
let owner: Actor & { orgId: string };
let other: Actor & { orgId: string };

type Method = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
const as = (who: Actor & { orgId: string }) => ({
  call: (method: Method, url: string, payload?: unknown) =>
    request(t.app, who, { method, url, payload, headers: { "x-organization-id": who.orgId } }),
});
const call = (method: Method, url: string, payload?: unknown) => as(owner).call(method, url, payload);

/** Orders with an identifier, a region (4 values) and an amount: fixed numbers. */
const REGIONS = ["North", "South", "East", "West"];
const ORDERS = Array.from({ length: 48 }, (_, i) => ({
  order_id: 1001 + i,
  region: REGIONS[(i * 7) % 4]!,
  month: `2025-${String((i % 12) + 1).padStart(2, "0")}-01`,
  amount: Math.round((((i * 37) % 91) + 10.25) * 100) / 100,
}));
const csv = `order_id,region,month,amount\n${ORDERS.map((o) => `${o.order_id},${o.region},${o.month},${o.amount}`).join("\n")}\n`;
const pdfText = async (buf: Buffer) =>
  (await extractText(new Uint8Array(buf), { mergePages: true })).text.replace(/\s+/g, " ");
/** pdfkit's PNG decoder (a dependency already): RGBA pixels of a PNG. */
const PNG = createRequire(import.meta.url)("png-js") as new (
  b: Buffer,
) => { width: number; height: number; decode(cb: (pixels: Buffer) => void): void };
const sumBy = (region: string) =>
  Math.round(ORDERS.filter((o) => o.region === region).reduce((a, o) => a + o.amount, 0) * 100) / 100;

interface Tile {
  x: number;
  y: number;
  w: number;
  h: number;
}
interface VisualJson {
  id: string;
  kind: string;
  title: string;
  table: string;
  bindings: { channel: string; field?: { table: string; column: string }; aggregation?: string }[];
  sort?: unknown;
  topN?: unknown;
  layout: Tile;
}
interface PlanJson {
  pages: { visuals: VisualJson[]; slicers: { id: string; layout: Tile }[] }[];
}

let conversationId: string;
const plan = async (revision: number): Promise<PlanJson> =>
  (await call("GET", `/api/v1/conversations/${conversationId}/plan-revisions/${revision}`)).json().plan;
const current = async () =>
  (await call("GET", `/api/v1/conversations/${conversationId}`)).json().currentRevision;
const revisions = async () =>
  (await call("GET", `/api/v1/conversations/${conversationId}/plan-revisions`)).json().items as {
    revision: number;
    baseRevision: number | null;
    runId: string | null;
    note: string;
    diff: { path: string; from: unknown; to: unknown }[];
  }[];

beforeAll(async () => {
  owner = await createOwner(t.app, "Dashboard editors");
  other = await createOwner(t.app, "Elsewhere");
  const projectId = (await call("POST", "/api/v1/projects", { name: "Orders" })).json().id;
  const body = multipart("orders.csv", csv);
  const up = await request(t.app, owner, {
    method: "POST",
    url: "/api/v1/files",
    payload: body.payload,
    headers: { ...body.headers, "x-organization-id": owner.orgId },
  });
  expect(up.statusCode, up.body).toBeLessThan(300);
  conversationId = (await call("POST", `/api/v1/projects/${projectId}/conversations`, {})).json().id;
  const posted = await call("POST", `/api/v1/conversations/${conversationId}/messages`, {
    content: "amount by region",
    fileIds: [up.json().id],
    planner: "built-in",
  });
  expect(posted.statusCode, posted.body).toBe(202);
  for (let i = 0; i < 300 && (await current()) !== 1; i++) await new Promise((r) => setTimeout(r, 100));
  expect(await current()).toBe(1);
});

describe("layout patch (drag and resize)", () => {
  it("moves a visual below the others as revision 2 with the layout diff, and undo goes back", async () => {
    const p = await plan(1);
    const page = p.pages[0]!;
    const bottom = Math.max(...[...page.visuals, ...page.slicers].map((v) => v.layout.y + v.layout.h));
    const moved = page.visuals[0]!;
    const res = await call("POST", `/api/v1/conversations/${conversationId}/layout`, {
      baseRevision: 1,
      tiles: [{ id: moved.id, x: 2, y: bottom, w: 10, h: 3 }],
    });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json()).toMatchObject({ revision: 2, baseRevision: 1, runId: null });
    expect(res.json().plan.pages[0].visuals[0].layout).toEqual({ x: 2, y: bottom, w: 10, h: 3 });
    const changed = Object.fromEntries(
      res.json().diff.map((d: { path: string; to: unknown }) => [d.path, d.to]),
    );
    const expected: Record<string, number> = {};
    for (const k of ["x", "y", "w", "h"] as const) {
      const to = { x: 2, y: bottom, w: 10, h: 3 }[k];
      if (moved.layout[k] !== to) expected[`pages.0.visuals.0.layout.${k}`] = to;
    }
    expect(changed).toEqual(expected);
    expect(await current()).toBe(2);
    // Everything else stayed.
    const after = await plan(2);
    expect(after.pages[0]!.visuals.slice(1)).toEqual(page.visuals.slice(1));
  });

  it("refuses an overlap, a tile past the grid's edge, a column off the grid and a stale base — saving nothing", async () => {
    const p = await plan(2);
    const [a, b] = p.pages[0]!.visuals;
    const url = `/api/v1/conversations/${conversationId}/layout`;
    const overlap = await call("POST", url, { baseRevision: 2, tiles: [{ id: b!.id, ...a!.layout }] });
    expect(overlap.statusCode, overlap.body).toBe(422);
    expect(overlap.json().errors).toEqual([
      { path: "body.tiles.0", message: expect.stringMatching(/^overlaps "/) },
    ]);
    const past = await call("POST", url, {
      baseRevision: 2,
      tiles: [{ id: b!.id, x: 10, y: 90, w: 4, h: 2 }],
    });
    expect(past.statusCode).toBe(422);
    expect(past.json().errors).toEqual([
      { path: "body.tiles.0.w", message: "4 wide at column 10 passes the 12-column grid's edge (at most 2)" },
    ]);
    const off = await call("POST", url, {
      baseRevision: 2,
      tiles: [{ id: b!.id, x: 12, y: 90, w: 1, h: 2 }],
    });
    expect(off.statusCode).toBe(422);
    expect(off.json().errors[0].path).toBe("body.tiles.0.x");
    const unknown = await call("POST", url, {
      baseRevision: 2,
      tiles: [{ id: "nope", x: 0, y: 90, w: 1, h: 1 }],
    });
    expect(unknown.json().errors).toEqual([
      { path: "body.tiles.0.id", message: 'no visual or slicer "nope" in the plan' },
    ]);
    const stale = await call("POST", url, {
      baseRevision: 1,
      tiles: [{ id: b!.id, x: 0, y: 90, w: 1, h: 1 }],
    });
    expect(stale.statusCode).toBe(409);
    expect(stale.json().code).toBe("revision_conflict");
    expect(await current()).toBe(2);
    expect((await revisions()).map((r) => r.revision)).toEqual([1, 2]);
  });

  it("is undone like any revision", async () => {
    const undo = await call("POST", `/api/v1/conversations/${conversationId}/undo`);
    expect(undo.statusCode, undo.body).toBe(200);
    expect(undo.json().currentRevision).toBe(1);
  });
});

describe("edit a visual by form", () => {
  it("saves kind, title, top-N, sort and a number format as a revision whose query follows them", async () => {
    const p = await plan(1);
    const bar = p.pages[0]!.visuals.find((v) => v.bindings.some((b) => b.field?.column === "region"))!;
    expect(bar, "the plan has a visual by region").toBeDefined();
    const amount = { table: bar.table, column: "amount" };
    const res = await call("PUT", `/api/v1/conversations/${conversationId}/visuals/${bar.id}`, {
      baseRevision: 1,
      visual: {
        kind: "column",
        title: "Top 2 regions",
        bindings: [
          { channel: "category", field: { table: bar.table, column: "region" } },
          {
            channel: "value",
            field: amount,
            aggregation: "sum",
            format: { kind: "currency", currency: "EUR", decimals: 2 },
          },
        ],
        sort: { field: amount, aggregation: "sum", direction: "desc" },
        topN: { n: 2 },
      },
    });
    expect(res.statusCode, res.body).toBe(201);
    const rev = res.json();
    expect(rev).toMatchObject({ revision: 3, baseRevision: 1, runId: null });
    expect(rev.note).toContain("Top 2 regions");
    expect(rev.diff.map((d: { path: string }) => d.path)).toEqual(
      expect.arrayContaining([expect.stringMatching(/\.kind$/), expect.stringMatching(/\.topN$/)]),
    );
    const q = await call("POST", `/api/v1/conversations/${conversationId}/plan-revisions/3/query`, {
      visualIds: [bar.id],
    });
    expect(q.statusCode, q.body).toBe(200);
    const { columns, rows } = q.json().visuals[0];
    const g = columns.find((c: { role: string }) => c.role === "group").name;
    const v = columns.find((c: { role: string }) => c.role === "value").name;
    const top2 = REGIONS.map((r) => [r, sumBy(r)] as const)
      .sort((x, y) => y[1] - x[1])
      .slice(0, 2);
    expect(rows.map((r: Record<string, unknown>) => [r[g], Math.round(Number(r[v]) * 100) / 100])).toEqual(
      top2,
    );
  });

  it("refuses a SUM of an identifier and an unknown column at the form's paths, saving nothing", async () => {
    const p = await plan(3);
    const bar = p.pages[0]!.visuals.find((v) => v.title === "Top 2 regions")!;
    const url = `/api/v1/conversations/${conversationId}/visuals/${bar.id}`;
    const ids = await call("PUT", url, {
      baseRevision: 3,
      visual: {
        kind: "bar",
        title: "Orders",
        bindings: [
          { channel: "category", field: { table: bar.table, column: "regoin" } },
          { channel: "value", field: { table: bar.table, column: "order_id" }, aggregation: "sum" },
        ],
      },
    });
    expect(ids.statusCode, ids.body).toBe(422);
    expect(ids.json().errors).toEqual(
      expect.arrayContaining([
        {
          path: "body.visual.bindings.0.field.column",
          message: expect.stringMatching(/^no column "regoin"/),
        },
        {
          path: "body.visual.bindings.1.aggregation",
          message: "sum of order_id is meaningless for an identifier (choose countDistinct)",
        },
      ]),
    );
    const badAgg = await call("PUT", url, {
      baseRevision: 3,
      visual: { kind: "bar", title: "x", bindings: [{ channel: "value", aggregation: "total" }] },
    });
    expect(badAgg.statusCode).toBe(422);
    expect(badAgg.json().errors[0].path).toBe("body.visual.bindings.0.aggregation");
    const missing = await call("PUT", `/api/v1/conversations/${conversationId}/visuals/nope`, {
      baseRevision: 3,
      visual: { kind: "kpi", title: "x", bindings: [{ channel: "value", aggregation: "count" }] },
    });
    expect(missing.statusCode).toBe(404);
    expect(await current()).toBe(3);
    expect((await revisions()).map((r) => r.revision)).toEqual([1, 2, 3]);
  });

  it("keeps another organization out (404) of both edits", async () => {
    const them = as(other);
    const p = await plan(3);
    const v = p.pages[0]!.visuals[0]!;
    const layout = await them.call("POST", `/api/v1/conversations/${conversationId}/layout`, {
      baseRevision: 3,
      tiles: [{ id: v.id, x: 0, y: 99, w: 1, h: 1 }],
    });
    expect(layout.statusCode).toBe(404);
    const form = await them.call("PUT", `/api/v1/conversations/${conversationId}/visuals/${v.id}`, {
      baseRevision: 3,
      visual: { kind: v.kind, title: "mine", bindings: v.bindings },
    });
    expect(form.statusCode).toBe(404);
    expect(await current()).toBe(3);
  });
});

describe("PDF and PNG of a dashboard", () => {
  it("the PDF's text carries every visual's query result, and the edited bar equals a JS sum", async () => {
    const q = await call("POST", `/api/v1/conversations/${conversationId}/plan-revisions/3/query`, {});
    expect(q.statusCode, q.body).toBe(200);
    const res = await call(
      "GET",
      `/api/v1/conversations/${conversationId}/plan-revisions/3/export?format=pdf`,
    );
    expect(res.statusCode, res.body.slice(0, 300)).toBe(200);
    expect(res.headers["content-type"]).toBe("application/pdf");
    expect(res.headers["content-disposition"]).toMatch(/attachment; filename=".+\.pdf"/);
    const text = await pdfText(res.rawPayload);
    let values = 0;
    for (const v of q.json().visuals as {
      columns: { name: string; role: string }[];
      rows: Record<string, unknown>[];
    }[])
      for (const row of v.rows)
        for (const c of v.columns.filter((x) => x.role === "value")) {
          const n = Number(row[c.name]);
          expect(text, `${c.name} = ${n}`).toContain(String(Math.round(n * 1e6) / 1e6));
          values++;
        }
    expect(values).toBeGreaterThan(3);
    const top2 = REGIONS.map((r) => [r, sumBy(r)] as const)
      .sort((x, y) => y[1] - x[1])
      .slice(0, 2);
    expect(text).toContain(
      `Top 2 regions region sum of amount ${top2[0]![0]} ${top2[0]![1]} ${top2[1]![0]} ${top2[1]![1]}`,
    );
    const bad = await call(
      "GET",
      `/api/v1/conversations/${conversationId}/plan-revisions/3/export?format=gif`,
    );
    expect(bad.statusCode).toBe(422);
    expect(bad.json().errors[0].path).toBe("query.format");
  });

  it("the PNG is the grid drawn at 1.5×, with the charts' bars in it", async () => {
    const res = await call(
      "GET",
      `/api/v1/conversations/${conversationId}/plan-revisions/3/export?format=png`,
    );
    expect(res.statusCode, res.body.slice(0, 300)).toBe(200);
    expect(res.headers["content-type"]).toBe("image/png");
    if (process.env.DASHBOARD_PNG)
      (await import("node:fs")).writeFileSync(process.env.DASHBOARD_PNG, res.rawPayload);
    const img = new PNG(res.rawPayload);
    expect(img.width).toBe(1920);
    const pixels = await new Promise<Buffer>((resolve) => img.decode(resolve));
    // ECharts' first series colour (#5070dd) fills the bars; an empty grid would have none.
    let bars = 0;
    for (let i = 0; i < pixels.length; i += 4)
      if (
        Math.abs(pixels[i]! - 0x50) < 6 &&
        Math.abs(pixels[i + 1]! - 0x70) < 6 &&
        Math.abs(pixels[i + 2]! - 0xdd) < 6
      )
        bars++;
    expect(bars).toBeGreaterThan(2000);
    const them = await as(other).call(
      "GET",
      `/api/v1/conversations/${conversationId}/plan-revisions/3/export?format=png`,
    );
    expect(them.statusCode).toBe(404);
  });
});
