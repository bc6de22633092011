import { readFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import ExcelJS from "exceljs";
import type { Download, Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { formatBps } from "../src/lib/model-views.ts";
import {
  apiGet,
  base,
  createOrg,
  createProject,
  createScenario,
  eventually,
  newPage,
  PASSWORD,
  runAndWait,
  setupBrowserApp,
  shot,
  signUp,
  text,
} from "./browser-harness.ts";

/**
 * Files in and out of the web app, in Chromium against the real server: a deals spreadsheet
 * with its own column names mapped into the Deal Picker's table, the run's XLSX download, and
 * a share link opened by someone without an account, then revoked.
 */
setupBrowserApp();

// A broker's sheet: none of the headers is the model's name for the column, and the prices are
// in thousands. The last row's price is negative: the validation report must name it.
const DEALS_CSV = [
  "Ref,Asset,Purchase price (AED k),Annual NOI,Segment,Location",
  "UP-1,Creek villas,1500,120000,Residential,Dubai Creek",
  "UP-2,Al Quoz warehouse,2400,210000,Industrial,Al Quoz",
  "UP-3,JLT office floor,3100,240000,Office,JLT",
  "UP-4,Broken row,-5,1000,Retail,Deira",
].join("\n");

/** The broker's next sheet as a workbook whose deals are on its second sheet. */
async function moreDealsXlsx(): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  wb.addWorksheet("Notes").addRow(["Prices in AED thousands; NOI in AED per year"]);
  const ws = wb.addWorksheet("Pipeline");
  ws.addRow(["Ref", "Asset", "Purchase price (AED k)", "Annual NOI", "Segment", "Location"]);
  ws.addRow(["UP-5", "Satwa shops", 1200, 96000, "Retail", "Satwa"]);
  ws.addRow(["UP-6", "Barsha studios", 900, 81000, "Residential", "Al Barsha"]);
  return Buffer.from(await wb.xlsx.writeBuffer());
}

async function downloadFrom(page: Page, item: string): Promise<{ download: Download; bytes: Buffer }> {
  await page.getByRole("button", { name: "Download", exact: true }).click();
  const [download] = await Promise.all([
    page.waitForEvent("download"),
    page.getByRole("menuitem", { name: item }).click(),
  ]);
  const path = await download.path();
  return { download, bytes: await readFile(path) };
}

async function workbook(bytes: Buffer) {
  // An XLSX is a ZIP: local file header signature first.
  expect(bytes.subarray(0, 4).toString("latin1")).toBe("PK\u0003\u0004");
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(bytes as unknown as ArrayBuffer);
  return wb;
}

const DIALOG = `document.querySelector('[role="dialog"]')`;
const AXE = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");

/**
 * No serious or critical axe-core violation on the page (or, `within` an open dialog: the page
 * behind its overlay is not what is being judged), in light and dark theme.
 */
async function axeBothThemes(page: Page, name: string, within = "document"): Promise<void> {
  for (const scheme of ["light", "dark"] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    await eventually(() => page.locator("html").getAttribute("data-mantine-color-scheme")).toBe(scheme);
    // Let Mantine's colour transitions settle before contrast is measured.
    await page.waitForTimeout(400);
    await shot(page, `a11y-${name}-${scheme}`);
    await page.evaluate(AXE);
    const violations = (await page.evaluate(
      `axe.run(${within}, { resultTypes: ["violations"] }).then((r) => r.violations)`,
    )) as { id: string; impact: string | null; help: string; nodes: { target: string[] }[] }[];
    const serious = violations
      .filter((v) => v.impact === "serious" || v.impact === "critical")
      .map(
        (v) =>
          `${v.id}: ${v.help} — ${v.nodes
            .slice(0, 4)
            .map((n) => n.target.join(" "))
            .join("; ")}`,
      );
    expect(serious.join("\n"), `${name} (${scheme})`).toBe("");
  }
}

describe("files and sharing in Chromium", () => {
  let owner: Page;
  let debtRun = "";

  it("upload a deals CSV → map its columns → rows in the table (then an XLSX, saved mapping) → run → XLSX → share → revoke", async () => {
    owner = await newPage();
    await signUp(owner, "fatima@example.com", "Fatima Al Nasser");
    await createOrg(owner, "Gulf Yield Partners");
    await createProject(owner, "Broker pipeline");
    await createScenario(
      owner,
      "Deal Picker: which deals to buy with a limited budget",
      /^AED 200M across 12 Dubai deals/,
      "Uploaded deals",
    );
    const grid = owner.getByTestId("grid-deals");
    const before = Number((await grid.getAttribute("aria-rowcount"))!) - 1;
    expect(before).toBe(12);

    // The template of the table: its header is the model's columns.
    const template = await owner.getByRole("link", { name: /^Download CSV template for/ }).first();
    const templateRes = await owner.request.get(`${base}${await template.getAttribute("href")}`);
    expect(templateRes.status()).toBe(200);
    expect((await templateRes.text()).split("\n")[0]).toContain("askPrice");

    await owner
      .getByRole("button", { name: /^Upload CSV\/XLSX into/ })
      .first()
      .click();
    const dialog = owner.getByRole("dialog");
    await dialog.getByLabel("CSV or XLSX file").setInputFiles({
      name: "broker-pipeline.csv",
      mimeType: "text/csv",
      buffer: Buffer.from(DEALS_CSV),
    });
    // The file goes as a resumable upload: the first chunk's connection is cut, and the browser
    // asks the server where to resume and sends it again.
    const chunks: string[] = [];
    await owner.route("**/api/v1/uploads/*", async (route) => {
      if (route.request().method() !== "PATCH") return route.continue();
      chunks.push(route.request().headers()["upload-offset"] ?? "");
      return chunks.length === 1 ? route.abort("connectionreset") : route.continue();
    });
    await dialog.getByRole("button", { name: "Upload and map columns" }).click();
    const profile = dialog.getByTestId("column-profile");
    await text(profile).toContain("Purchase price (AED k)");
    await owner.unroute("**/api/v1/uploads/*");
    expect(chunks).toEqual(["0", "0"]);
    const sessions = await apiGet<{
      items: { name: string; phase: string; offsetBytes: number; sizeBytes: number }[];
    }>(owner, "/uploads");
    expect(sessions.items).toEqual([
      expect.objectContaining({
        name: "broker-pipeline.csv",
        phase: "stored",
        offsetBytes: Buffer.byteLength(DEALS_CSV),
        sizeBytes: Buffer.byteLength(DEALS_CSV),
      }),
    ]);
    await text(profile).toContain("Segment");
    await text(dialog).toContain("broker-pipeline.csv · 4 rows · 6 columns");

    // Suggestions come with a confidence; the mapping is the person's to change.
    const mapping = dialog.getByTestId("column-mapping");
    await text(mapping).toContain("%");
    await dialog.getByLabel("File column for id").selectOption("Ref");
    await dialog.getByLabel("File column for name").selectOption("Asset");
    await dialog.getByLabel("File column for askPrice").selectOption("Purchase price (AED k)");
    await dialog.getByLabel("Multiply askPrice by").fill("1000");
    await dialog.getByLabel("File column for noi").selectOption("Annual NOI");
    await dialog.getByLabel("File column for sector").selectOption("Segment");
    await dialog.getByLabel("File column for city").selectOption("Location");
    await shot(owner, "f01-upload-mapping");
    await dialog.getByRole("button", { name: "Check rows" }).click();

    const report = dialog.getByTestId("mapping-report");
    await text(report).toContain("3 rows of 4 valid · 1 problem");
    const problems = dialog.getByTestId("mapping-problems");
    const problemCells = await problems.locator("tbody tr").first().locator("td").allTextContents();
    expect(problemCells[0]).toBe("4");
    expect(problemCells[1]).toBe("askPrice");
    expect(problemCells[2]).toMatch(/more than 0/);
    await shot(owner, "f02-validation-report");

    // A saved mapping is there for the next upload.
    await dialog.getByLabel("Save this mapping as").fill("Broker sheet (AED k)");
    await dialog.getByRole("button", { name: "Save mapping" }).click();
    await text(dialog.getByRole("status").filter({ hasText: "Saved as" })).toContain("Broker sheet (AED k)");
    const saved = await apiGet<{ items: { name: string; columns: { target: string; scale?: number }[] }[] }>(
      owner,
      "/field-mappings?modelId=deal-picker",
    );
    expect(saved.items.map((m) => m.name)).toEqual(["Broker sheet (AED k)"]);
    expect(saved.items[0]!.columns.find((c) => c.target === "askPrice")?.scale).toBe(1000);

    await dialog.getByRole("button", { name: /^Replace the table's 12 rows with 3 rows$/ }).click();
    await eventually(() => owner.getByRole("dialog").count()).toBe(0);
    await eventually(() => grid.getAttribute("aria-rowcount")).toBe("4");
    await eventually(() => owner.getByLabel("Id, row 1").inputValue()).toBe("UP-1");
    await eventually(() => owner.getByLabel("Ask price, row 1").inputValue()).toBe("1,500,000");
    await shot(owner, "f03-uploaded-rows");

    // The next file from the same broker, an XLSX with the deals on its second sheet: the saved
    // mapping does the matching, the rows are appended.
    await owner
      .getByRole("button", { name: /^Upload CSV\/XLSX into/ })
      .first()
      .click();
    await dialog.getByLabel("CSV or XLSX file").setInputFiles({
      name: "broker-pipeline-2.xlsx",
      mimeType: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
      buffer: await moreDealsXlsx(),
    });
    await dialog.getByLabel("Sheet").fill("Pipeline");
    await dialog.getByRole("button", { name: "Upload and map columns" }).click();
    await text(dialog).toContain("broker-pipeline-2.xlsx · 2 rows · 6 columns");
    await text(dialog.getByTestId("column-profile")).toContain("Purchase price (AED k)");
    await dialog.getByLabel("Apply a saved mapping").selectOption({ label: "Broker sheet (AED k)" });
    await eventually(() => dialog.getByLabel("File column for name").inputValue()).toBe("Asset");
    await eventually(() => dialog.getByLabel("Multiply askPrice by").inputValue()).toBe("1,000");
    // A column the file does not have: one fixed value for every row.
    await dialog.getByLabel("Fixed value for riskScore").fill("2");
    await dialog.getByRole("button", { name: "Check rows" }).click();
    await text(dialog.getByTestId("mapping-report")).toContain("All 2 rows are valid");
    await dialog.getByRole("button", { name: "Append 2 rows" }).click();
    await eventually(() => grid.getAttribute("aria-rowcount")).toBe("6");
    await eventually(() => owner.getByLabel("Ask price, row 5").inputValue()).toBe("900,000");
    // Three deals cannot each stay under a 30% single-asset cap: lift it so the plan buys them.
    await owner.getByLabel(/^Single asset/).fill("100%");

    const runId = await runAndWait(owner);
    const run = await apiGet<{
      input: { deals: { id: string; askPrice: number; name: string; riskScore: number }[] };
    }>(owner, `/runs/${runId}`);
    expect(run.input.deals.map((d) => [d.id, d.name, d.askPrice])).toEqual([
      ["UP-1", "Creek villas", 1_500_000],
      ["UP-2", "Al Quoz warehouse", 2_400_000],
      ["UP-3", "JLT office floor", 3_100_000],
      ["UP-5", "Satwa shops", 1_200_000],
      ["UP-6", "Barsha studios", 900_000],
    ]);
    // The fixed value went into the appended rows only; the first three took the schema's default.
    expect(run.input.deals.map((d) => d.riskScore)).toEqual([3, 3, 3, 2, 2]);
    await owner.getByTestId("optimizer-status").waitFor();
    await text(owner.getByTestId("table-selection")).toContain("UP-3");

    // Downloads: every document and format the model offers is in the menu.
    const model = await apiGet<{ documents: { title: string; formats: string[] }[] }>(
      owner,
      "/models/deal-picker",
    );
    await owner.getByRole("button", { name: "Download", exact: true }).click();
    const menu = owner.getByTestId("export-menu");
    await menu.waitFor();
    const offered = model.documents.reduce((n, d) => n + d.formats.length, 0);
    await eventually(() => menu.getByRole("menuitem").count()).toBe(offered);
    await shot(owner, "f04-export-menu");
    await owner.keyboard.press("Escape");
    const { download, bytes } = await downloadFrom(owner, "Run report as Excel (XLSX)");
    expect(download.suggestedFilename()).toMatch(/\.xlsx$/);
    const wb = await workbook(bytes);
    const sheets = wb.worksheets.map((w) => w.name);
    expect(sheets[0]).toBe("Summary");
    expect(sheets.length).toBeGreaterThan(1);
    const cells = wb.worksheets.flatMap((w) =>
      w.getSheetValues().flatMap((row) => (Array.isArray(row) ? row.map(String) : [])),
    );
    expect(cells).toContain("UP-1");
    await text(owner.getByTestId("export-status")).toContain("Downloaded");

    // A share link, opened by someone with no account in a fresh browser context.
    await owner.getByRole("button", { name: "Share", exact: true }).click();
    const share = owner.getByRole("dialog", { name: "Share these results" });
    await share.getByLabel("Link expires after").selectOption({ label: "30 days" });
    await share.getByLabel("Label (recipients see it)").fill("For the lender");
    await share.getByRole("button", { name: "Create link" }).click();
    const linkInput = share.getByRole("textbox", { name: "Share link" });
    await eventually(() => linkInput.inputValue()).toMatch(/^http:\/\/localhost:\d+\/shared\/.+/);
    const link = await linkInput.inputValue();
    const links = share.getByTestId("share-links");
    await text(links).toContain("For the lender");
    await text(links).toContain("active");
    await shot(owner, "f05-share-dialog");

    const stranger = await newPage();
    await stranger.goto(link);
    await stranger.getByRole("heading", { name: /Deal Picker/ }).waitFor();
    // The token is the address: not for search indexes, not sent on as a Referer.
    await eventually(() => stranger.locator('meta[name="robots"]').getAttribute("content")).toBe(
      "noindex, nofollow",
    );
    await eventually(() => stranger.locator('meta[name="referrer"]').getAttribute("content")).toBe(
      "no-referrer",
    );
    await text(stranger.getByText("Shared results · read-only")).toContain("read-only");
    await text(stranger.getByText("For the lender")).toContain("For the lender");
    await stranger.getByTestId("optimizer-status").waitFor();
    await stranger.getByTestId("kpis").waitFor();
    for (const id of ["UP-1", "UP-2", "UP-3"])
      await text(stranger.getByTestId("table-selection")).toContain(id);
    // Read-only: nothing to run, share, save or sign out of; no session was made.
    await eventually(() =>
      stranger
        .getByRole("button", { name: /^(Run this change.*|Run|Share|Save revision|Sign out|Cancel run)$/ })
        .count(),
    ).toBe(0);
    expect((await stranger.request.get(`${base}/api/v1/session`)).status()).toBe(401);
    await shot(stranger, "f06-shared-results");
    const shared = await downloadFrom(stranger, "Run report as Excel (XLSX)");
    expect((await workbook(shared.bytes)).worksheets[0]?.name).toBe("Summary");

    // Revoked: the link stops working, for the page and for its downloads.
    await share.getByRole("button", { name: "Revoke the link For the lender" }).click();
    await text(links).toContain("revoked");
    await eventually(() => share.getByRole("button", { name: /^Revoke/ }).count()).toBe(0);
    await shot(owner, "f07-share-revoked");
    await stranger.reload();
    const refused = stranger.getByRole("alert").filter({ hasText: "This link does not open" });
    await text(refused).toContain("revoked");
    const token = link.split("/shared/")[1]!;
    expect((await stranger.request.get(`${base}/api/v1/shared/${token}/export?format=xlsx`)).status()).toBe(
      410,
    );
    await shot(stranger, "f08-shared-revoked");
  }, 240_000);

  it("TIF comparison: run → the levered-IRR gap on screen → the same gap in the downloaded XLSX and shared", async () => {
    await owner.goto(`${base}/projects`);
    await owner.getByRole("link", { name: "Broker pipeline" }).click();
    await createScenario(
      owner,
      "Austin TIF: market vs mixed income",
      /^The prototype's default project; tier 2 with the SMART fee waiver/,
      "Tier 2 package",
    );
    const runId = await runAndWait(owner);
    const run = await apiGet<{
      output: {
        gap: { leveredIrrGapBps: number | null };
        keyMetrics: { metric: string; difference: number | null }[];
      };
    }>(owner, `/runs/${runId}`);
    const gapBps = run.output.gap.leveredIrrGapBps;
    expect(gapBps).not.toBeNull();
    const leveredRow = run.output.keyMetrics.find((m) => m.metric === "Levered IRR")!;
    expect(leveredRow.difference! * 10_000).toBeCloseTo(gapBps!, 6);
    // On screen: the comparison's own view, with the gap in bps.
    await text(owner.getByTestId("irr-gap")).toBe(formatBps(gapBps));
    await shot(owner, "f09-tif-comparison");

    const { bytes } = await downloadFrom(owner, "Run report as Excel (XLSX)");
    const wb = await workbook(bytes);
    expect(wb.worksheets[0]?.name).toBe("Summary");
    // The key-metrics sheet holds the gap as a number (not text), the same as the API's.
    let found: number | null = null;
    for (const ws of wb.worksheets) {
      ws.eachRow((row) => {
        const values = row.values as unknown[];
        if (values.includes("Levered IRR") && values.includes("fraction/yr")) {
          const numbers = values.filter((v): v is number => typeof v === "number");
          found = numbers[numbers.length - 1] ?? null;
        }
      });
    }
    expect(found).not.toBeNull();
    expect(found! * 10_000).toBeCloseTo(gapBps!, 4);

    // Shared, the recipient gets the same dedicated view.
    await owner.getByRole("button", { name: "Share", exact: true }).click();
    const dialog = owner.getByRole("dialog", { name: "Share these results" });
    await dialog.getByRole("button", { name: "Create link" }).click();
    const input = dialog.getByRole("textbox", { name: "Share link" });
    await eventually(() => input.inputValue()).toMatch(/\/shared\//);
    const link = await input.inputValue();
    await owner.keyboard.press("Escape");
    const stranger = await newPage();
    await stranger.goto(link);
    await text(stranger.getByTestId("irr-gap")).toBe(formatBps(gapBps));
    await shot(stranger, "f09b-shared-tif-comparison");
  }, 180_000);

  it("Debt Stack: the engine's term sheet downloads as a PDF, by keyboard; the share dialog keeps focus", async () => {
    await owner.goto(`${base}/projects`);
    await owner.getByRole("link", { name: "Broker pipeline" }).click();
    await createScenario(owner, "Debt Stack Mixer", /^AED 25M residential tower/, "Tower debt");
    debtRun = await runAndWait(owner);
    await owner.getByTestId("optimizer-status").waitFor();

    // Keyboard only: Enter opens the menu, arrows move through it, Enter downloads.
    const download = owner.getByRole("button", { name: "Download", exact: true });
    await download.focus();
    await owner.keyboard.press("Enter");
    await owner.getByTestId("export-menu").waitFor();
    const focusedLabel = () =>
      owner.evaluate(() => {
        const doc = (
          globalThis as unknown as {
            document: { activeElement: { getAttribute(n: string): string | null } | null };
          }
        ).document;
        return doc.activeElement?.getAttribute("aria-label") ?? "";
      });
    for (let i = 0; i < 12 && (await focusedLabel()) !== "Indicative term sheet as PDF"; i++)
      await owner.keyboard.press("ArrowDown");
    expect(await focusedLabel()).toBe("Indicative term sheet as PDF");
    const [file] = await Promise.all([owner.waitForEvent("download"), owner.keyboard.press("Enter")]);
    const bytes = await readFile(await file.path());
    expect(bytes.subarray(0, 5).toString("latin1")).toBe("%PDF-");
    expect(file.suggestedFilename()).toMatch(/\.pdf$/);

    // The dialog takes focus, Escape closes it and focus returns to the button that opened it.
    const share = owner.getByRole("button", { name: "Share", exact: true });
    await share.focus();
    await owner.keyboard.press("Enter");
    const dialog = owner.getByRole("dialog", { name: "Share these results" });
    await dialog.waitFor();
    const focusInDialog = () =>
      owner.evaluate(() => {
        const doc = (
          globalThis as unknown as { document: { activeElement: { closest(s: string): unknown } | null } }
        ).document;
        return !!doc.activeElement?.closest("[role=dialog]");
      });
    await eventually(focusInDialog).toBe(true);
    await shot(owner, "f10-debt-share-dialog");
    await owner.keyboard.press("Escape");
    await eventually(() => dialog.count()).toBe(0);
    await eventually(() =>
      owner.evaluate(() => {
        const doc = (
          globalThis as unknown as { document: { activeElement: { textContent: string | null } | null } }
        ).document;
        return doc.activeElement?.textContent ?? "";
      }),
    ).toBe("Share");
  }, 180_000);

  it("a shared comparison: the recipient sees the differences and each run's results", async () => {
    await owner.goto(`${base}/runs/${debtRun}`);
    const card = owner.getByTestId("what-if-card").filter({ hasText: "equity available were 8,800,000" });
    await card.getByRole("button", { name: /Run this change/ }).click();
    await owner.waitForURL((u) => u.pathname.startsWith("/runs/") && !u.pathname.endsWith(debtRun));
    await owner.getByRole("tab", { name: "Results" }).waitFor({ timeout: 60_000 });
    const second = owner.url().split("/").pop()!;

    await owner.goto(`${base}/compare?runs=${debtRun},${second}`);
    await text(owner.getByTestId("input-differences")).toContain("Equity available");
    await owner.getByRole("button", { name: "Share this comparison" }).click();
    const dialog = owner.getByRole("dialog", { name: "Share this comparison" });
    await dialog.getByRole("button", { name: "Create link" }).click();
    const link = await (async () => {
      const input = dialog.getByRole("textbox", { name: "Share link" });
      await eventually(() => input.inputValue()).toMatch(/\/shared\//);
      return input.inputValue();
    })();
    await text(dialog.getByTestId("share-links")).toContain("comparison of 2 runs");
    await owner.keyboard.press("Escape");

    const stranger = await newPage();
    await stranger.goto(link);
    // Opens on the comparison: the input that differs, with both values.
    await eventually(() =>
      stranger.getByRole("tab", { name: "Comparison" }).getAttribute("aria-selected"),
    ).toBe("true");
    const inputs = stranger.getByTestId("input-differences");
    await text(inputs).toContain("Equity available");
    await text(inputs).toContain("8,000,000");
    await text(inputs).toContain("8,800,000");
    await stranger.getByTestId("output-differences").waitFor();
    await shot(stranger, "f11-shared-comparison");
    // Each run's own results, picked from the link's runs.
    await stranger.getByRole("tab", { name: "Results" }).click();
    await stranger.getByText(/^Run 2 ·/).click();
    const run2 = await apiGet<{ output: { kpis: { equity: number } } }>(owner, `/runs/${second}`);
    expect(run2.output.kpis.equity).toBe(8_800_000);
    await text(stranger.getByTestId("kpis")).toContain("8,800,000");
  }, 180_000);

  it("axe-core finds nothing serious in the upload dialog, the share dialog and the shared page", async () => {
    await owner.goto(`${base}/projects`);
    await owner.getByRole("link", { name: "Broker pipeline" }).click();
    await createScenario(
      owner,
      "Deal Picker: which deals to buy with a limited budget",
      /^AED 200M across 12 Dubai deals/,
      "Accessibility check",
    );
    await owner
      .getByRole("button", { name: /^Upload CSV\/XLSX into/ })
      .first()
      .click();
    const upload = owner.getByRole("dialog");
    await axeBothThemes(owner, "upload-choose", DIALOG);
    await upload.getByLabel("CSV or XLSX file").setInputFiles({
      name: "broker-pipeline.csv",
      mimeType: "text/csv",
      buffer: Buffer.from(DEALS_CSV),
    });
    await upload.getByRole("button", { name: "Upload and map columns" }).click();
    await upload.getByTestId("column-mapping").waitFor();
    await upload.getByRole("button", { name: "Check rows" }).click();
    await upload.getByTestId("mapping-report").waitFor();
    await axeBothThemes(owner, "upload-report", DIALOG);
    await owner.keyboard.press("Escape");

    await owner.goto(`${base}/runs/${debtRun}`);
    await owner.getByRole("button", { name: "Share", exact: true }).click();
    const share = owner.getByRole("dialog", { name: "Share these results" });
    await share.getByTestId("share-links").waitFor();
    await share.getByRole("button", { name: "Create link" }).click();
    const input = share.getByRole("textbox", { name: "Share link" });
    await eventually(() => input.inputValue()).toMatch(/\/shared\//);
    const link = await input.inputValue();
    await axeBothThemes(owner, "share-dialog", DIALOG);
    await owner.keyboard.press("Escape");

    const stranger = await newPage();
    await stranger.goto(link);
    await stranger.getByTestId("optimizer-status").waitFor();
    await axeBothThemes(stranger, "shared-page");
  }, 240_000);

  it("the organization's files and share links (delete, revoke), its retention, its export, then account deletion", async () => {
    await owner.goto(`${base}/org/files`);
    const filesTable = owner.getByTestId("files");
    await text(filesTable).toContain("broker-pipeline-2.xlsx");
    const listed = await apiGet<{ total: number }>(owner, "/files");
    await eventually(() => filesTable.locator("tbody tr").count()).toBe(listed.total);

    // Active links by default: the one the share dialog made for the debt stack is among them.
    type Links = { items: { id: string; status: string }[] };
    const active = await apiGet<Links>(owner, "/share-links?status=active");
    expect(active.items.length).toBeGreaterThan(0);
    const links = owner.getByTestId("share-links");
    await eventually(() => links.locator("tbody tr").count()).toBe(active.items.length);
    await links
      .getByRole("button", { name: /^Revoke the link/ })
      .first()
      .click();
    await eventually(
      async () => (await apiGet<Links>(owner, "/share-links?status=active")).items.length,
    ).toBe(active.items.length - 1);
    await owner.getByLabel("Show").selectOption("revoked");
    await text(links).toContain("revoked");
    await axeBothThemes(owner, "files-and-links");

    owner.once("dialog", (d) => void d.accept());
    await filesTable.getByRole("button", { name: "Delete broker-pipeline-2.xlsx" }).click();
    await eventually(async () => (await filesTable.textContent()) ?? "").not.toContain(
      "broker-pipeline-2.xlsx",
    );
    expect((await apiGet<{ total: number }>(owner, "/files")).total).toBe(listed.total - 1);

    await owner.getByRole("link", { name: "Data & privacy" }).click();
    const filesDays = owner.getByLabel("Delete uploaded files after (days)");
    const runsDays = owner.getByLabel("Delete finished runs after (days)");
    await eventually(() => filesDays.inputValue()).toBe("30"); // the default policy
    await expect(runsDays.inputValue()).resolves.toBe(""); // kept forever
    await filesDays.fill("90");
    await runsDays.fill("365");
    // Content items follow the server's setting until the organization sets its own.
    const serverSetting = owner.getByLabel(/Use the server's setting/);
    await expect(serverSetting.isChecked()).resolves.toBe(true);
    await serverSetting.uncheck();
    await owner.getByLabel("Delete stored content items after (days)").fill("120");
    await owner.getByRole("button", { name: "Save retention" }).click();
    await owner.getByRole("status").filter({ hasText: "Saved" }).waitFor();
    expect(await apiGet(owner, "/org/retention")).toMatchObject({
      filesDays: 90,
      runsDays: 365,
      expiredShareLinksDays: 30,
      contentItemsDays: 120,
      contentItemsDaysSource: "organization",
      isDefault: false,
    });

    const [zip] = await Promise.all([
      owner.waitForEvent("download"),
      owner.getByRole("link", { name: "Download the organization's data (ZIP)" }).click(),
    ]);
    const bytes = await readFile((await zip.path())!);
    expect(bytes.subarray(0, 2).toString()).toBe("PK");
    expect(bytes.includes(Buffer.from("retention-policy.json"))).toBe(true);
    await axeBothThemes(owner, "data-privacy");

    // A second organization, deleted from its page once its name is typed; the first stays.
    await owner.goto(`${base}/orgs/new`);
    await createOrg(owner, "Scratch Org");
    await owner.goto(`${base}/org/data`);
    const orgSelect = owner.getByRole("combobox", { name: "Organization" });
    if ((await orgSelect.locator("option:checked").textContent()) !== "Scratch Org (owner)")
      await orgSelect.selectOption({ label: "Scratch Org (owner)" });
    const erase = owner.getByRole("button", { name: "Delete organization" });
    await expect(erase.isDisabled()).resolves.toBe(true);
    await owner.getByLabel("Type Scratch Org to confirm").fill("Scratch Org");
    await erase.click();
    await eventually(async () =>
      (await apiGet<{ organizations: { name: string }[] }>(owner, "/session")).organizations.map(
        (o) => o.name,
      ),
    ).toEqual(["Gulf Yield Partners"]);

    // The account: a wrong password is a field error; the right one signs out for good (the
    // organization, where Fatima is the only member, goes with it).
    await owner.getByRole("link", { name: "Fatima Al Nasser" }).click();
    await owner.getByLabel("Your password").fill("not my password");
    owner.once("dialog", (d) => void d.accept());
    await owner.getByRole("button", { name: "Delete my account" }).click();
    await text(owner.getByText("is incorrect").first()).toContain("incorrect");
    await owner.getByLabel("Your password").fill(PASSWORD);
    owner.once("dialog", (d) => void d.accept());
    await owner.getByRole("button", { name: "Delete my account" }).click();
    await owner.getByRole("heading", { name: "Sign in to Modelworks", exact: true }).waitFor();
    const res = await owner.request.get(`${base}/api/v1/session`);
    expect(res.status()).toBe(401);
  }, 240_000);
});
