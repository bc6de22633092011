import type { Page } from "playwright-core";
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
  text,
} from "./browser-harness.ts";

/**
 * Issue 18 items 4, 5, 9 and 13 walked in Chromium against the real server: an infeasible Deal
 * Picker reads "No feasible plan" beside its succeeded status with the smallest change in words;
 * an empty plan says why; binding limits come with their re-solved value; capex's binding months
 * are grouped and its what-ifs can be run. Screenshots at 1366 and 390 px.
 */
setupBrowserApp();

const M = 1_000_000;
const noCosts = { transactionCostRate: 0, vacancyHaircut: 0 };

describe("optimizer results that read right (issue 18 items 4, 5, 9, 13)", () => {
  let page: Page;
  let projectId: string;
  let token: string;

  async function run(model: string, input: unknown): Promise<string> {
    const res = await page.request.post(`${base}/api/v1/models/${model}/runs`, {
      headers: { "x-csrf-token": token, "content-type": "application/json" },
      data: { input, projectId },
    });
    expect(res.status(), await res.text()).toBeLessThan(300);
    const id = ((await res.json()) as { id: string }).id;
    await expect
      .poll(async () => (await apiGet<{ status: string }>(page, `/runs/${id}`)).status, { timeout: 60_000 })
      .toBe("succeeded");
    await page.goto(`${base}/runs/${id}`);
    await page.getByRole("tab", { name: "Results" }).waitFor({ timeout: 30_000 });
    return id;
  }

  async function bothWidths(name: string) {
    await shot(page, `${name}-1366`);
    await page.setViewportSize({ width: 390, height: 844 });
    await shot(page, `${name}-390`);
    const overflow = await page.evaluate<number>(`document.documentElement.scrollWidth - window.innerWidth`);
    await page.setViewportSize({ width: 1366, height: 800 });
    return overflow;
  }

  it("infeasible Deal Picker: 'No feasible plan' beside SUCCEEDED, the smallest change in words", async () => {
    page = await newPage();
    await signUp(page, "optimizer@example.com", "Opti Mizer");
    await createOrg(page, "Gulf Capital");
    await createProject(page, "Dubai pipeline");
    projectId = page.url().split("/").pop()!;
    token = (await apiGet<{ csrfToken: string }>(page, "/session")).csrfToken;
    await run("deal-picker", {
      budget: 10 * M,
      assumptions: noCosts,
      deals: [
        { id: "TOWER", askPrice: 12 * M, noi: 900_000, sector: "Office", city: "DIFC", mustBuy: true },
        { id: "SHOP", askPrice: 3 * M, noi: 240_000, sector: "Retail", city: "JLT" },
      ],
    });
    const badge = page.getByTestId("outcome-badge");
    await text(badge).toBe("No feasible plan");
    expect(await badge.getAttribute("data-tone")).toBe("bad");
    await text(page.getByTestId("relaxation")).toContain(
      "raise Budget from 10,000,000 to 12,000,000 AED (+2,000,000)",
    );
    const shown = await page.locator("main").innerText();
    expect(shown).not.toMatch(/undefined/);
    expect(shown).toMatch(/succeeded/i);
    expect(await bothWidths("opt-01-deal-picker-infeasible")).toBeLessThanOrEqual(1);
  }, 90_000);

  it("an empty plan says why: the single-asset cap stops two of three deals", async () => {
    await run("deal-picker", {
      budget: 20 * M,
      assumptions: noCosts,
      caps: { basis: "deployed", sector: {}, city: {}, singleAsset: 0.2 },
      deals: [
        { id: "A", askPrice: 5 * M, noi: 500_000, sector: "Office", city: "DIFC" },
        { id: "B", askPrice: 6 * M, noi: 540_000, sector: "Retail", city: "JLT" },
        { id: "C", askPrice: 30 * M, noi: 2_000_000, sector: "Office", city: "DIFC" },
      ],
    });
    await text(page.getByTestId("outcome-badge")).toBe("Empty plan: buys no deal");
    const why = page.getByTestId("empty-plan");
    await text(why).toContain(
      "The plan is empty because of the single-asset cap (20% of capital deployed): it stops 2 of the 3 deals checked",
    );
    await text(why).toContain("B (6,000,000 AED all-in) cannot be bought");
    // One what-if per input: the three deals' single-asset caps are one cap.
    await eventually(() =>
      page.getByTestId("what-if-card").filter({ hasText: "single-asset cap were 25.0%" }).count(),
    ).toBe(1);
    // Prominent: above the binding limits and the tables.
    const [whyTop, bindingTop] = await Promise.all([
      why.boundingBox(),
      page.getByTestId("binding").boundingBox(),
    ]);
    expect(whyTop!.y).toBeLessThan(bindingTop!.y);
    expect(await page.locator("main").innerText()).not.toMatch(/undefined/);
    await bothWidths("opt-02-deal-picker-empty");
  }, 90_000);

  it("leasing mix: the binding incentive budget states its re-solved +226,000; the LP dual is a labelled detail", async () => {
    const model = await apiGet<{ examples: { input: unknown }[] }>(page, "/models/leasing-mix");
    await run("leasing-mix", model.examples[0]!.input);
    await text(page.getByTestId("outcome-badge")).toBe("Optimal leasing mix");
    const group = page.getByTestId("binding-group").filter({ hasText: "Incentive budget" });
    await text(group.getByTestId("binding-marginal")).toContain("Re-solved: objective +226,000.00 (better)");
    // The fixed-integer duals: collapsed, named for what they are, after the what-ifs.
    const detail = page.getByTestId("shadow-prices");
    await text(detail.locator("summary")).toBe("LP dual at the fixed integer plan (detail)");
    expect(await detail.getAttribute("open")).toBeNull();
    const [whatIfs, prices] = await Promise.all([
      page.getByTestId("what-ifs").boundingBox(),
      detail.boundingBox(),
    ]);
    expect(whatIfs!.y).toBeLessThan(prices!.y);
    await bothWidths("opt-03-leasing-mix");
  }, 90_000);

  it("capex: binding rows grouped by kind with counts; every what-if can be run", async () => {
    const model = await apiGet<{ examples: { input: unknown }[] }>(page, "/models/capex-phasing");
    const baseRun = await run("capex-phasing", model.examples[0]!.input);
    const groups = page.getByTestId("binding-group");
    await eventually(() => groups.count()).toBe(3);
    await text(groups.nth(0)).toContain("Monthly cash cap");
    await text(groups.nth(0).getByTestId("binding-count")).toBe("binding in 24");
    await text(groups.nth(0)).toContain("and 21 more");
    await text(groups.nth(1)).toContain("Projects under works at once");
    await text(groups.nth(2)).toContain("roof ends in month 14");
    const cards = page.getByTestId("what-if-card");
    await eventually(() => cards.count()).toBe(4);
    await eventually(() => cards.getByRole("button", { name: /^Run this change/ }).count()).toBe(4);
    expect(await page.locator("main").innerText()).not.toMatch(/is not set in this run's input|undefined/);
    // The LP duals' declared tables are a collapsed detail too.
    expect(await page.getByTestId("price-tables").getAttribute("open")).toBeNull();
    expect(await bothWidths("opt-04-capex")).toBeLessThanOrEqual(1);
    // Running one: a new run with the cash cap +10 %.
    await cards.getByRole("button", { name: "Run this change (monthlyCashCap = 2,420,000)" }).click();
    await page.waitForURL((u) => /\/runs\/[0-9a-f-]{36}$/.test(u.pathname) && !u.pathname.endsWith(baseRun));
    const next = page.url().split("/").pop()!;
    const stored = await apiGet<{ input: { monthlyCashCap: number } }>(page, `/runs/${next}`);
    expect(stored.input.monthlyCashCap).toBe(2_420_000);
  }, 90_000);
});
