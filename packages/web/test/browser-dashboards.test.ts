import { readFile } from "node:fs/promises";
import { unzipSync } from "fflate";
import { describe, expect, it } from "vitest";
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
 * by a region, edit by chat ("top 3 only"), undo, download the Power BI project.
 */
setupBrowserApp();

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

type Rev = {
  plan: {
    pages: {
      visuals: {
        id: string;
        kind: string;
        title: string;
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
});
