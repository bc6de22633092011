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
 * An engine that declares its presentation and has no web code (testbench `test-presentation`):
 * its form comes up in the sections its layout names, in order, with the undeclared field under
 * "Other", and its run shows its KPIs, table and chart — all from GET /models/{id}.
 */
setupBrowserApp({ internalModels: true });

describe("a model's declared presentation, in Chromium", () => {
  it("lays out the form by the declared sections and shows the declared table and chart", async () => {
    const page = await newPage();
    await page.goto(base);
    await signUp(page, "grace@example.com", "Grace Hopper");
    await createOrg(page, "Hopper Homes");
    await createProject(page, "Layout check");

    const model = await apiGet<{ layout: { sections: { title: string }[] }; view: string }>(
      page,
      "/models/test-presentation",
    );
    expect(model.view).toBe("generic");
    expect(model.layout.sections.map((s) => s.title)).toEqual(["Units and rent", "Timing"]);

    await createScenario(page, "Test: declared presentation", /^Small block/, "Block A");
    const tabs = page.getByRole("tab");
    await eventually(async () => (await tabs.allTextContents()).map((t) => t.trim())).toEqual(
      expect.arrayContaining(["Units and rent", "Timing", "Other"]),
    );
    const order = (await tabs.allTextContents()).map((t) => t.trim());
    expect(order.indexOf("Units and rent")).toBeLessThan(order.indexOf("Timing"));
    expect(order.indexOf("Timing")).toBeLessThan(order.indexOf("Other"));
    // The first section's fields are shown; the undeclared `label` waits under "Other".
    await eventually(() => page.getByRole("textbox", { name: /^Units/ }).inputValue()).toBe("10");
    await page.getByRole("tab", { name: "Other" }).click();
    await eventually(() => page.getByRole("textbox", { name: /^Label/ }).inputValue()).toBe("Block A");
    await shot(page, "presentation-form");

    const runId = await runAndWait(page);
    const run = await apiGet<{ output: { schedule: { revenueUsd: number }[] } }>(page, `/runs/${runId}`);
    const revenueUsd = run.output.schedule.map((m) => m.revenueUsd);
    expect(revenueUsd).toHaveLength(3);
    for (const [i, v] of [10_000, 11_000, 12_100].entries()) expect(revenueUsd[i]).toBeCloseTo(v, 6);
    const table = page.getByTestId("table-schedule");
    await eventually(() => table.locator("table").getAttribute("aria-rowcount")).toBe("4");
    await text(table).toContain("12,100");
    await page.getByRole("heading", { name: "Revenue by month" }).first().waitFor();
    await eventually(() => page.locator("canvas").count()).toBeGreaterThan(0);
    await text(page.getByTestId("kpis")).toContain("33,100");
    await shot(page, "presentation-results");
  });
});
