import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import {
  apiGet,
  createOrg,
  createProject,
  createScenario,
  eventually,
  newPage,
  runAndWait,
  setupBrowserApp,
  shot,
  signUp,
  text,
} from "./browser-harness.ts";

/**
 * The TIF result views (src/components/model-views) in Chromium against the real server: each
 * number checked on screen is the API's own for the same run.
 */
setupBrowserApp();

// As the views print them (model-views/parts.tsx formatBps; percents with one decimal).
const bps = (v: number) =>
  `${v > 0 ? "+" : v < 0 ? "−" : ""}${Math.abs(v).toLocaleString("en-US", { minimumFractionDigits: 1, maximumFractionDigits: 1 })} bps`;
const pct1 = (v: number) =>
  `${(v * 100).toLocaleString("en-US", { minimumFractionDigits: 1, maximumFractionDigits: 1 })}%`;

describe("TIF result views in Chromium", () => {
  let page: Page;
  let projectUrl: string;
  let scenarioUrl: string;

  it("comparison: the IRR gap in bps on screen is the API's, with the target badge", async () => {
    page = await newPage();
    await signUp(page, "tif@example.com", "Tina Ferris");
    await createOrg(page, "Austin Housing Partners");
    await createProject(page, "East Riverside");
    projectUrl = page.url();
    await createScenario(
      page,
      "Austin TIF: market vs mixed income",
      /^The prototype's default project; tier 2/,
      "Tier 2 package",
    );
    scenarioUrl = page.url();
    // The per-model layout (lib/layouts.ts): the project's fields in tabs, errors counted per tab.
    for (const tab of ["Site & units", "Costs", "Financing", "Incentives & TIF", "Operations & exit"])
      await page.getByRole("tab", { name: tab }).waitFor();
    await page.getByRole("tab", { name: "Costs" }).click();
    const hardCost = page.getByLabel(/^Hard cost per unit \(USD\)/);
    await eventually(() => hardCost.isVisible()).toBe(true);
    const hardCostBefore = await hardCost.inputValue();
    await hardCost.fill("-5");
    await page.getByRole("tab", { name: "Site & units" }).click();
    await page.getByRole("button", { name: "Save revision" }).first().click();
    await text(page.getByRole("tab", { name: /^Costs/ })).toBe("Costs1");
    await shot(page, "tif-00-editor-layout");
    await page.getByRole("tab", { name: /^Costs/ }).click();
    await hardCost.fill(hardCostBefore);
    await text(page.getByRole("tab", { name: /^Costs/ })).toBe("Costs");
    const runId = await runAndWait(page);
    const run = await apiGet<{
      output: {
        gap: { leveredIrrGapBps: number; meetsTarget: boolean; targetBps: number };
        sourcesUses: { item: string; marketUsd: number }[];
      };
    }>(page, `/runs/${runId}`);
    const gap = run.output.gap;
    expect(gap.leveredIrrGapBps).not.toBeNull();
    await text(page.getByTestId("irr-gap")).toBe(bps(gap.leveredIrrGapBps));
    await text(page.getByTestId("irr-gap-card")).toContain(`Target ${bps(gap.targetBps)}`);
    await text(page.getByTestId("target-badge")).toBe(gap.meetsTarget ? "Target met" : "Target not met");
    // Sources & uses side by side: the market TDC as the API has it.
    const tdc = run.output.sourcesUses.find((r) => r.item === "Total development cost")!;
    await text(page.getByTestId("sources-uses")).toContain(
      `$${Math.round(tdc.marketUsd).toLocaleString("en-US")}`,
    );
    await eventually(() => page.getByTestId("column-market").count()).toBe(1);
    await eventually(() => page.getByTestId("column-mixedIncome").count()).toBe(1);
    // Both deals' levered cash flow by project year, overlaid.
    await page.getByRole("img", { name: /^Levered cash flow by project year/ }).waitFor();
    await shot(page, "tif-01-comparison");
  }, 90_000);

  it("incentive matrix: the grid of tiers × packages marks the API's minimum package", async () => {
    await page.goto(projectUrl);
    await createScenario(
      page,
      "Austin TIF: incentive matrix and minimum package",
      /all three tiers/,
      "All tiers",
    );
    const runId = await runAndWait(page);
    const run = await apiGet<{
      output: {
        minimum: { name: string; leveredIrrGapBps: number } | null;
        rows: unknown[];
        packagesMeetingTarget: number;
      };
    }>(page, `/runs/${runId}`);
    expect(run.output.rows).toHaveLength(45);
    const grid = page.getByTestId("matrix-grid");
    await eventually(() => grid.locator("tbody td").count()).toBe(45);
    await text(page.getByTestId("meeting-count")).toContain(String(run.output.packagesMeetingTarget));
    if (run.output.minimum) {
      await text(page.getByTestId("minimum-package")).toContain(run.output.minimum.name);
      await eventually(() => grid.locator("td[data-minimum]").getAttribute("data-package")).toBe(
        run.output.minimum.name,
      );
      await text(grid.locator("td[data-minimum]")).toContain(bps(run.output.minimum.leveredIrrGapBps));
    } else {
      await text(page.getByTestId("minimum-package")).toContain("No package meets the target");
    }
    await shot(page, "tif-02-incentive-matrix");
  }, 90_000);

  it("Monte Carlo (200 iterations): histogram, percentiles, P(target) and the tornado", async () => {
    await page.goto(projectUrl);
    await createScenario(
      page,
      "Austin TIF development model — Monte Carlo (tif@2)",
      /^Mixed income with a TIF lump sum/,
      "Cost risk",
    );
    await page.getByLabel(/^Iterations/).fill("200");
    const runId = await runAndWait(page);
    const run = await apiGet<{
      input: { iterations: number };
      output: {
        iterations: number;
        target: { probability: number };
        histogram: unknown[];
        tornado: unknown[];
      };
    }>(page, `/runs/${runId}`);
    expect(run.output.iterations).toBe(200);
    await text(page.getByTestId("target-probability")).toContain(pct1(run.output.target.probability));
    const histogram = page.getByTestId("irr-histogram");
    await eventually(() => histogram.locator("canvas").count()).toBeGreaterThan(0);
    await eventually(() => page.getByTestId("percentiles").locator("tbody tr").count()).toBeGreaterThan(3);
    await eventually(() => page.getByTestId("tornado").locator("canvas").count()).toBeGreaterThan(0);
    await shot(page, "tif-03-montecarlo");
  }, 90_000);

  it("tif@2 deal: sources & uses, the binding perm-loan constraint, the TIF schedule and DSCR chart", async () => {
    await page.goto(projectUrl);
    await createScenario(
      page,
      "Austin TIF development model (corrected)",
      /^Mixed-income deal with 100% of the city's tax increment/,
      "TIF stream deal",
    );
    const runId = await runAndWait(page);
    const run = await apiGet<{
      output: {
        permanentLoan: { bindingConstraint: string; fundedUsd: number };
        sourcesUses: { tdcUsd: number };
        annual: { tifReimbursementUsd: number }[];
      };
    }>(page, `/runs/${runId}`);
    const trace = page.getByTestId("perm-loan-trace");
    await text(trace.locator("tr[data-binding]")).toContain("binds");
    const binding = run.output.permanentLoan.bindingConstraint;
    await text(trace.locator("tr[data-binding]")).toMatch(
      binding === "LTV" ? /Loan to value/ : binding === "DSCR" ? /Debt service coverage/ : /Loan to cost|Cap/,
    );
    await text(trace).toContain(`$${Math.round(run.output.permanentLoan.fundedUsd).toLocaleString("en-US")}`);
    await text(page.getByTestId("deal-sources-uses")).toContain(
      `$${Math.round(run.output.sourcesUses.tdcUsd).toLocaleString("en-US")}`,
    );
    await eventually(() => page.getByTestId("dscr-chart").locator("canvas").count()).toBeGreaterThan(0);
    // The stream reimburses the city's increment year by year: the schedule lists those years.
    const tifYears = run.output.annual.filter((y) => y.tifReimbursementUsd > 0).length;
    expect(tifYears).toBeGreaterThan(0);
    await eventually(() => page.getByTestId("tif-schedule").locator("tbody tr").count()).toBe(tifYears);
    // The generic parts stay: the cash-flow table below the dedicated panels.
    await eventually(() => page.getByTestId("table-periods").count()).toBe(1);
    await shot(page, "tif-04-deal");
  }, 90_000);

  it("history: a saved revision's note, author and diff; restoring an old revision; project edit and archive", async () => {
    await page.goto(scenarioUrl);
    const scenarioId = scenarioUrl.split("/").pop()!;
    const before = await apiGet<{ revision: number }>(page, `/scenarios/${scenarioId}`);
    const r0 = before.revision;
    const land = page.getByLabel(/^Land cost \(USD\)/);
    await land.fill("3500000");
    await page.getByLabel("Revision note").fill("Bigger site");
    await page.getByRole("button", { name: "Save revision" }).first().click();
    await text(page.getByText(/^revision \d+$/)).toBe(`revision ${r0 + 1}`);

    await page.getByRole("tab", { name: "History" }).click();
    const history = page.getByTestId("revision-history");
    const row = history.locator(`tr[data-revision="${r0 + 1}"]`);
    await text(row).toContain("Bigger site");
    await text(row).toContain("Tina Ferris");
    const diff = page.getByTestId("revision-diff");
    await text(diff).toContain("project.landCostUsd");
    await text(diff).toContain("3500000");
    const apiDiff = await apiGet<{ changes: { path: string }[] }>(
      page,
      `/scenarios/${scenarioId}/diff?from=${r0}&to=${r0 + 1}`,
    );
    await eventually(() => diff.locator("tbody tr").count()).toBe(apiDiff.changes.length);
    await shot(page, "tif-05-history");

    await page.getByRole("button", { name: `Restore revision ${r0} as a new revision` }).click();
    // A new revision re-opens the editor on its inputs; the history has it with its note.
    await text(page.getByText(/^revision \d+$/)).toBe(`revision ${r0 + 2}`);
    await eventually(() => land.inputValue()).toBe("3,000,000");
    await page.getByRole("tab", { name: "History" }).click();
    await text(history.locator(`tr[data-revision="${r0 + 2}"]`)).toContain(`Restored revision ${r0}`);
    const back = await apiGet<{ changes: unknown[] }>(
      page,
      `/scenarios/${scenarioId}/diff?from=${r0}&to=${r0 + 2}`,
    );
    expect(back.changes).toEqual([]);

    // The project: rename and describe it, archive it and restore it.
    await page.goto(projectUrl);
    await page.getByRole("button", { name: "Edit project" }).click();
    const dialog = page.getByRole("dialog", { name: "Edit project" });
    await dialog.getByLabel("Name").fill("East Riverside TIF");
    await dialog.getByLabel("Description").fill("Tier 2 and the lump sum");
    await dialog.getByRole("button", { name: "Save project" }).click();
    await page.getByRole("heading", { name: "East Riverside TIF", exact: true }).waitFor();
    await page.getByRole("button", { name: "Archive project" }).click();
    await page.getByTestId("project-archived").waitFor();
    const projectId = projectUrl.split("/").pop()!;
    expect((await apiGet<{ status: string }>(page, `/projects/${projectId}`)).status).toBe("archived");
    await page.getByRole("button", { name: "Restore project" }).click();
    await eventually(() => page.getByTestId("project-archived").count()).toBe(0);
    const project = await apiGet<{ status: string; name: string; description: string }>(
      page,
      `/projects/${projectId}`,
    );
    expect(project).toMatchObject({
      status: "active",
      name: "East Riverside TIF",
      description: "Tier 2 and the lump sum",
    });
  }, 90_000);
});
