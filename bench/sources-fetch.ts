/**
 * Source-fetcher benchmark (issue 17, "Benchmarks": "ingest 100 feeds × 50 items from the local
 * server < 10 s with politeness on"). This measures the fetching half — robots.txt, paced
 * conditional GETs, parsing, items in the engine's shape — without the store (next session).
 *
 *   npm run bench:sources
 *
 * A local HTTP server (127.0.0.1, port 0) serves 100 RSS feeds of 50 items each (HTML summaries of
 * ~600 characters) on made-up host names resolved to 127.0.0.1. Scenarios, politeness at its
 * defaults (1 request at a time per host, ≥ 1 s between starts, 8 in flight overall):
 * - 100 feeds on 100 hosts: robots.txt + feed per host;
 * - the same again with the stored validators (every feed answers 304);
 * - 100 feeds on 10 hosts (10 per host): the 1 s interval alone makes this ≥ 9 s per host.
 * Baseline: one plain GET of one feed over loopback (the unit ratios are given in).
 */
import { loadavg } from "node:os";
import type { SourceDefinition } from "@modelworks/engine-content-intel";
import { type FetchSourceResult, fetchSource } from "../packages/server/src/sources/fetch-source.ts";
import { loopbackFetchDeps, medianFeedGetMs, startFeedServer } from "./lib/feed-server.ts";

const FEEDS = 100;
const ITEMS = 50;

function rss(feed: number): string {
  const items = Array.from({ length: ITEMS }, (_, i) => {
    const day = String(1 + (i % 28)).padStart(2, "0");
    return `<item><title>Feed ${feed} story ${i}: rates &amp; rails</title>
      <link>/f${feed}/story-${i}</link><pubDate>${new Date(`2026-11-${day}T10:00:00Z`).toUTCString()}</pubDate>
      <description><![CDATA[<p>${"Payments infrastructure keeps shifting as banks and fintechs <b>test</b> stablecoin settlement. ".repeat(6)}</p>]]></description></item>`;
  }).join("\n");
  return `<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>Feed ${feed}</title>${items}</channel></rss>`;
}

const server = await startFeedServer(Array.from({ length: FEEDS }, (_, i) => rss(i)));
const port = server.port;

const source = (i: number, host: string): SourceDefinition => ({
  id: `feed-${i}`,
  name: `Feed ${i}`,
  kind: "rss",
  url: `http://${host}:${port}/feed-${i}.xml`,
  host,
  domains: ["finance"],
  credibility: 0.8,
  tier: "standard",
  intervalMinutes: 360,
});
const cpuMs = () => {
  const c = process.cpuUsage();
  return (c.user + c.system) / 1000;
};

async function scenario(name: string, sources: SourceDefinition[], states?: FetchSourceResult[]) {
  const deps = loopbackFetchDeps();
  const w0 = performance.now();
  const c0 = cpuMs();
  const results = await Promise.all(
    sources.map((s, i) => fetchSource(s, states ? { validators: states[i]!.validators } : {}, deps)),
  );
  const wallMs = performance.now() - w0;
  const cpu = cpuMs() - c0;
  const items = results.reduce((n, r) => n + r.items.length, 0);
  const failing = results.filter((r) => r.health.status !== "ok").length;
  const notModified = results.filter((r) => r.notModified).length;
  const requests = [...deps.politeness.startedByHost.values()].reduce((a, b) => a + b, 0);
  console.log(
    `${name.padEnd(44)} wall ${(wallMs / 1000).toFixed(2)} s, CPU ${(cpu / 1000).toFixed(2)} s, ` +
      `${items} items, ${notModified} × 304, ${failing} failing, ${requests} requests`,
  );
  return { results, wallMs };
}

// Baseline: one GET of one feed, median of 20.
const baseMs = await medianFeedGetMs(port);
console.log(
  `load average ${loadavg()
    .map((l) => l.toFixed(1))
    .join(" ")}; baseline GET of one feed ${baseMs.toFixed(2)} ms`,
);

const distinct = Array.from({ length: FEEDS }, (_, i) => source(i, `feeds-${i}.test`));
const first = await scenario("100 feeds × 50 items, 100 hosts", distinct);
await scenario("same, conditional GET (304s)", distinct, first.results);
await scenario(
  "100 feeds × 50 items, 10 hosts",
  Array.from({ length: FEEDS }, (_, i) => source(i, `shared-${i % 10}.test`)),
);
server.close();
