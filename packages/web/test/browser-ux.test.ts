import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import {
  apiGet,
  base,
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
 * Issue 18 (part A) walked as an analyst does, in Chromium against the real server: numbers typed
 * in their units and stored canonically (read back through the API), no silent defaults, table
 * columns that line up (by cell geometry), no "undefined" in any example run of any engine, the
 * skip link and Enter, at 1366 px and 390 px.
 */
setupBrowserApp();

/**
 * Each header's x-range overlaps the x-range of every cell of its column, row by row. Runs in the
 * page (as source text: this file is compiled without the DOM library).
 */
async function columnsAligned(page: Page, testId: string): Promise<{ columns: number; rows: number }> {
  return page.evaluate(`(() => {
    const root = document.querySelector('[data-testid="${testId}"]');
    const range = (el) => { const r = el.getBoundingClientRect(); return { x: r.x, width: r.width }; };
    const headers = [...root.querySelectorAll("thead th")].map(range);
    const rows = [...root.querySelectorAll("tbody tr")];
    const overlaps = (a, b) => Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x);
    rows.forEach((tr, ri) => {
      const cells = [...tr.querySelectorAll("td")].map(range);
      if (cells.length !== headers.length) throw new Error("row " + (ri + 1) + ": " + cells.length + " cells, " + headers.length + " headers");
      cells.forEach((c, i) => {
        const h = headers[i];
        // Same column: the cell covers most of its header and nothing of the next header.
        if (overlaps(c, h) < 0.9 * Math.min(c.width, h.width))
          throw new Error("row " + (ri + 1) + ", column " + (i + 1) + ": cell " + c.x + "+" + c.width + " vs header " + h.x + "+" + h.width);
        const next = headers[i + 1];
        if (next && overlaps(c, next) > 1) throw new Error("row " + (ri + 1) + ", column " + (i + 1) + " runs under column " + (i + 2));
      });
    });
    return { columns: headers.length, rows: rows.length };
  })()`);
}

async function csrf(page: Page) {
  return (await apiGet<{ csrfToken: string }>(page, "/session")).csrfToken;
}

describe("analyst journeys (issue 18, part A)", () => {
  let page: Page;
  let scenarioUrl: string;
  let projectId: string;

  it("percent entry: 20 and 20% are stored as 0.2 and shown as 20.00; emptied and text fields are refused", async () => {
    page = await newPage();
    await signUp(page, "analyst@example.com", "Ana Lyst");
    await createOrg(page, "Riverside Capital");
    await createProject(page, "East Riverside");
    projectId = page.url().split("/").pop()!;
    await createScenario(
      page,
      "Austin TIF development model (corrected)",
      /^Market-rate deal with the default/,
      "Base",
    );
    scenarioUrl = page.url();
    const scenarioId = scenarioUrl.split("/").pop()!;
    // Skip link: on a freshly opened page the first Tab lands on it, and it leads to the content.
    await page.goto(scenarioUrl);
    await page.getByRole("heading", { name: "Base", exact: true }).waitFor();
    const first = await page.evaluate<string>(
      `document.querySelector("a[href], button, input, select, textarea")?.textContent ?? ""`,
    );
    expect(first).toBe("Skip to content");
    await page.keyboard.press("Tab");
    await text(page.locator(":focus")).toBe("Skip to content");
    await page.keyboard.press("Enter");
    await eventually(() => page.evaluate<string>(`document.activeElement?.id ?? ""`)).toBe("main");

    const share = page.getByLabel(/^Affordable share \(%\)/);
    await eventually(() => share.isVisible()).toBe(true);
    await eventually(() => share.inputValue()).toBe("20.00");
    await share.fill("25%");
    await page.getByLabel("Revision note").fill("Quarter affordable");
    await page.getByRole("button", { name: "Save revision" }).first().click();
    await page.getByText("revision 2").waitFor();
    let stored = await apiGet<{ input: { affordableShare: number } }>(page, `/scenarios/${scenarioId}`);
    expect(stored.input.affordableShare).toBe(0.25);
    await eventually(() => page.getByLabel(/^Affordable share \(%\)/).inputValue()).toBe("25.00");

    await page.getByLabel(/^Affordable share \(%\)/).fill("30");
    await page.getByLabel("Revision note").fill("Thirty");
    await page.getByRole("button", { name: "Save revision" }).first().click();
    await page.getByText("revision 3").waitFor();
    stored = await apiGet(page, `/scenarios/${scenarioId}`);
    expect(stored.input.affordableShare).toBe(0.3);

    // Clearing a required field does not store the default: the field says it needs a value.
    const land = page.getByLabel(/^Land cost \(USD\)/);
    const landBefore = await land.inputValue();
    await land.fill("");
    await page.getByRole("button", { name: "Save revision" }).first().click();
    await text(page.getByText(/Enter a value/).first()).toContain("not replaced by the model's default");
    await eventually(() => land.getAttribute("aria-invalid")).toBe("true");
    // "abc" in a numeric field: an error on the spot.
    await land.fill("abc");
    await page.getByText("Enter a number", { exact: true }).waitFor();
    // The summary above the form names the field as its label reads.
    await text(page.getByRole("alert").filter({ hasText: "needs attention" })).toContain(
      "Land cost: Enter a number",
    );
    await shot(page, "ux-01-field-errors-1366");
    await page.getByRole("button", { name: "Save revision" }).first().click();
    const after = await apiGet<{ revision: number; input: { landCostUsd: number } }>(
      page,
      `/scenarios/${scenarioId}`,
    );
    expect(after.revision).toBe(3);
    await land.fill(landBefore);
    expect(after.input.landCostUsd).toBe(Number(landBefore.replace(/,/g, "")));

    // Enter in the note with no note does not save a revision.
    await page.getByLabel(/^Affordable share \(%\)/).fill("20");
    await page.getByLabel("Revision note").fill("");
    await page.getByLabel("Revision note").press("Enter");
    await page.getByText(/Write a note to save with Enter/).waitFor();
    expect((await apiGet<{ revision: number }>(page, `/scenarios/${scenarioId}`)).revision).toBe(3);
  }, 180_000);

  it("TIF annual summary: every value sits under its header; formatted with units; screenshots at 1366 and 390", async () => {
    await page.goto(scenarioUrl);
    await page.getByRole("heading", { name: "Base", exact: true }).waitFor();
    const runId = await runAndWait(page);
    const table = page.getByTestId("table-annual");
    await table.waitFor();
    const geometry = await columnsAligned(page, "table-annual");
    expect(geometry.columns).toBeGreaterThan(5);
    expect(geometry.rows).toBeGreaterThan(3);
    const body = await page.locator("main").innerText();
    expect(body).not.toMatch(/undefined|NaN|\(currency\)/);
    // Negative amounts carry a true minus, never a hyphen before a digit or currency sign.
    expect(body).not.toMatch(/(^|\s)-\$?\d/m);
    await shot(page, "ux-02-tif-deal-1366");
    await shot(table, "ux-02b-tif-annual-summary-1366");
    await page.setViewportSize({ width: 390, height: 844 });
    await shot(page, "ux-03-tif-deal-390");
    const overflow = await page.evaluate<number>(`document.documentElement.scrollWidth - window.innerWidth`);
    expect(overflow).toBeLessThanOrEqual(1);
    await page.setViewportSize({ width: 1366, height: 800 });
    expect(runId).toMatch(/^[0-9a-f-]{36}$/);
  }, 180_000);

  it("Deal Picker selected deals line up; comparison names outputs in words and IRR deltas in bps", async () => {
    await page.goto(`${base}/projects/${projectId}`);
    await createScenario(
      page,
      "Deal Picker: which deals to buy with a limited budget",
      /^AED 200M across 12 Dubai deals/,
      "Picks",
    );
    await runAndWait(page);
    const selected = page
      .locator("[data-testid^='table-']")
      .filter({ has: page.getByRole("table", { name: "Selected deals" }) });
    await selected.waitFor();
    const id = (await selected.getAttribute("data-testid"))!;
    const geometry = await columnsAligned(page, id);
    expect(geometry.rows).toBeGreaterThan(0);
    await text(selected.locator("thead")).not.toContain("(currency)");
    await shot(page, "ux-04-deal-picker-1366");
    await page.setViewportSize({ width: 390, height: 844 });
    await shot(page, "ux-05-deal-picker-390");
    await page.setViewportSize({ width: 1366, height: 800 });

    // Two TIF runs compared: business names, rate deltas in bps.
    await page.goto(scenarioUrl);
    await page.getByRole("heading", { name: "Base", exact: true }).waitFor();
    await page
      .getByLabel(/^Hard cost per unit \(USD\)/)
      .waitFor()
      .catch(() => {});
    const scenarioId = scenarioUrl.split("/").pop()!;
    const token = await csrf(page);
    const current = await apiGet<{ input: Record<string, unknown>; revision: number }>(
      page,
      `/scenarios/${scenarioId}`,
    );
    const runs: string[] = [];
    for (const landCostUsd of [3_000_000, 6_000_000]) {
      const res = await page.request.post(`${base}/api/v1/models/tif/runs`, {
        headers: { "x-csrf-token": token, "content-type": "application/json" },
        data: { input: { ...current.input, landCostUsd }, projectId },
      });
      expect(res.status()).toBeLessThan(300);
      runs.push(((await res.json()) as { id: string }).id);
    }
    for (const r of runs)
      await eventually(async () => (await apiGet<{ status: string }>(page, `/runs/${r}`)).status).toBe(
        "succeeded",
      );
    await page.goto(`${base}/compare?runs=${runs.join(",")}`);
    const outputs = page.getByTestId("output-differences");
    await outputs.waitFor();
    await text(outputs).toMatch(/bps/);
    const shown = await outputs.innerText();
    // No dotted developer paths (returns.leveredIrrAnnualRoots.0) and no IRR root lists.
    expect(shown).not.toMatch(/[a-zA-Z]\.[a-zA-Z0-9]|Roots/);
    expect(shown).not.toMatch(/IRR[^\n]*\(\+?−?\d+\.\d+%\)/);
    await text(page.getByTestId("input-differences")).toContain("Land cost");
    await shot(page, "ux-06-compare-1366");
    await page.setViewportSize({ width: 390, height: 844 });
    await shot(page, "ux-07-compare-390");
    await page.setViewportSize({ width: 1366, height: 800 });
  }, 180_000);

  it("every example of every model: its run page shows no undefined, NaN or raw currency placeholder", async () => {
    const token = await csrf(page);
    const models = await apiGet<{ items: { id: string; title: string }[] } | { id: string; title: string }[]>(
      page,
      "/models",
    );
    const list = Array.isArray(models) ? models : models.items;
    const started: { model: string; example: string; id: string }[] = [];
    for (const m of list) {
      const model = await apiGet<{ examples: { name: string; input: unknown }[] }>(page, `/models/${m.id}`);
      for (const ex of model.examples) {
        const res = await page.request.post(`${base}/api/v1/models/${m.id}/runs`, {
          headers: { "x-csrf-token": token, "content-type": "application/json" },
          data: { input: ex.input, projectId },
        });
        expect(res.status(), `${m.id}/${ex.name}`).toBeLessThan(300);
        started.push({ model: m.id, example: ex.name, id: ((await res.json()) as { id: string }).id });
      }
    }
    const problems: string[] = [];
    const pictured = new Set<string>();
    for (const r of started) {
      await expect
        .poll(async () => (await apiGet<{ status: string }>(page, `/runs/${r.id}`)).status, {
          timeout: 90_000,
        })
        .toMatch(/succeeded|failed/);
      await page.goto(`${base}/runs/${r.id}`);
      await page.getByRole("tab", { name: "Results" }).waitFor({ timeout: 30_000 });
      // Let the dedicated view's lazy chunk and charts settle.
      await page.waitForLoadState("networkidle");
      const shown = await page.locator("main").innerText();
      const bad = /undefined|NaN|\(currency\)/.exec(shown);
      if (bad)
        problems.push(
          `${r.model}/${r.example}: “${shown.slice(Math.max(0, bad.index - 60), bad.index + 20)}”`,
        );
      // Each model's view once, at 1366 px and 390 px.
      if (!pictured.has(r.model)) {
        pictured.add(r.model);
        await shot(page, `ux-model-${r.model}-1366`);
        await page.setViewportSize({ width: 390, height: 844 });
        await shot(page, `ux-model-${r.model}-390`);
        await page.setViewportSize({ width: 1366, height: 800 });
      }
    }
    expect(problems).toEqual([]);
    expect(started.length).toBeGreaterThan(5);
  }, 300_000);
});
