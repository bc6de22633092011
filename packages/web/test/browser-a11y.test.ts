import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { seriousViolations } from "./axe.ts";
import {
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
} from "./browser-harness.ts";

/**
 * Automated accessibility check: axe-core injected into the real pages, in light and dark theme.
 * Fails on any serious or critical violation (WCAG 2.x A/AA and axe's best practices), naming the
 * rule and the elements so the fix is findable. Axe sees what is rendered: charts are canvases
 * with a label, so their contrast is not checked here.
 */
setupBrowserApp();

/** The page in both themes (the app follows the system's until one is chosen). */
async function checkBothThemes(page: Page, name: string, ready: () => Promise<unknown>) {
  for (const scheme of ["light", "dark"] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    await eventually(() => page.locator("html").getAttribute("data-mantine-color-scheme")).toBe(scheme);
    await ready();
    // Let transitions (Mantine's 150 ms colour fades) settle before colours are measured.
    await page.waitForTimeout(400);
    await shot(page, `a11y-${name}-${scheme}`);
    expect((await seriousViolations(page)).join("\n"), `${name} (${scheme})`).toBe("");
  }
}

describe("accessibility (axe-core) of the main pages, light and dark", () => {
  let page: Page;
  let scenarioUrl: string;
  let runUrl: string;

  it("sign-in", async () => {
    page = await newPage();
    await page.goto(`${base}/sign-in`);
    await checkBothThemes(page, "sign-in", () =>
      page.getByRole("heading", { name: "Sign in to Modelworks" }).waitFor(),
    );
  }, 60_000);

  it("projects", async () => {
    await signUp(page, "axe@example.com", "Ada Axe");
    await createOrg(page, "Accessible Capital");
    await createProject(page, "Audit");
    await page.goto(`${base}/projects`);
    await checkBothThemes(page, "projects", () =>
      page.getByRole("heading", { name: "Projects", exact: true }).waitFor(),
    );
  }, 60_000);

  it("scenario editor (TIF comparison, tabs of the layout)", async () => {
    await page.goto(`${base}/projects`);
    await page.getByRole("link", { name: "Audit", exact: true }).click();
    await createScenario(
      page,
      "Austin TIF: market vs mixed income",
      /^The prototype's default project; tier 2/,
      "A11y",
    );
    scenarioUrl = page.url();
    await checkBothThemes(page, "scenario-editor", () => page.getByRole("tab", { name: "Costs" }).waitFor());
  }, 90_000);

  it("TIF comparison results", async () => {
    await page.goto(scenarioUrl);
    await runAndWait(page);
    runUrl = page.url();
    await checkBothThemes(page, "tif-results", () => page.getByTestId("irr-gap").waitFor());
  }, 90_000);

  it("incentive matrix results", async () => {
    await page.goto(`${base}/projects`);
    await page.getByRole("link", { name: "Audit", exact: true }).click();
    await createScenario(
      page,
      "Austin TIF: incentive matrix and minimum package",
      /all three tiers/,
      "Matrix",
    );
    await runAndWait(page);
    await checkBothThemes(page, "tif-matrix", () => page.getByTestId("matrix-grid").waitFor());
  }, 90_000);

  it("Monte Carlo results (200 iterations)", async () => {
    await page.goto(`${base}/projects`);
    await page.getByRole("link", { name: "Audit", exact: true }).click();
    await createScenario(
      page,
      "Austin TIF development model — Monte Carlo (tif@2)",
      /^Mixed income with a TIF lump sum/,
      "Risk",
    );
    await page.getByLabel(/^Iterations/).fill("200");
    await runAndWait(page);
    await checkBothThemes(page, "tif-montecarlo", () => page.getByTestId("irr-histogram").waitFor());
  }, 90_000);

  it("scenario history", async () => {
    await page.goto(scenarioUrl);
    await page.getByRole("tab", { name: "History" }).click();
    await page.getByTestId("revision-history").waitFor();
    await page.emulateMedia({ colorScheme: "light" });
    expect((await seriousViolations(page)).join("\n"), "history (light)").toBe("");
    expect(runUrl).toMatch(/\/runs\//);
  }, 60_000);

  it("organization members", async () => {
    await page.goto(`${base}/org/members`);
    await checkBothThemes(page, "org-members", () =>
      page
        .getByRole("heading", { name: /Members/ })
        .first()
        .waitFor(),
    );
  }, 60_000);
});
