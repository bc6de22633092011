/**
 * Web app responsiveness with big data, in Chromium against the real server (embedded PGlite):
 * (Page-side code is passed as strings: this file is type-checked without the DOM library.)
 * the scenario editor with a 10,000-deal input, the results of that plan, and a TIF run with a
 * 120-month operating period. Prints wall-clock times of what a person waits for (open, edit a
 * cell, scroll to the end, sort) and how many rows are in the DOM (virtualization).
 *
 *   npm run bench:web          (needs /usr/bin/chromium; see DEVELOPERS.md)
 */
import type { Page } from "playwright-core";
import { generateDeals } from "../packages/engines/optimizers/src/deal-picker/generate.ts";
import { apiPost, signUpWithOrg, startBrowserBench } from "./lib/browser-app.ts";

const DEALS = Number(process.env.BENCH_DEALS ?? 10_000);

// Account mail (the sign-up's verification link) goes to a local SMTP server of the bench's own.
const bench = await startBrowserBench({
  SESSION_SECRET: "bench-web-session-secret-0123456789abc",
  BODY_LIMIT_BYTES: String(20 * 1024 * 1024),
});
const { base, browser } = bench;

const results: [string, string][] = [];
async function timed<T>(label: string, fn: () => Promise<T>): Promise<T> {
  const t0 = performance.now();
  const v = await fn();
  results.push([label, `${(performance.now() - t0).toFixed(0)} ms`]);
  return v;
}

try {
  const context = await browser.newContext({ viewport: { width: 1366, height: 800 } });
  const page: Page = await context.newPage();
  page.setDefaultTimeout(30_000);
  const post = apiPost(page, base, { timeoutMs: 120_000 });
  const csrfToken = await signUpWithOrg(post, bench.mail, "bench@example.com");
  const project = await post<{ id: string }>("/projects", { name: "Big data" }, csrfToken);

  // 1. The editor with a 10,000-deal input.
  const input = generateDeals(DEALS, 42);
  const scenario = await post<{ id: string }>(
    `/projects/${project.id}/scenarios`,
    { name: "10k deals", modelId: "deal-picker", input },
    csrfToken,
  );
  await page.goto(base);
  await page.getByRole("heading", { name: "Projects", exact: true }).waitFor();
  await timed(`editor: open a scenario with ${DEALS} deals until the grid shows`, async () => {
    await page.goto(`${base}/scenarios/${scenario.id}`);
    await page.getByLabel("ID, row 1", { exact: true }).waitFor();
  });
  const grid = page.getByTestId("grid-deals");
  results.push(["editor: grid rows in the DOM", String(await grid.locator("tbody tr").count())]);
  await timed("editor: type a new ask price into a cell", async () => {
    const cell = page.getByLabel("Ask price, row 2", { exact: true });
    await cell.fill("12345678");
    await page.waitForFunction(
      `document.querySelector('[aria-label="Ask price, row 2"]')?.value === "12345678"`,
    );
  });
  await timed(`editor: scroll the grid to row ${DEALS}`, async () => {
    await grid.evaluate((el) => {
      const box = (el as unknown as { parentElement: { scrollTop: number; scrollHeight: number } })
        .parentElement;
      box.scrollTop = box.scrollHeight;
    });
    await page.getByLabel(`ID, row ${DEALS}`, { exact: true }).waitFor();
  });
  await timed("editor: add a row", async () => {
    await page.getByRole("button", { name: "Add row" }).first().click();
    await page.getByLabel(`ID, row ${DEALS + 1}`, { exact: true }).waitFor();
  });

  // 2. Results of the 10,000-deal plan.
  const run = await post<{ id: string; status: string }>(
    "/models/deal-picker/runs?wait=60",
    { scenarioId: scenario.id },
    csrfToken,
  );
  const bytes = await timed(
    `api: GET /runs/:id of the ${DEALS}-deal plan (what the page fetches)`,
    async () => (await page.request.get(`${base}/api/v1/runs/${run.id}`)).body(),
  );
  results.push(["api: size of that response", `${(bytes.length / 1e6).toFixed(1)} MB`]);
  await timed(`results: open the ${DEALS}-deal plan until its selection table shows`, async () => {
    await page.goto(`${base}/runs/${run.id}`);
    await page.getByTestId("table-selection").waitFor();
  });
  const selection = page.getByTestId("table-selection");
  const rowCount = Number(await selection.locator("table").getAttribute("aria-rowcount")) - 1;
  results.push(["results: rows in the selection table", String(rowCount)]);
  results.push(["results: selection rows in the DOM", String(await selection.locator("tbody tr").count())]);
  await timed("results: sort the selection by capital", async () => {
    await selection.getByRole("button", { name: /^Capital/ }).click();
    await page.waitForFunction(
      `[...document.querySelectorAll("th")].some((th) => th.getAttribute("aria-sort") === "ascending")`,
    );
  });

  // 3. A TIF run with a 120-month operating period.
  const model = (await (await page.request.get(`${base}/api/v1/models/tif`)).json()) as {
    examples: { name: string; input: Record<string, unknown> }[];
  };
  const tifInput = {
    ...model.examples.find((e) => e.name === "defaults-market")!.input,
    operationsMonths: 120,
  };
  const tif = await post<{ id: string; output: { periods: unknown[] } }>(
    "/models/tif/runs?wait=60",
    { input: tifInput },
    csrfToken,
  );
  await timed(
    `results: open a TIF run (${tif.output.periods.length} monthly periods) until the cash flow shows`,
    async () => {
      await page.goto(`${base}/runs/${tif.id}`);
      await page.getByTestId("table-periods").waitFor();
    },
  );
  await timed("results: cash flow monthly → annual", async () => {
    await page.getByText("Annual", { exact: true }).first().click();
    await page.waitForFunction(
      `Number(document.querySelector('[data-testid="table-periods"] table')?.getAttribute("aria-rowcount")) < 30`,
    );
  });
} catch (err) {
  for (const c of browser.contexts())
    for (const p of c.pages())
      await p.screenshot({ path: "test-artifacts/web/bench-failure.png", fullPage: true });
  throw err;
} finally {
  await bench.close();
}

console.log(`\nweb bench (Chromium, ${DEALS} deals)\n`);
for (const [k, v] of results) console.log(`${v.padStart(10)}  ${k}`);
process.exit(0);
