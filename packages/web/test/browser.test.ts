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
  pct,
  runAndWait,
  setupBrowserApp,
  shot,
  signUp,
  text,
} from "./browser-harness.ts";

/**
 * The web app in a real browser against the real server: the flows a newcomer goes through, with
 * the numbers on screen checked against the API's.
 */
setupBrowserApp();

describe("web app in Chromium", () => {
  let owner: Page;

  it("sign up → organization → project → TIF run → KPIs and the cash-flow table", async () => {
    owner = await newPage();
    await owner.goto(base);
    await owner.getByRole("heading", { name: "Sign in to Modelworks", exact: true }).waitFor();
    await shot(owner, "01-sign-in");
    await signUp(owner, "ada@example.com", "Ada Lovelace");
    await createOrg(owner, "Acme Capital");
    await createProject(owner, "Riverside TIF");
    await createScenario(
      owner,
      "Austin TIF development model (corrected)",
      /^Market-rate deal with the default Austin inputs/,
      "Base case",
    );
    await eventually(() => owner.getByLabel(/^Land cost \(USD\)/).inputValue()).toBe("3,000,000");
    await shot(owner, "02-scenario-editor");
    const runId = await runAndWait(owner);

    const run = await apiGet<{ output: { returns: { leveredIrr: number }; periods: unknown[] } }>(
      owner,
      `/runs/${runId}`,
    );
    const kpis = owner.getByTestId("kpis");
    await text(kpis).toContain("Levered IRR");
    await text(kpis).toContain(pct(run.output.returns.leveredIrr));
    const cashFlow = owner.getByTestId("table-periods");
    await eventually(() => cashFlow.locator("table").getAttribute("aria-label")).toMatch(/.+/);
    await eventually(() => cashFlow.locator("table").getAttribute("aria-rowcount")).toBe(
      String(run.output.periods.length + 1),
    );
    // Virtualized: far fewer rows in the DOM than the table has.
    const rendered = await cashFlow.locator("tbody tr").count();
    expect(rendered).toBeGreaterThan(5);
    expect(rendered).toBeLessThan(run.output.periods.length);
    await cashFlow.getByRole("button", { name: /^Levered cash flow/ }).click();
    await eventually(() =>
      cashFlow.locator("th").filter({ hasText: "Levered cash flow" }).first().getAttribute("aria-sort"),
    ).toBe("ascending");
    await owner.getByText("Annual", { exact: true }).first().click();
    await eventually(() => cashFlow.locator("table").getAttribute("aria-rowcount")).toBe(
      String(Math.ceil(run.output.periods.length / 12) + 1),
    );
    await shot(owner, "03-tif-results");
    await owner.getByRole("button", { name: "Switch to dark theme" }).click();
    await eventually(() => owner.locator("html").getAttribute("data-mantine-color-scheme")).toBe("dark");
    await shot(owner, "03b-tif-results-dark");
    await owner.getByRole("button", { name: "Switch to light theme" }).click();

    // What-if: a sweep of the first numeric input, plotted and tabulated from the server's sweep.
    await owner.getByRole("link", { name: "← Scenario" }).click();
    await owner.getByRole("tab", { name: "What-if sweep" }).click();
    await owner.getByRole("button", { name: "Run the sweep" }).click();
    const sweepCard = owner.getByTestId("sweep-result");
    await text(sweepCard).toContain("Sweep succeeded: 5 of 5 points finished");
    const sweeps = await apiGet<{ items: { id: string }[] }>(owner, "/sweeps");
    const sweep = await apiGet<{
      table: { kind: string; rows: { value: number; cells: (number | null)[] }[]; outputs: string[] };
    }>(owner, `/sweeps/${sweeps.items[0]!.id}`);
    expect(sweep.table.kind).toBe("one-way");
    expect(sweep.table.rows).toHaveLength(5);
    expect(await sweepCard.locator("tbody tr").count()).toBe(5);
    const firstCell = sweep.table.rows[0]!.cells[0]!;
    // The swept value in its unit (grouped, rounded), not the raw float ("2.4800000000000004").
    const swept = await sweepCard.locator("tbody tr").first().locator("td").first().innerText();
    expect(swept).toMatch(/\d/);
    expect(swept).not.toMatch(/\d\.\d{7,}/);
    expect(typeof firstCell).toBe("number");
    await shot(owner, "03c-what-if-sweep");
  }, 120_000);

  let dealRuns: string[] = [];

  it("Deal Picker: pasted deals, shadow prices, a what-if card that runs its change, then compare", async () => {
    await owner.goto(`${base}/projects`);
    await owner.getByRole("link", { name: "Riverside TIF" }).click();
    await createScenario(
      owner,
      "Deal Picker: which deals to buy with a limited budget",
      /^AED 200M across 12 Dubai deals/,
      "Dubai picks",
    );
    // A rule only the server knows (across two fields): its 422 lands on the field it names.
    const minAssets = owner.getByLabel(/^Min assets/);
    const maxAssets = owner.getByLabel(/^Max assets/);
    const maxBefore = await maxAssets.inputValue();
    await minAssets.fill("5");
    await maxAssets.fill("2");
    await owner.getByRole("button", { name: "Save revision" }).first().click();
    await text(owner.getByText("minAssets cannot exceed maxAssets").first()).toContain("cannot exceed");
    await eventually(() => minAssets.getAttribute("aria-invalid")).toBe("true");
    await shot(owner, "04a-server-field-error");
    await minAssets.fill("");
    await maxAssets.fill(maxBefore);
    const grid = owner.getByTestId("grid-deals");
    const before = Number((await grid.getAttribute("aria-rowcount"))!) - 1;
    await owner.getByRole("button", { name: "Add row" }).first().click();
    const cell = owner.getByLabel(`Id, row ${before + 1}`);
    await cell.focus();
    // A block copied from a spreadsheet: header row plus two deals.
    const tsv =
      "id\tname\taskPrice\tnoi\tsector\tcity\nNEW-1\tPasted one\t1,000,000\t90000\tRetail\tDubai\nNEW-2\tPasted two\t2000000\t150000\tOffice\tDubai\n";
    await cell.evaluate((el, text) => {
      // Browser globals, typed here because this file is checked without the DOM library.
      const g = globalThis as unknown as {
        DataTransfer: new () => { setData(type: string, value: string): void };
        ClipboardEvent: new (type: string, init: object) => never;
      };
      const data = new g.DataTransfer();
      data.setData("text/plain", text);
      (el as unknown as { dispatchEvent(e: unknown): boolean }).dispatchEvent(
        new g.ClipboardEvent("paste", { clipboardData: data, bubbles: true, cancelable: true }),
      );
    }, tsv);
    await eventually(() => grid.getAttribute("aria-rowcount")).toBe(String(before + 2 + 1));
    await eventually(() => owner.getByLabel(`Ask price, row ${before + 1}`).inputValue()).toBe("1,000,000");
    await shot(owner, "04-deal-picker-editor");
    const first = await runAndWait(owner);
    const run = await apiGet<{ input: { deals: { id: string }[] } }>(owner, `/runs/${first}`);
    expect(run.input.deals.map((d) => d.id)).toEqual(expect.arrayContaining(["NEW-1", "NEW-2"]));

    await text(owner.getByTestId("shadow-prices")).toContain("Budget");
    await text(owner.getByTestId("shadow-prices")).toContain("AED/yr per AED");
    await owner.getByTestId("binding").waitFor();
    await shot(owner, "05-deal-picker-results");
    const card = owner.getByTestId("what-if-card").filter({ hasText: "budget were raised" });
    await card.getByRole("button", { name: /Run this change/ }).click();
    await owner.waitForURL((u) => u.pathname.startsWith("/runs/") && !u.pathname.endsWith(first));
    await owner.getByRole("tab", { name: "Results" }).waitFor({ timeout: 60_000 });
    const second = owner.url().split("/").pop()!;
    const changed = await apiGet<{ input: { budget: number } }>(owner, `/runs/${second}`);
    const original = await apiGet<{ input: { budget: number } }>(owner, `/runs/${first}`);
    expect(changed.input.budget).toBeGreaterThan(original.input.budget);
    dealRuns = [first, second];

    await owner.goto(`${base}/runs`);
    await owner.getByRole("checkbox").nth(1).waitFor();
    // Newest first: the what-if run, then the first run. Pick the first run as the baseline.
    await owner.getByRole("checkbox").nth(1).check();
    await owner.getByRole("checkbox").nth(0).check();
    await owner.getByRole("button", { name: /Compare 2 runs/ }).click();
    const inputs = owner.getByTestId("input-differences");
    // In words and units, not paths and raw numbers (issue 18 item 7).
    await text(inputs).toContain("Budget");
    await text(inputs).toContain(original.input.budget.toLocaleString("en-US"));
    await text(inputs).toContain(changed.input.budget.toLocaleString("en-US"));
    await text(owner.getByTestId("output-differences")).toContain("Budget");
    await text(owner.getByTestId("output-differences")).not.toContain("kpis.");
    await shot(owner, "06-compare");
  }, 180_000);

  it("Leasing Mix: a WAULT target no plan can meet shows why (IIS and the smallest relaxation)", async () => {
    await owner.goto(`${base}/projects`);
    await owner.getByRole("link", { name: "Riverside TIF" }).click();
    await createScenario(
      owner,
      "Leasing Mix Optimizer",
      /^The same tower with the occupancy target as a hard/,
      "Tower, strict WAULT",
    );
    const wault = owner.getByLabel(/^Min WAULT months/);
    // Client-side validation from the model's schema: a negative WAULT is refused inline.
    await wault.fill("-5");
    await owner.getByRole("button", { name: "Save and run" }).click();
    await owner.getByRole("alert").filter({ hasText: "need" }).first().waitFor();
    await owner.locator("[aria-invalid=true]").first().waitFor();
    await wault.fill("100");
    const runId = await runAndWait(owner);
    const run = await apiGet<{ output: { status: string } }>(owner, `/runs/${runId}`);
    expect(run.output.status).toBe("infeasible");
    const why = owner.getByTestId("infeasibility");
    await text(why).toContain("WAULT target");
    await text(why).toContain("Smallest changes that make a plan possible");
    await text(owner.getByTestId("optimizer-status")).toContain("No feasible plan");
    await shot(owner, "07-leasing-mix-infeasible");
  }, 120_000);

  it("Capex Phasing: the schedule as a Gantt chart, a bar per project, and the months that bind", async () => {
    await owner.goto(`${base}/projects`);
    await owner.getByRole("link", { name: "Riverside TIF" }).click();
    await createScenario(owner, "Capex Phasing Planner", /^24-month refurbishment/, "Refurbishment");
    const runId = await runAndWait(owner);
    const run = await apiGet<{ output: { status: string; schedule: { projectId: string }[] } }>(
      owner,
      `/runs/${runId}`,
    );
    expect(run.output.status).toBe("optimal");
    const gantt = owner.getByRole("img", { name: "Schedule (months of works)" });
    await gantt.waitFor();
    // One ~22 px row per project: the chart grows with the programme instead of squeezing it.
    const box = await gantt.boundingBox();
    expect(box!.height).toBeGreaterThanOrEqual(22 * run.output.schedule.length + 70 - 1);
    await owner.getByTestId("binding").waitFor();
    await gantt.scrollIntoViewIfNeeded();
    await shot(owner, "07b-capex-results");
    await shot(gantt, "07c-capex-gantt");
  }, 120_000);

  it("a viewer sees the scenario but cannot edit or run it, and the server refuses", async () => {
    await owner.goto(`${base}/org/invitations`);
    await owner.getByLabel("Email").fill("grace@example.com");
    await owner.getByRole("button", { name: "Invite" }).click();
    const acceptUrl = (await owner.getByTestId("accept-url").textContent())!;
    expect(acceptUrl).toContain("/invitations/accept?token=");
    await shot(owner, "08-invitations");
    const scenarioUrl = await (async () => {
      await owner.goto(`${base}/projects`);
      await owner.getByRole("link", { name: "Riverside TIF" }).click();
      await owner.getByRole("link", { name: "Base case" }).click();
      await owner.waitForURL(/\/scenarios\//);
      return new URL(owner.url()).pathname;
    })();

    const viewer = await newPage();
    const acceptPath = new URL(acceptUrl).pathname + new URL(acceptUrl).search;
    await signUp(viewer, "grace@example.com", "Grace Hopper", acceptPath);
    await viewer.getByRole("button", { name: "Join the organization" }).click();
    await viewer.getByRole("heading", { name: "Projects", exact: true }).waitFor();
    await eventually(() => viewer.getByLabel("Project name").count()).toBe(0);
    await viewer.goto(`${base}${scenarioUrl}`);
    await viewer.getByRole("heading", { name: "Base case", exact: true }).waitFor();
    await viewer.getByText(/your role \(viewer\) cannot change or run it/).waitFor();
    await eventually(() =>
      viewer.getByRole("button", { name: /^(Run|Save and run|Save revision)$/ }).count(),
    ).toBe(0);
    await eventually(() => viewer.getByLabel(/^Land cost \(USD\)/).isDisabled()).toBe(true);
    await shot(viewer, "09-viewer-scenario");

    const session = await apiGet<{ csrfToken: string }>(viewer, "/session");
    const scenarioId = scenarioUrl.split("/").pop()!;
    const refused = await viewer.request.post(`${base}/api/v1/models/tif/runs`, {
      headers: { "x-csrf-token": session.csrfToken, "content-type": "application/json" },
      data: { scenarioId },
    });
    expect(refused.status()).toBe(403);
    const edit = await viewer.request.patch(`${base}/api/v1/scenarios/${scenarioId}`, {
      headers: { "x-csrf-token": session.csrfToken, "content-type": "application/json" },
      data: { name: "hijacked" },
    });
    expect(edit.status()).toBe(403);
    // The viewer can still read the runs.
    await viewer.goto(`${base}/runs/${dealRuns[0]}`);
    await viewer.getByTestId("shadow-prices").waitFor();
    await eventually(() => viewer.getByRole("button", { name: /Run this change/ }).count()).toBe(0);
  }, 120_000);
});
