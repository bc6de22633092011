import { randomBytes } from "node:crypto";
import { readFile } from "node:fs/promises";
import { unzipSync } from "fflate";
import { afterAll, describe, expect, it } from "vitest";
import { startFakePowerBi } from "../../server/test/powerbi-fake-server.ts";
import {
  apiGet,
  base,
  createOrg,
  createProject,
  eventually,
  newPage,
  setupBrowserApp,
  shot,
  signUp,
} from "./browser-harness.ts";

/**
 * Dashboards from a conversation (issue 16 item 4), in Chromium against the real server and the
 * built-in planner: upload a CSV, ask for "sales by region", read the visuals' numbers, cross-filter
 * by a region, edit by chat ("top 3 only"), undo, download the Power BI project, publish it to a
 * local fake of the Power BI service and then update that dataset rather than make a new one.
 */
const pbi = await startFakePowerBi();
afterAll(() => pbi.close());
const PBI = {
  tenantId: "7a1c2b3d-0000-4000-8000-00000000aaaa",
  clientId: "5e6f7a8b-0000-4000-8000-00000000bbbb",
  groupId: "f089354e-8366-4e18-aea3-4cb4a3a50b48",
  clientSecret: "client-secret-value-Zq9",
};
pbi.registerApp({ ...PBI, groups: [PBI.groupId] });
setupBrowserApp({
  env: () => ({
    POWERBI_AUTHORITY_HOST: pbi.authorityHost,
    POWERBI_API_BASE: pbi.apiBase,
    // Seals the connection's client secret.
    LLM_MASTER_KEY: randomBytes(32).toString("base64"),
  }),
});

const REGIONS = ["North", "South", "East", "West", "Central"];
const MONTHS = ["2025-01-01", "2025-02-01", "2025-03-01"];
/** Fixed numbers: region i in month j sells 10·(i+1)+j units at 7 each plus 100·i. */
const SALES = REGIONS.flatMap((region, i) =>
  MONTHS.map((month, j) => ({
    region,
    month,
    units: 10 * (i + 1) + j,
    revenue: 7 * (10 * (i + 1) + j) + 100 * i,
  })),
);
const CSV = `region,month,units,revenue\n${SALES.map((s) => `${s.region},${s.month},${s.units},${s.revenue}`).join("\n")}\n`;
const sumBy = (key: "units" | "revenue", keep: (s: (typeof SALES)[number]) => boolean = () => true) =>
  SALES.filter(keep).reduce((a, s) => a + s[key], 0);
/** The web's integer grouping (en-US): 1,234. */
const grouped = (n: number) => n.toLocaleString("en-US", { maximumFractionDigits: 2 });

type Tile = { x: number; y: number; w: number; h: number };
type Rev = {
  revision: number;
  baseRevision: number | null;
  plan: {
    pages: {
      slicers: { id: string; layout: Tile }[];
      visuals: {
        id: string;
        kind: string;
        title: string;
        layout: Tile;
        bindings: { channel: string; field?: { column: string }; aggregation?: string }[];
      }[];
    }[];
  };
};

describe("dashboards in the browser", () => {
  it("upload → 'sales by region' → numbers → cross-filter → 'top 3 only' → undo → .pbip zip", async () => {
    const page = await newPage();
    await signUp(page, "dash@example.com", "Dana Board");
    await createOrg(page, "Dash Co");
    await createProject(page, "Sales review");
    await page.getByRole("button", { name: "New dashboard" }).click();
    await page.waitForURL(/\/conversations\/[0-9a-f-]{36}$/);
    const conversationId = page.url().split("/").pop()!;

    // The upload goes through the platform's resumable uploads, then waits to be sent.
    const [chooser] = await Promise.all([
      page.waitForEvent("filechooser"),
      page.getByRole("button", { name: "Upload a file" }).click(),
    ]);
    await chooser.setFiles({ name: "sales.csv", mimeType: "text/csv", buffer: Buffer.from(CSV) });
    await page.getByLabel("Files to attach").getByText("sales.csv").waitFor();
    await page.getByRole("textbox", { name: "Message" }).fill("sales by region");
    await page.getByRole("button", { name: "Send" }).click();
    await page
      .getByText(/planned by the built-in rules/)
      .first()
      .waitFor({ timeout: 30_000 });

    // Every visual of the plan is on the grid, and the region bar's numbers are the CSV's sums.
    const rev = await apiGet<Rev>(page, `/conversations/${conversationId}/plan-revisions/1`);
    const visuals = rev.plan.pages.flatMap((p) => p.visuals);
    for (const v of visuals) await page.getByRole("figure", { name: v.title, exact: true }).waitFor();
    const bar = visuals.find(
      (v) =>
        (v.kind === "bar" || v.kind === "column") &&
        v.bindings.some((b) => !b.aggregation && b.field?.column === "region"),
    );
    expect(bar, JSON.stringify(visuals.map((v) => [v.kind, v.title]))).toBeDefined();
    const measure = bar!.bindings.find((b) => b.aggregation)!;
    expect(measure.aggregation).toBe("sum");
    const column = measure.field!.column as "units" | "revenue";
    const figure = page.getByRole("figure", { name: bar!.title, exact: true });
    const cells = async () =>
      figure
        .locator("table")
        .locator("tbody tr")
        .evaluateAll((rows) =>
          // The root typecheck has no DOM library: the row's cells read through a structural type.
          rows.map((r) =>
            Array.from(
              (r as unknown as { children: ArrayLike<{ textContent: string | null }> }).children,
              (td) => td.textContent ?? "",
            ),
          ),
        );
    const want = REGIONS.map((r) => [r, grouped(sumBy(column, (s) => s.region === r))]).sort(
      (a, b) => Number(b[1]!.replace(/,/g, "")) - Number(a[1]!.replace(/,/g, "")),
    );
    await eventually(cells).toEqual(want);
    await shot(page, "dashboard-revision-1");

    // Cross-filter by one region: the period-over-period KPI shows East's last month alone; the
    // bar the selection came from keeps its five bars (it marks the pick, as Power BI does).
    const kpi = visuals.find((v) => v.kind === "kpi" && v.bindings.some((b) => b.aggregation === "sum"))!;
    expect(kpi, "the plan has a total KPI").toBeDefined();
    const kpiColumn = kpi.bindings.find((b) => b.aggregation === "sum")!.field!.column as "units" | "revenue";
    const lastMonth = MONTHS.at(-1)!;
    const kpiValue = async () => (await page.getByLabel(`${kpi.title} value`).textContent()) ?? "";
    await eventually(kpiValue).toBe(grouped(sumBy(kpiColumn, (s) => s.month === lastMonth)));
    await figure.getByRole("button", { name: "Cross-filter by East" }).click();
    await page.getByLabel("Cross-filters").getByText("region = East").waitFor();
    await eventually(kpiValue).toBe(
      grouped(sumBy(kpiColumn, (s) => s.month === lastMonth && s.region === "East")),
    );
    expect(
      await figure.getByRole("button", { name: "Cross-filter by East" }).getAttribute("aria-pressed"),
    ).toBe("true");
    await eventually(cells).toEqual(want);
    await page.getByRole("button", { name: "Clear cross-filters" }).click();
    await eventually(kpiValue).toBe(grouped(sumBy(kpiColumn, (s) => s.month === lastMonth)));

    // A click on the chart itself: the top bar (Central, the longest) cross-filters too.
    const canvas = figure.getByRole("img", { name: bar!.title });
    const box = (await canvas.boundingBox())!;
    await canvas.click({ position: { x: box.width * 0.4, y: 12 + (box.height - 40) / 10 } });
    await page.getByLabel("Cross-filters").getByText("region = Central").waitFor();
    await eventually(kpiValue).toBe(
      grouped(sumBy(kpiColumn, (s) => s.month === lastMonth && s.region === "Central")),
    );
    await page.getByRole("button", { name: "Clear cross-filters" }).click();
    await eventually(kpiValue).toBe(grouped(sumBy(kpiColumn, (s) => s.month === lastMonth)));

    // The region slicer re-queries: West alone, then every region again.
    await page.getByRole("textbox", { name: "region", exact: true }).click();
    await page.getByRole("option", { name: "West", exact: true }).click();
    await eventually(kpiValue).toBe(
      grouped(sumBy(kpiColumn, (s) => s.month === lastMonth && s.region === "West")),
    );
    await page.getByRole("option", { name: "West", exact: true }).click();
    await page.keyboard.press("Escape");
    await eventually(kpiValue).toBe(grouped(sumBy(kpiColumn, (s) => s.month === lastMonth)));

    // An edit by chat: revision 2 with a visible diff and three bars.
    await figure.getByRole("button", { name: `Ask to change ${bar!.title}` }).click();
    await page.getByText("About the visual:").waitFor();
    await page.getByRole("textbox", { name: "Message" }).fill("top 3 only");
    await page.getByRole("button", { name: "Send" }).click();
    await page.getByText("Revision 2 ·").waitFor({ timeout: 30_000 });
    await page.getByText(/changes? from revision 1/).waitFor();
    await expect
      .poll(async () => (await page.locator("details li").allTextContents()).join("\n"))
      .toContain("topN");
    await eventually(async () => (await cells()).filter((r) => r[0] !== "Other")).toEqual(want.slice(0, 3));
    await shot(page, "dashboard-revision-2");

    // Undo returns to revision 1 and its five regions.
    await page.getByRole("button", { name: "Undo" }).click();
    await page.getByText("Revision 1 ·").waitFor();
    await eventually(cells).toEqual(want);

    // The Power BI project: a zip with a .pbip and the CSV data.
    const [download] = await Promise.all([
      page.waitForEvent("download"),
      page.getByRole("button", { name: "Download Power BI project" }).click(),
    ]);
    expect(download.suggestedFilename()).toMatch(/\.pbip\.zip$/);
    const files = unzipSync(new Uint8Array(await readFile(await download.path())));
    const names = Object.keys(files);
    expect(names.some((n) => n.endsWith(".pbip"))).toBe(true);
    const data = names.find((n) => n.endsWith("sales.csv"));
    expect(data).toBeDefined();
    expect(new TextDecoder().decode(files[data!]).trim().split(/\r?\n/)).toHaveLength(SALES.length + 1);

    // Power BI: connect the organization (through the API), publish a new dataset, then update it.
    const csrf = (await apiGet<{ csrfToken: string }>(page, "/session")).csrfToken;
    const put = await page.request.put(`${base}/api/v1/org/powerbi`, {
      data: PBI,
      headers: { "x-csrf-token": csrf, "content-type": "application/json" },
    });
    expect(put.status()).toBe(200);
    await page.reload();
    const publish = page.getByLabel("Publish to Power BI");
    // Nothing published yet: no choice to make.
    await publish.getByRole("button", { name: "Publish to Power BI" }).waitFor();
    expect(await publish.getByRole("radio").count()).toBe(0);
    await publish.getByRole("button", { name: "Publish to Power BI" }).click();
    await publish.getByText(/^Published dataset “/).waitFor({ timeout: 60_000 });
    expect(pbi.datasets.size).toBe(1);
    const [dataset] = [...pbi.datasets.values()];

    // Now the choice: a new dataset (the default) or the one just published, by its date.
    const update = publish.getByRole("radio", { name: /^Update the dataset published on / });
    await update.waitFor();
    expect(await publish.getByRole("radio", { name: "A new dataset" }).isChecked()).toBe(true);

    // A dataset id the server does not know as this dashboard's (as if the list were stale: the
    // request is rewritten on its way out) gets the server's field error on the choice, and no run.
    await update.check();
    await page.route("**/powerbi-publish", (route) =>
      route.continue({ postData: JSON.stringify({ datasetId: "not-this-dashboards" }) }),
    );
    await publish.getByRole("button", { name: "Publish to Power BI" }).click();
    await publish.getByText("not a dataset a succeeded publish of this dashboard created").waitFor();
    expect(pbi.datasets.size).toBe(1);
    await page.unroute("**/powerbi-publish");

    // The real request: the same dataset's rows are replaced, no second dataset is made.
    const rowPostsBefore = dataset!.batches.length;
    await publish.getByRole("button", { name: "Publish to Power BI" }).click();
    await publish.getByText(/^Updated dataset “/).waitFor({ timeout: 60_000 });
    expect(pbi.datasets.size).toBe(1);
    expect(dataset!.batches.length).toBeGreaterThan(rowPostsBefore);
    expect(dataset!.tables.reduce((n, t) => n + t.rows.length, 0)).toBe(SALES.length);
    await shot(page, "dashboard-powerbi-updated");

    // Rename, find it in the project's list (most recent first), delete it.
    await page.getByRole("button", { name: "Rename" }).click();
    await page.getByLabel("Dashboard title").fill("Sales by region");
    await page.getByRole("button", { name: "Save title" }).click();
    await page.getByRole("heading", { name: "Sales by region", level: 1 }).waitFor();
    await page.getByRole("link", { name: "← Project" }).click();
    const list = page.getByRole("table", { name: "Dashboards" });
    await list.getByRole("link", { name: "Sales by region" }).click();
    await page.getByRole("button", { name: "Delete", exact: true }).click();
    await page.getByRole("button", { name: "Delete dashboard" }).click();
    await page.getByText("No dashboards in this project").waitFor();
    expect(page.url()).toMatch(/\/projects\/[0-9a-f-]{36}$/);
    const gone = await page.request.get(`${base}/api/v1/conversations/${conversationId}`);
    expect(gone.status()).toBe(404);
  }, 60_000);

  it("drag a visual by its grip and resize it by its corner: snapped to the grid, one revision per drop, undo", async () => {
    const page = await newPage();
    await signUp(page, "drag@example.com", "Dee Ragg");
    await createOrg(page, "Drag Co");
    await createProject(page, "Layout");
    await page.getByRole("button", { name: "New dashboard" }).click();
    await page.waitForURL(/\/conversations\/[0-9a-f-]{36}$/);
    const conversationId = page.url().split("/").pop()!;
    const [chooser] = await Promise.all([
      page.waitForEvent("filechooser"),
      page.getByRole("button", { name: "Upload a file" }).click(),
    ]);
    await chooser.setFiles({ name: "sales.csv", mimeType: "text/csv", buffer: Buffer.from(CSV) });
    await page.getByLabel("Files to attach").getByText("sales.csv").waitFor();
    await page.getByRole("textbox", { name: "Message" }).fill("sales by region");
    await page.getByRole("button", { name: "Send" }).click();
    await page.getByText("Revision 1 ·").waitFor({ timeout: 30_000 });

    const revision = (n: number) => apiGet<Rev>(page, `/conversations/${conversationId}/plan-revisions/${n}`);
    const rev1 = await revision(1);
    const page1 = rev1.plan.pages[0]!;
    const v = page1.visuals[0]!;
    const bottom = Math.max(...[...page1.slicers, ...page1.visuals].map((t) => t.layout.y + t.layout.h));
    const tile = page.locator(`[data-visual-id="${v.id}"]`);
    const grid = page.locator("[data-dashboard-grid]").first();
    await tile.waitFor();
    // The grid's pitch as the page draws it: 12 columns and 11 gaps of 8 px; rows of 56 px.
    const gridBox = (await grid.boundingBox())!;
    const colPx = (gridBox.width + 8) / 12;
    const rowPx = 56 + 8;
    /** Where the tile is drawn, in grid cells (from its box, not its attributes). */
    const drawnCells = async () => {
      const b = (await tile.boundingBox())!;
      const g = (await grid.boundingBox())!;
      return {
        x: Math.round((b.x - g.x) / colPx),
        y: Math.round((b.y - g.y) / rowPx),
        w: Math.round((b.width + 8) / colPx),
        h: Math.round((b.height + 8) / rowPx),
      };
    };
    expect(await drawnCells()).toEqual(v.layout);

    /** A mouse drag of an element's center by (dx, dy) pixels, in small steps as a hand does. */
    const dragBy = async (handle: "move" | "resize", dx: number, dy: number) => {
      const h = tile.locator(`[data-drag-handle="${handle}"]`);
      await h.scrollIntoViewIfNeeded();
      const b = (await h.boundingBox())!;
      const x = b.x + b.width / 2;
      const y = b.y + b.height / 2;
      await page.mouse.move(x, y);
      await page.mouse.down();
      await page.mouse.move(x + dx, y + dy, { steps: 8 });
      await page.mouse.up();
    };

    // Move: below every tile (always free), and one column right when there is room; the drop is
    // 0.3 of a cell off the target, which snaps to it.
    const right = v.layout.x + v.layout.w < 12 ? 1 : 0;
    const moved = { ...v.layout, x: v.layout.x + right, y: bottom };
    await dragBy("move", (right + 0.3) * colPx, (bottom - v.layout.y - 0.3) * rowPx);
    await page.getByText("Revision 2 ·").waitFor();
    const rev2 = await revision(2);
    expect(rev2.baseRevision).toBe(1);
    expect(rev2.plan.pages[0]!.visuals.find((x) => x.id === v.id)!.layout).toEqual(moved);
    // The other tiles did not move.
    for (const o of page1.visuals.filter((x) => x.id !== v.id))
      expect(rev2.plan.pages[0]!.visuals.find((x) => x.id === o.id)!.layout).toEqual(o.layout);
    await eventually(async () => tile.getAttribute("data-layout")).toBe(
      `${moved.x},${moved.y},${moved.w},${moved.h}`,
    );
    await eventually(drawnCells).toEqual(moved);

    // Resize from the corner: one column narrower, two rows taller (it is the bottom tile now).
    const resized = { ...moved, w: Math.max(1, moved.w - 1), h: moved.h + 2 };
    await dragBy("resize", (resized.w - moved.w) * colPx, 2 * rowPx + 10);
    await page.getByText("Revision 3 ·").waitFor();
    const rev3 = await revision(3);
    expect(rev3.baseRevision).toBe(2);
    expect(rev3.plan.pages[0]!.visuals.find((x) => x.id === v.id)!.layout).toEqual(resized);
    await eventually(drawnCells).toEqual(resized);

    // A drag released where it started (under half a cell) makes no revision.
    await dragBy("move", colPx * 0.2, rowPx * 0.2);
    await page.waitForTimeout(500);
    const conv = await apiGet<{ currentRevision: number }>(page, `/conversations/${conversationId}`);
    expect(conv.currentRevision).toBe(3);
    await shot(page, "dashboard-dragged");

    // Undo walks back one drop at a time: the moved place, then the plan's own.
    await page.getByRole("button", { name: "Undo" }).click();
    await page.getByText("Revision 2 ·").waitFor();
    await eventually(drawnCells).toEqual(moved);
    await page.getByRole("button", { name: "Undo" }).click();
    await page.getByText("Revision 1 ·").waitFor();
    await eventually(drawnCells).toEqual(v.layout);
    expect(
      (await apiGet<{ currentRevision: number }>(page, `/conversations/${conversationId}`)).currentRevision,
    ).toBe(1);
  }, 90_000);
});
