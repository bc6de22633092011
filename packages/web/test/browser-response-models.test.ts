import { readFile } from "node:fs/promises";
import { sampleRecords } from "@modelworks/engine-response-model";
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
  text,
} from "./browser-harness.ts";

/**
 * The response-model journey in Chromium against the real server (issue 15 item 10): the model's
 * example fitted, saved as a named model, approved by its admin (with an override reason when the
 * deployment gate fails), and a customer file uploaded and scored by a run whose page hands over
 * the scored CSV.
 */
setupBrowserApp();

// The mailing list to score: 300 customers of the bundled sample, under the fit's names,
// with their response flag (scoring passes it through; a fit from the file reads it).
const SCORED_ROWS = 300;
function customersCsv(): Buffer {
  // Every 8th customer: the sample is ordered by response, and a fit needs responders and others.
  const rows = sampleRecords("campaigniq")
    .filter((_, i) => i % 8 === 0)
    .slice(0, SCORED_ROWS);
  const fields = Object.keys(rows[0]!);
  const quote = (v: unknown) => {
    const s = v === null || v === undefined ? "" : String(v);
    return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  const lines = [fields.join(","), ...rows.map((r) => fields.map((f) => quote(r[f])).join(","))];
  return Buffer.from(`${lines.join("\n")}\n`);
}

/** No serious or critical axe violation on the page, in light and in dark theme (as browser-a11y). */
async function axeBothThemes(page: Page, name: string) {
  for (const scheme of ["light", "dark"] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    await eventually(() => page.locator("html").getAttribute("data-mantine-color-scheme")).toBe(scheme);
    // Let Mantine's colour transitions settle before colours are measured.
    await page.waitForTimeout(400);
    expect((await seriousViolations(page)).join("\n"), `${name} (${scheme})`).toBe("");
  }
  await page.emulateMedia({ colorScheme: "light" });
}

describe("response models", () => {
  it("fits, saves, approves and scores a file to a downloadable scored CSV", async () => {
    const page = await newPage();
    await signUp(page, "planner@rm.test", "Rana Planner");
    await createOrg(page, "Mailhouse");
    await createProject(page, "Spring mailing");
    await createScenario(page, "Direct-mail response model", /CampaignIQ sample file/, "Spring fit");
    const scenarioUrl = page.url();
    // A quicker fit than the example's (3 folds, 20 lambdas, no forward selection), and a gate no
    // model passes (top-decile lift 20×), so the approval has to be an override with a reason.
    await page.getByRole("tab", { name: "Fitting" }).click();
    await page.getByLabel(/^Folds/).fill("3");
    await page.getByLabel(/^Lambda count/).fill("20");
    await page.getByRole("tab", { name: "Gate, selection and scorecard" }).click();
    await page.getByLabel(/^Gate top decile lift/).fill("20");
    await page.getByLabel(/^Selection max steps/).fill("0");
    await runAndWait(page);

    // Save the fit as a model: a draft, version 1.
    await page.getByLabel("Model name").fill("Spring responders");
    await page.getByRole("button", { name: "Save as model" }).click();
    await page.waitForURL(/\/response-models\/[0-9a-f-]{36}$/);
    await page.getByRole("heading", { name: "Spring responders v1", exact: true }).waitFor();
    await text(page.getByTestId("artifact-metrics")).toMatch(/Holdout AUC0\.\d{3}/);
    // 2,000 of the sample's 2,500 rows: the holdout is kept out of the fit.
    await text(page.getByTestId("artifact-metrics")).toMatch(/Trained rows2,000/);

    // The gate failed: approving needs a reason, refused (nothing sent) without one.
    await page.getByText("gate failed", { exact: true }).waitFor();
    const override = page.getByRole("button", { name: "Approve with override" });
    await override.click();
    await page.getByText("The deployment gate failed: say why").waitFor();
    await page.getByLabel("Override reason").fill("Too short");
    await page.getByText("Say why in at least 10 characters.").waitFor();
    await page.getByLabel("Override reason").fill("Pilot on one region, capped at 5,000 pieces");
    await override.click();
    await page.getByText("Approved although the deployment gate failed").waitFor();
    await page.getByText("Pilot on one region, capped at 5,000 pieces", { exact: true }).waitFor();
    await page.getByText("approved", { exact: true }).waitFor();
    await axeBothThemes(page, "response-model detail");

    // The fit's model report (issue 15 item 9) downloads from the model's page as a PDF.
    const reportSection = page.getByRole("region", { name: "Model report" });
    await reportSection.getByRole("button", { name: "Download", exact: true }).click();
    // The first export starts the server's export thread (charts, fonts): allow it time on a busy machine.
    const downloaded = page.waitForEvent("download", { timeout: 90_000 });
    await page.getByRole("menuitem", { name: "Model report as PDF" }).click();
    const reportFile = await Promise.race([
      downloaded,
      reportSection
        .getByRole("alert")
        .waitFor({ timeout: 90_000 })
        .then(async () => {
          throw new Error(`export failed: ${await reportSection.getByRole("alert").textContent()}`);
        }),
    ]);
    expect(reportFile.suggestedFilename()).toMatch(/^response-model-run-[0-9a-f]{8}-model-report\.pdf$/);
    const pdf = await readFile(await reportFile.path());
    expect(pdf.subarray(0, 5).toString("latin1")).toBe("%PDF-");
    expect(pdf.length).toBeGreaterThan(20_000);

    // The SQL for a warehouse: one SELECT over the named table.
    await page.getByLabel("SQL dialect").selectOption("snowflake");
    await page.getByLabel("Raw table").fill("crm.customers");
    await page.getByRole("button", { name: "Show SQL" }).click();
    await text(page.getByTestId("artifact-sql")).toMatch(/SELECT[\s\S]*crm[\s\S]*customers/i);

    // Score a file uploaded here; the run's page follows it and offers the scored CSV.
    await page.getByLabel("Or upload a file").setInputFiles({
      name: "mailing-list.csv",
      mimeType: "text/csv",
      buffer: customersCsv(),
    });
    await page.getByRole("button", { name: "Upload", exact: true }).click();
    const storedValue = () => page.getByLabel("Stored file", { exact: true }).inputValue();
    await eventually(storedValue).toMatch(/^[0-9a-f-]{36}$/);
    const uploadedId = await storedValue();
    await page.getByRole("button", { name: "Start scoring run" }).click();
    await page.waitForURL(/\/runs\/[0-9a-f-]{36}$/);
    const result = page.getByTestId("scoring-result");
    await result.waitFor({ timeout: 40_000 });
    await text(result).toContain(`${SCORED_ROWS} rows scored with Spring responders v1`);
    await shot(page, "response-model-scored");

    const [download] = await Promise.all([
      page.waitForEvent("download"),
      page.getByRole("button", { name: "Download scored CSV" }).click(),
    ]);
    const csv = (await readFile(await download.path())).toString("utf8").trim().split(/\r?\n/);
    expect(csv[0]).toMatch(/probability/);
    expect(csv[0]).toMatch(/decile/);
    expect(csv).toHaveLength(SCORED_ROWS + 1);
    // Every probability is a probability.
    const p = csv[0]!.split(",").indexOf("probability");
    for (const line of csv.slice(1)) {
      const v = Number(line.split(",")[p]);
      expect(v).toBeGreaterThan(0);
      expect(v).toBeLessThan(1);
    }

    // The uploaded file fits a model too, from the scenario with its settings (decision 0037).
    await page.goto(scenarioUrl);
    await page.getByLabel("Stored file", { exact: true }).selectOption(uploadedId);
    await page.getByRole("button", { name: "Fit from this file" }).click();
    await page.waitForURL(/\/runs\/[0-9a-f-]{36}$/);
    await page.getByRole("tab", { name: "Results" }).waitFor({ timeout: 30_000 });
    await page.getByRole("tab", { name: "Input" }).click();
    // The run records the file's rows as its records, not the bundled sample's name.
    await text(page.getByRole("tabpanel").locator("pre")).toMatch(/"records": \[/);
    expect(await page.getByRole("tabpanel").locator("pre").textContent()).not.toMatch(/sampleData/);

    // The list shows it approved.
    await page.goto(`${base}/response-models`);
    const row = page.getByTestId("model-artifacts").getByRole("row", { name: /Spring responders/ });
    await text(row).toMatch(/v1.*approved.*gate failed/);
    await axeBothThemes(page, "response-models list");
  }, 240_000);
});
