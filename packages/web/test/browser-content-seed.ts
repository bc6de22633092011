import type { Page } from "playwright-core";
import { expect } from "vitest";
import { ingestDueSources } from "../../server/src/content/ingest.ts";
import { createFetchDeps } from "../../server/src/sources/index.ts";
import {
  resolveToLoopback,
  type SiteServer,
  send,
  startSiteServer,
} from "../../server/test/sources-server.ts";
import { apiGet, base, serverApp } from "./browser-harness.ts";

/**
 * What the content browser tests ask about: a local feed of three lending articles, followed
 * through the API and ingested once (loopback allowed), so a topic on the page has evidence.
 */
const HOUR_MS = 3_600_000;
export const ARTICLES = [
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
];
export const TOPIC = "AI underwriting in small business lending";

export async function startLendingSite(): Promise<SiteServer> {
  const site = await startSiteServer();
  const items = ARTICLES.map(
    (i) =>
      `<item><title>${i.title}</title><link>http://wire.test:${site.port}/${i.slug}</link><pubDate>${new Date(Date.now() - i.hoursAgo * HOUR_MS).toUTCString()}</pubDate><description>${i.text}</description></item>`,
  ).join("");
  site.route(
    "/feed.xml",
    send(
      `<?xml version="1.0"?><rss version="2.0"><channel><title>Lending Wire</title><link>http://wire.test:${site.port}/</link>${items}</channel></rss>`,
      { "content-type": "application/rss+xml" },
    ),
  );
  return site;
}

/** A POST as the signed-in person (the session's CSRF token), expecting a 2xx; answers the JSON. */
export async function apiPost<T>(page: Page, path: string, data: unknown): Promise<T> {
  const token = (await apiGet<{ csrfToken: string }>(page, "/session")).csrfToken;
  const res = await page.request.post(`${base}/api/v1${path}`, {
    data,
    headers: { "x-csrf-token": token, "content-type": "application/json" },
  });
  expect(res.status(), `${path}: ${await res.text()}`).toBeLessThan(300);
  return (await res.json()) as T;
}

/** Follows the site's feed as the signed-in person (API) and runs one ingestion tick. */
export async function followAndIngest(page: Page, site: SiteServer): Promise<void> {
  await apiPost(page, "/content/sources", {
    name: "Lending Wire",
    url: `http://wire.test:${site.port}/feed.xml`,
    domains: ["finance", "tech"],
    credibility: 0.8,
    intervalMinutes: 360,
  });
  const summary = await ingestDueSources({
    db: serverApp().deps.database.db,
    deps: createFetchDeps({
      http: { allowAddresses: ["127.0.0.1"], resolve: resolveToLoopback, totalTimeoutMs: 5_000 },
      politeness: { minIntervalMs: 0 },
    }),
  });
  expect(summary.claimed).toBe(1);
}

/** Asks a topic on the Ask page; answers the run's id once the run page is open. */
export async function ask(page: Page, topic = TOPIC): Promise<string> {
  await page.goto(`${base}/content/ask`);
  await page.getByLabel("Topic").fill(topic);
  await page.getByRole("button", { name: "Ask", exact: true }).click();
  await page.waitForURL(/\/runs\/[0-9a-f-]{36}$/);
  return page.url().split("/").pop()!;
}
