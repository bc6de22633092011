import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { formatValue } from "../src/format.ts";
import {
  apiGet,
  base,
  createOrg,
  createProject,
  createScenario,
  newPage,
  runAndWait,
  setupBrowserApp,
  shot,
  signUp,
  text,
} from "./browser-harness.ts";

/**
 * Issue 18 items 6, 8 and 15 in Chromium: a what-if sweep plots the levered IRR (the model's key
 * results, none constant) with formatted axes; the runs list shows each run's key result; the
 * org's bracket negatives reach the run page.
 */
setupBrowserApp();

type KeyResult = {
  label: string;
  value: number;
  unit: string | null;
  format: string | null;
  decimals: number | null;
};

describe("runs and sweeps (issue 18 items 6, 8, 15)", () => {
  let page: Page;
  let scenarioUrl: string;
  let runId: string;

  it("a sweep plots the key results that change (levered IRR first), with formatted values", async () => {
    page = await newPage();
    await signUp(page, "sweeper@example.com", "Swee Per");
    await createOrg(page, "Lone Star Capital");
    await createProject(page, "East Riverside");
    await createScenario(
      page,
      "Austin TIF development model (corrected)",
      /^Market-rate deal with the default/,
      "Base",
    );
    scenarioUrl = page.url();
    await page.getByRole("tab", { name: "What-if sweep" }).click();
    await page.getByRole("textbox", { name: "Input to vary" }).click();
    await page.getByRole("option", { name: /^Land cost \(USD\)/ }).click();
    await page.getByRole("button", { name: "Run the sweep" }).click();
    const card = page.getByTestId("sweep-result");
    await text(card).toContain("Sweep succeeded: 5 of 5 points finished");
    const headers = await card.locator("thead th").allInnerTexts();
    expect(headers[0]).toBe("Land cost (USD)");
    expect(headers[1]).toBe("Levered IRR (%/yr)");
    expect(headers).toContain("Equity multiple (x)");
    const sweeps = await apiGet<{ items: { id: string }[] }>(page, "/sweeps");
    const sweep = await apiGet<{
      outputs: string[];
      table: { rows: { value: number; cells: (number | null)[] }[] };
    }>(page, `/sweeps/${sweeps.items[0]!.id}`);
    const irrAt = sweep.outputs.indexOf("returns.leveredIrr");
    expect(irrAt).toBe(0);
    const irr = sweep.table.rows.map((r) => r.cells[irrAt]!);
    expect(new Set(irr).size).toBe(5);
    // Row 1: the land cost as money, the IRR as a percent of the declared 2 decimals.
    const first = await card.locator("tbody tr").first().locator("td").allInnerTexts();
    expect(first[0]).toBe(formatValue(sweep.table.rows[0]!.value, "USD"));
    expect(first[1]).toBe(formatValue(irr[0], "fraction/yr", 2, { format: "percent" }));
    // No float noise anywhere (it read 2.4800000000000004), and the chart's legend names the IRR.
    const shown = await card.innerText();
    expect(shown).not.toMatch(/\d\.\d{7,}/);
    expect(shown).not.toMatch(/Unchanged across the sweep:.*Levered IRR/);
    await card.locator("canvas, svg").first().waitFor();
    await shot(page, "runsux-01-sweep-irr");
  }, 240_000);

  it("the runs list shows each run's key result beside its scenario and project", async () => {
    await page.goto(scenarioUrl);
    await page.getByRole("heading", { name: "Base", exact: true }).waitFor();
    runId = await runAndWait(page);
    const run = await apiGet<{ keyResult: KeyResult }>(page, `/runs/${runId}`);
    expect(run.keyResult.label).toBe("Levered IRR");
    await page.goto(`${base}/runs`);
    const row = page.locator("tr", { has: page.locator(`a[href="/runs/${runId}"]`) });
    const k = run.keyResult;
    const cell = row.getByTestId("key-result");
    await text(cell).toContain(formatValue(k.value, k.unit, k.decimals ?? undefined, { format: k.format }));
    expect(await cell.innerText()).toContain("Levered IRR");
    expect(await row.innerText()).toContain("Base");
    expect(await row.innerText()).toContain("East Riverside");
    // The sweep's five points are one line, without a key result of their own.
    await text(page.locator("main")).toContain("What-if sweep, 5 points");
    await shot(page, "runsux-02-runs-key-result");
  }, 120_000);

  it("the org's bracket negatives, set in its settings, reach the run page", async () => {
    await page.goto(`${base}/org/settings`);
    await page.getByLabel("Brackets: (1,234)").check();
    await page.getByRole("button", { name: "Save settings" }).click();
    await page.getByRole("status").filter({ hasText: "Saved" }).waitFor();
    const org = await apiGet<{ negativeNumbers: string }>(page, "/org");
    expect(org.negativeNumbers).toBe("brackets");
    const run = await apiGet<{ output: { returns: { npvLeveredUsd: number } } }>(page, `/runs/${runId}`);
    const npv = run.output.returns.npvLeveredUsd;
    expect(npv).toBeLessThan(0);
    await page.goto(`${base}/runs/${runId}`);
    const kpis = page.getByTestId("kpis");
    await text(kpis).toContain(formatValue(npv, "USD", 0, { format: "currency", negatives: "brackets" }));
    expect(await kpis.innerText()).not.toContain("−$");
    await shot(page, "runsux-03-brackets");
  }, 120_000);
});
