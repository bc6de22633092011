import { afterAll, beforeAll, expect, it } from "vitest";
import { ingestDueSources } from "../../server/src/content/ingest.ts";
import { createFetchDeps } from "../../server/src/sources/index.ts";
import {
  resolveToLoopback,
  type SiteServer,
  send,
  startSiteServer,
} from "../../server/test/sources-server.ts";
import { seriousViolations } from "./axe.ts";
import {
  apiGet,
  createOrg,
  eventually,
  newPage,
  serverApp,
  setupBrowserApp,
  shot,
  signUp,
  text,
} from "./browser-harness.ts";

/**
 * Issue 17 item 6 as a writer walks it, in Chromium against the real server and a local web of
 * feeds: a source with a bad URL is refused on its field, then followed; the prototype's YAML
 * with one bad entry is refused naming the entry's field, then imported; ingestion (driven here,
 * with loopback allowed) stores the feed's items and marks the unreachable imported source
 * failing with its error; a source is edited (paused) and one deleted; the stored items are searched; a topic is asked, its four drafts are
 * shown with citations; one is recorded as published and its results recorded.
 */
setupBrowserApp();

let site: SiteServer;
const HOUR_MS = 3_600_000;
const rss = (port: number, items: { slug: string; title: string; text: string; hoursAgo: number }[]) =>
  `<?xml version="1.0"?><rss version="2.0"><channel><title>Lending Wire</title><link>http://wire.test:${port}/</link>${items
    .map(
      (i) =>
        `<item><title>${i.title}</title><link>http://wire.test:${port}/${i.slug}</link><pubDate>${new Date(Date.now() - i.hoursAgo * HOUR_MS).toUTCString()}</pubDate><description>${i.text}</description></item>`,
    )
    .join("")}</channel></rss>`;

beforeAll(async () => {
  site = await startSiteServer();
  site.route(
    "/feed.xml",
    send(
      rss(site.port, [
        {
          slug: "ai-underwriting",
          title: "Banks adopt AI underwriting for small business lending",
          text: "Lenders using AI underwriting cut loan approval times by 40% in 2025, a survey of 120 banks found. Credit teams say automated underwriting widened small business lending.",
          hoursAgo: 5,
        },
        {
          slug: "regulators",
          title: "Regulators question AI lending models",
          text: "Supervisors asked banks to explain automated credit decisions in lending, and to test AI underwriting models for bias before wider use.",
          hoursAgo: 20,
        },
        {
          slug: "fintech",
          title: "Fintech lenders grow as banks retreat",
          text: "Fintech lending to small businesses grew while banks tightened credit; AI tools helped fintech lenders price risk.",
          hoursAgo: 40,
        },
      ]),
      { "content-type": "application/rss+xml" },
    ),
  );
});
afterAll(() => site?.close());

it("follows sources, imports YAML, asks a topic, records the post and its results", async () => {
  const page = await newPage();
  await signUp(page, "writer@example.com", "Writer");
  await createOrg(page, "Writer Co");
  await page.getByRole("link", { name: "Sources", exact: true }).click();
  await page.getByRole("heading", { name: "Sources", exact: true }).waitFor();

  // A URL that is not http(s): the server's 422 lands on the URL field; nothing is followed.
  const add = page.getByRole("form", { name: "Add a source" });
  await add.getByLabel("Source name").fill("Lending Wire");
  await add.getByLabel("Feed or page URL").fill("ftp://wire.test/feed.xml");
  await add.getByLabel("Domains").fill("finance, Tech");
  await add.getByRole("button", { name: "Add source" }).click();
  await text(add).toContain("must be an http(s) URL");
  expect((await apiGet<{ total: number }>(page, "/content/sources")).total).toBe(0);
  await add.getByLabel("Feed or page URL").fill(`http://wire.test:${site.port}/feed.xml`);
  await add.getByRole("button", { name: "Add source" }).click();
  const wire = page.getByTestId("source-Lending Wire");
  await text(wire).toContain("not fetched yet");

  // The prototype's YAML with one bad entry: refused naming that entry's field, nothing imported.
  const entry = (name: string, path: string, credibility: number) =>
    `  - name: "${name}"\n    rss_url: "http://gone.test:${site.port}${path}"\n    type: "blog"\n    credibility: ${credibility}\n    domains: ["finance"]\n`;
  const yamlText = (cred: number) =>
    `premium_sources:\n${entry("Gone Blog", "/gone.xml", 0.8)}${entry("Shouty Blog", "/shouty.xml", cred)}`;
  const yamlBox = page.getByLabel("Sources YAML");
  await yamlBox.fill(yamlText(7));
  await page.getByRole("button", { name: "Import sources" }).click();
  await text(page.getByLabel("Import sources", { exact: true })).toContain(
    "premium_sources, entry 2, credibility:",
  );
  expect((await apiGet<{ total: number }>(page, "/content/sources")).total).toBe(1);
  await yamlBox.fill(yamlText(0.6));
  await page.getByRole("button", { name: "Import sources" }).click();
  await text(page.getByRole("status")).toContain("Imported 2 sources");
  expect((await apiGet<{ total: number }>(page, "/content/sources")).total).toBe(3);

  // One ingestion tick, loopback allowed: the feed is stored; the imported hosts answer 404.
  const summary = await ingestDueSources({
    db: serverApp().deps.database.db,
    deps: createFetchDeps({
      http: { allowAddresses: ["127.0.0.1"], resolve: resolveToLoopback, totalTimeoutMs: 5_000 },
      politeness: { minIntervalMs: 0 },
    }),
  });
  expect(summary.claimed).toBe(3);
  await page.reload();
  await text(wire).toContain("ok");
  await text(wire).toContain("last fetched");
  expect(await wire.locator("td").nth(2).textContent()).toBe("3");
  const gone = page.getByTestId("source-Gone Blog");
  await text(gone).toContain("failing");
  await text(gone).toMatch(/404/);
  // Edit: pause the other imported source and lower its credibility; delete the gone one (confirmed).
  const shouty = page.getByTestId("source-Shouty Blog");
  await shouty.getByRole("button", { name: "Edit" }).click();
  const edit = page.getByRole("dialog", { name: "Edit Shouty Blog" });
  await edit.getByLabel("Credibility (0–1)").fill("0.55");
  await edit.getByLabel("Fetched on schedule (off: paused)").click({ force: true });
  await edit.getByRole("button", { name: "Save source" }).click();
  await text(shouty).toContain("paused");
  await text(shouty.locator("td").nth(3)).toBe("0.55");
  await gone.getByRole("button", { name: "Delete" }).click();
  await page.getByRole("button", { name: "Delete source" }).click();
  await gone.waitFor({ state: "detached" });
  expect((await apiGet<{ total: number }>(page, "/content/sources")).total).toBe(2);

  await wire.getByRole("button", { name: "History" }).click();
  const history = page.getByRole("table", { name: "Fetch history" });
  await text(history).toMatch(/ok\s*3\s*0\s*0/);
  await page.keyboard.press("Escape");

  // Full-text search over the stored items (stemmed: "underwrite" finds "underwriting").
  await page.getByLabel("Search stored items").fill("underwrite");
  await page.getByRole("button", { name: "Search", exact: true }).click();
  await text(page.getByLabel("Items found")).toContain("2 items matching");
  await shot(page, "content-sources");
  expect((await seriousViolations(page)).join("\n"), "Sources page").toBe("");

  // Ask: a topic → the run page with four drafts, each citing stored items.
  await page.getByRole("link", { name: "Ask", exact: true }).click();
  await page.getByLabel("Topic").fill("AI underwriting in small business lending");
  await page.getByRole("button", { name: "Ask", exact: true }).click();
  await page.waitForURL(/\/runs\/[0-9a-f-]{36}$/);
  const runId = page.url().split("/").pop()!;
  const drafts = page.getByLabel("Drafts");
  await drafts.waitFor({ timeout: 60_000 });
  for (const kind of ["analytical", "engaging", "contrarian", "data_driven"])
    await page.getByTestId(`variant-${kind}`).waitFor();
  await text(drafts).toContain("recommended");
  await text(drafts).toContain("Banks adopt AI underwriting for small business lending");
  await text(drafts).toMatch(/Predicted engagement 0\.\d{3}/);
  await shot(page, "content-run");

  // Record the recommended draft (first card) as published, then its results.
  const first = drafts.locator("[data-testid^=variant-]").first();
  const kind = (await first.getAttribute("data-testid"))!.replace("variant-", "");
  await first.getByRole("button", { name: "Record as published" }).click();
  await page.getByRole("button", { name: "Save as published" }).click();
  const post = page.getByTestId("content-post");
  await text(post).toContain("No results recorded yet");
  await post.getByLabel("Impressions").fill("1200");
  await post.getByLabel("Reactions").fill("48");
  await post.getByLabel("Comments").fill("9");
  await post.getByLabel("Reposts").fill("3");
  await text(post).toContain("Engagement rate 5.0%");
  await post.getByRole("button", { name: "Record results" }).click();
  await text(post.getByTestId("post-feedback")).toContain(
    "1,200 impressions, 48 reactions, 9 comments, 3 reposts",
  );
  await shot(page, "content-post");
  expect((await seriousViolations(page)).join("\n"), "content run page").toBe("");

  const posts = await apiGet<{
    items: {
      runId: string;
      variantKind: string;
      feedback: { impressions: number; engagementRate: number };
    }[];
  }>(page, "/content/posts");
  expect(posts.items).toHaveLength(1);
  expect(posts.items[0]).toMatchObject({ runId, variantKind: kind, feedback: { impressions: 1200 } });
  expect(posts.items[0]!.feedback.engagementRate).toBeCloseTo(60 / 1200, 6);
  await eventually(async () => (await apiGet<{ total: number }>(page, "/content/items")).total).toBe(3);
}, 120_000);
