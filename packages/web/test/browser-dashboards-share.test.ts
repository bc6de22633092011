import { describe, expect, it } from "vitest";
import { seriousViolations } from "./axe.ts";
import {
  apiGet,
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
 * A dashboard's visual edited by form (with a field-level refusal and undo), its file replaced by a
 * new version from the web (refresh, then a refusal), and its live, read-only share link opened
 * in a fresh browser context with no account — in Chromium against the real server and the
 * built-in planner (issue 16 items 4 and 5a).
 */
setupBrowserApp();

const REGIONS = ["North", "South", "East", "West", "Central"];
const MONTHS = ["2025-01-01", "2025-02-01", "2025-03-01"];
/** Region i in month j sells (10·(i+1)+j)·k units; revenue fixed. `k` makes a second version. */
const sales = (k: number) =>
  REGIONS.flatMap((region, i) =>
    MONTHS.map((month, j) => ({
      region,
      month,
      units: (10 * (i + 1) + j) * k,
      revenue: 7 * (10 * (i + 1) + j) + 100 * i,
    })),
  );
type Sale = ReturnType<typeof sales>[number];
const csvOf = (rows: Sale[]) =>
  `region,month,units,revenue\n${rows.map((s) => `${s.region},${s.month},${s.units},${s.revenue}`).join("\n")}\n`;
const grouped = (n: number) => n.toLocaleString("en-US", { maximumFractionDigits: 2 });
/** The bar's rows as the page shows them: region and its sum, largest first. */
const barRows = (rows: Sale[], column: "units" | "revenue") =>
  REGIONS.map((r) => [r, rows.filter((s) => s.region === r).reduce((a, s) => a + s[column], 0)] as const)
    .sort((a, b) => b[1] - a[1])
    .map(([r, n]) => [r, grouped(n)]);

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

describe("dashboard: edit by form, replace a file, share a live read-only link", () => {
  it("form edit (top 3, a refused SUM of text, undo) → replace the file → the stranger's link follows → revoke", async () => {
    const page = await newPage();
    await signUp(page, "share-dash@example.com", "Sam Share");
    await createOrg(page, "Share Co");
    await createProject(page, "Regional sales");
    await page.getByRole("button", { name: "New dashboard" }).click();
    await page.waitForURL(/\/conversations\/[0-9a-f-]{36}$/);
    const conversationId = page.url().split("/").pop()!;
    const [chooser] = await Promise.all([
      page.waitForEvent("filechooser"),
      page.getByRole("button", { name: "Upload a file" }).click(),
    ]);
    await chooser.setFiles({ name: "sales.csv", mimeType: "text/csv", buffer: Buffer.from(csvOf(sales(1))) });
    await page.getByLabel("Files to attach").getByText("sales.csv").waitFor();
    await page.getByRole("textbox", { name: "Message" }).fill("sales by region");
    await page.getByRole("button", { name: "Send" }).click();
    await page
      .getByText(/planned by the built-in rules/)
      .first()
      .waitFor({ timeout: 60_000 });

    const rev = await apiGet<Rev>(page, `/conversations/${conversationId}/plan-revisions/1`);
    const visuals = rev.plan.pages.flatMap((p) => p.visuals);
    const bar = visuals.find(
      (v) =>
        (v.kind === "bar" || v.kind === "column") &&
        v.bindings.some((b) => !b.aggregation && b.field?.column === "region"),
    )!;
    expect(bar, JSON.stringify(visuals.map((v) => [v.kind, v.title]))).toBeDefined();
    const column = bar.bindings.find((b) => b.aggregation)!.field!.column as "units" | "revenue";
    const regionBinding = bar.bindings.findIndex((b) => !b.aggregation && b.field?.column === "region");
    const figure = (p = page) => p.getByRole("figure", { name: bar.title, exact: true });
    const cells = (p = page) =>
      figure(p)
        .locator("table")
        .first()
        .locator("tbody tr")
        .evaluateAll((rows) =>
          rows.map((r) =>
            Array.from(
              (r as unknown as { children: ArrayLike<{ textContent: string | null }> }).children,
              (td) => td.textContent ?? "",
            ),
          ),
        );
    const want1 = barRows(sales(1), column);
    await eventually(() => cells()).toEqual(want1);

    // 3. Edit by form: top 3 → revision 2 with its diff, three bars.
    await figure()
      .getByRole("button", { name: `Edit ${bar.title}` })
      .click();
    const form = page.getByRole("dialog", { name: `Edit "${bar.title}"` });
    await form.getByRole("textbox", { name: "Top N" }).fill("3");
    await shot(page, "dashboard-visual-form");
    await form.getByRole("button", { name: "Save as a new revision" }).click();
    await page.getByText("Revision 2 ·").waitFor({ timeout: 30_000 });
    await expect
      .poll(async () => (await page.locator("details li").allTextContents()).join("\n"))
      .toContain("topN");
    await eventually(async () => (await cells()).filter((r) => r[0] !== "Other")).toEqual(want1.slice(0, 3));

    // A SUM of the region (text): refused at that binding's aggregation, nothing saved.
    await figure()
      .getByRole("button", { name: `Edit ${bar.title}` })
      .click();
    const binding = form.getByRole("group", { name: `Binding ${regionBinding + 1}` });
    await binding.getByRole("combobox", { name: "Aggregation" }).selectOption("sum");
    await form.getByRole("button", { name: "Save as a new revision" }).click();
    await eventually(() =>
      binding.getByRole("combobox", { name: "Aggregation" }).getAttribute("aria-invalid"),
    ).toBe("true");
    await text(form.getByRole("alert")).toContain("Not saved");
    await shot(page, "dashboard-visual-form-refused");
    await form.getByRole("button", { name: "Close" }).click();
    expect(
      (await apiGet<{ currentRevision: number }>(page, `/conversations/${conversationId}`)).currentRevision,
    ).toBe(2);
    // Undo: revision 1 and its five regions.
    await page.getByRole("button", { name: "Undo" }).click();
    await page.getByText("Revision 1 ·").waitFor();
    await eventually(() => cells()).toEqual(want1);

    // 1. A share link, opened by someone with no account in a fresh browser context.
    await page.getByRole("button", { name: "Share", exact: true }).click();
    const share = page.getByRole("dialog", { name: "Share this dashboard" });
    await share.getByLabel("Label (recipients see it)").fill("For the regional leads");
    await share.getByRole("button", { name: "Create link" }).click();
    const linkInput = share.getByRole("textbox", { name: "Share link" });
    await eventually(() => linkInput.inputValue()).toMatch(/^http:\/\/localhost:\d+\/shared\/dashboards\/.+/);
    const link = await linkInput.inputValue();
    await share.getByRole("button", { name: "Close" }).click();

    const stranger = await newPage();
    await stranger.goto(link);
    await stranger.getByText("Shared dashboard · read-only").waitFor();
    await stranger.getByText("For the regional leads").waitFor();
    await eventually(() => stranger.locator('meta[name="robots"]').getAttribute("content")).toBe(
      "noindex, nofollow",
    );
    await eventually(() => cells(stranger)).toEqual(want1);
    // Read-only: no edit, no ask, no undo; cross-filtering works.
    expect(await stranger.getByRole("button", { name: `Edit ${bar.title}` }).count()).toBe(0);
    expect(await stranger.getByRole("button", { name: "Undo" }).count()).toBe(0);
    // The total KPI (last month against the one before) narrows to East's own, as on the signed-in page.
    const kpi = visuals.find((v) => v.kind === "kpi" && v.bindings.some((b) => b.aggregation === "sum"))!;
    const kpiColumn = kpi.bindings.find((b) => b.aggregation === "sum")!.field!.column as "units" | "revenue";
    const lastMonth = (keep: (s: Sale) => boolean) =>
      grouped(
        sales(1)
          .filter((s) => s.month === MONTHS.at(-1) && keep(s))
          .reduce((a, s) => a + s[kpiColumn], 0),
      );
    const kpiValue = async () => (await stranger.getByLabel(`${kpi.title} value`).textContent()) ?? "";
    await eventually(kpiValue).toBe(lastMonth(() => true));
    await figure(stranger).getByRole("button", { name: "Cross-filter by East" }).click();
    await stranger.getByLabel("Cross-filters").getByText("region = East").waitFor();
    await eventually(kpiValue).toBe(lastMonth((s) => s.region === "East"));
    await shot(stranger, "dashboard-shared-page");
    expect(await seriousViolations(stranger)).toEqual([]);

    // 2. Replace the file by a new version with the same columns: revision 3 (made from 1), the new numbers.
    const [chooser2] = await Promise.all([
      page.waitForEvent("filechooser"),
      page.getByRole("button", { name: "Replace sales.csv by a new version" }).click(),
    ]);
    await chooser2.setFiles({
      name: "sales-v2.csv",
      mimeType: "text/csv",
      buffer: Buffer.from(csvOf(sales(3))),
    });
    await text(page.getByRole("status").filter({ hasText: "refreshed" })).toContain("the same columns");
    await text(page.getByRole("status").filter({ hasText: "refreshed" })).toContain("revision 3");
    const want3 = barRows(sales(3), column);
    await eventually(() => cells()).toEqual(want3);
    // The stranger's link is live: a reload shows the new data.
    await stranger.reload();
    await eventually(() => cells(stranger)).toEqual(want3);
    await text(stranger.getByText(/^Revision \d+ ·/)).toContain("Revision 3");

    // The same file again: it is already attached — the field-level refusal, nothing changed.
    const [chooser3] = await Promise.all([
      page.waitForEvent("filechooser"),
      page.getByRole("button", { name: "Replace sales-v2.csv by a new version" }).click(),
    ]);
    await chooser3.setFiles({
      name: "sales-v2.csv",
      mimeType: "text/csv",
      buffer: Buffer.from(csvOf(sales(3))),
    });
    const refusal = page.getByRole("alert").filter({ hasText: "was not replaced" });
    await text(refusal).toContain("New version: this file is already attached to the conversation");
    await shot(page, "dashboard-replace-refused");

    // Revoked: the stranger's page no longer opens (410).
    await page.getByRole("button", { name: "Share", exact: true }).click();
    await share.getByRole("button", { name: "Revoke the link For the regional leads" }).click();
    await text(share).toContain("revoked");
    await stranger.reload();
    await text(stranger.getByRole("alert")).toContain("revoked");
  }, 240_000);
});
