import { afterAll, beforeAll, expect, it } from "vitest";
import { type FakeLlmServer, startFakeLlmServer } from "../../server/test/llm-fake-server.ts";
import type { SiteServer } from "../../server/test/sources-server.ts";
import { apiPost, ask, followAndIngest, startLendingSite, TOPIC } from "./browser-content-seed.ts";
import { apiGet, createOrg, newPage, setupBrowserApp, shot, signUp, text } from "./browser-harness.ts";

/**
 * Issue 17 item 6 in Chromium: a content-intel run shows its live phase progress ("Phase N of 5",
 * the earlier phases ticked) while it runs and its drafts after; the history page lists the runs
 * newest first with their variants' predictions and a published post's results, and opens one.
 * The built-in path finishes in well under a second, too fast to watch, so the second run goes
 * through a local fake language model that is slow to answer (its answers do not fit the
 * schemas, so the built-in path writes the drafts after each wait).
 */
setupBrowserApp();

let site: SiteServer;
let llm: FakeLlmServer;
const KEY = "sk-history-0123456789-KEY";
beforeAll(async () => {
  site = await startLendingSite();
  llm = await startFakeLlmServer();
  llm.fallback = () => ({ answer: { unusable: true }, delayMs: 400 });
});
afterAll(async () => {
  await site?.close();
  await llm?.close();
});

interface Run {
  output: { recommendedVariant: string; variants: { kind: string; prediction: { enhanced: number } }[] };
}
const pct0 = (v: number) => `${(v * 100).toLocaleString("en-US", { maximumFractionDigits: 0 })}%`;

it("shows a run's phases live and its drafts after; lists runs in history and opens one", async () => {
  const page = await newPage();
  await signUp(page, "historian@example.com", "Historian");
  await createOrg(page, "History Co");
  await followAndIngest(page, site);

  // A first run on the built-in path; one of its drafts is recorded as published, with results.
  const firstId = await ask(page);
  await page.getByTestId("variant-analytical").waitFor({ timeout: 60_000 });
  const first = await apiGet<Run>(page, `/runs/${firstId}`);
  const post = await apiPost<{ id: string }>(page, "/content/posts", {
    runId: firstId,
    variantKind: "engaging",
    text: "Posted by hand.",
    publishedAt: new Date(Date.now() - 3_600_000).toISOString(),
  });
  await apiPost(page, "/content/feedback", {
    postId: post.id,
    impressions: 1200,
    reactions: 48,
    comments: 9,
    reposts: 3,
  });

  // The second run goes through the slow model: its progress is watched phase by phase.
  await apiPost(page, "/org/llm/providers", {
    provider: "openai",
    baseUrl: llm.url,
    models: { default: "slow-model" },
    apiKey: KEY,
  });
  // The run's first call (query analysis) takes 1.5 s; the drafts' calls 0.4 s each.
  llm.script({ answer: { unusable: true }, delayMs: 1_500 });
  const SECOND = "Regulators testing AI lending models for bias";
  const secondId = await ask(page, SECOND);
  const progress = page.getByTestId("run-progress");
  await text(progress).toMatch(/Phase [1-5] of 5/);
  const seen = new Set<number>();
  const drafts = page.getByLabel("Drafts");
  for (let i = 0; i < 600 && !(await drafts.isVisible()); i++) {
    const shown = (await progress.textContent().catch(() => null)) ?? "";
    const m = /Phase ([1-5]) of 5/.exec(shown);
    if (m) {
      const n = Number(m[1]);
      // The steps agree with the message: the phases before N are done, N runs, none after it.
      const steps = page.getByTestId("content-phases").locator("[data-state]");
      const states = await steps
        .all()
        .then((all) => Promise.all(all.map((l) => l.getAttribute("data-state", { timeout: 500 }))))
        .catch(() => null);
      if (states && shown === ((await progress.textContent().catch(() => null)) ?? "")) {
        expect(states).toHaveLength(5);
        expect(states.slice(0, n - 1).every((s) => s === "done")).toBe(true);
        expect(states[n - 1]).toBe("running");
        expect(states.slice(n).every((s) => s === "waiting")).toBe(true);
        if (!seen.has(n) && seen.size === 0) await shot(page, `content-phase-${n}`);
        seen.add(n);
      }
    }
    await page.waitForTimeout(100);
  }
  // The slow calls hold a phase on screen: the first (query analysis, 1.5 s) and the fourth
  // (the drafts and their scores, several 0.4 s calls) are seen, whatever the load.
  expect([...seen].sort()).toEqual(expect.arrayContaining([1, 4]));
  expect(llm.requests.length).toBeGreaterThanOrEqual(2);
  await drafts.waitFor();
  expect(await progress.count()).toBe(0);
  for (const kind of ["analytical", "engaging", "contrarian", "data_driven"])
    await page.getByTestId(`variant-${kind}`).waitFor();
  await text(drafts).toContain("Regulators question AI lending models");
  const second = await apiGet<Run>(page, `/runs/${secondId}`);

  // History: both runs, newest first, each with its four predictions; the post's results.
  await page.getByRole("link", { name: "Content history" }).click();
  const table = page.getByRole("table", { name: "Past questions" });
  await table.waitFor();
  const rows = table.locator("tbody tr");
  await text(rows.nth(0)).toContain(SECOND);
  expect(await rows.count()).toBe(2);
  await text(rows.nth(1)).toContain(TOPIC);
  for (const [i, run] of [second, first].entries()) {
    const badges = await rows.nth(i).locator("td").nth(2).locator(".mantine-Badge-root").allTextContents();
    expect(badges).toEqual(
      run.output.variants.map((v) => `${v.kind.replace(/_/g, "-")} ${pct0(v.prediction.enhanced)}`),
    );
  }
  await text(rows.nth(0).locator("td").nth(3)).toBe("not published");
  await text(rows.nth(1).locator("td").nth(3)).toMatch(
    /^engaging on .+: 1,200 impressions, 5\.00% engagement$/,
  );
  await text(page.getByText(/^1–2 of 2$/)).toBe("1–2 of 2");
  await shot(page, "content-history");

  // Opening the older run shows its drafts again.
  await rows.nth(1).getByRole("link", { name: TOPIC }).click();
  await page.waitForURL(new RegExp(`/runs/${firstId}$`));
  await page.getByTestId("variant-analytical").waitFor();
  await text(page.getByTestId("content-post")).toContain(
    "1,200 impressions, 48 reactions, 9 comments, 3 reposts",
  );
}, 150_000);
