/**
 * The local feed server of the source-fetching and ingestion benches: RSS feeds at
 * /feed-<n>.xml with an ETag each (so a second pass gets 304s), and a robots.txt that allows them.
 * It answers any Host header, so made-up host names (resolved to 127.0.0.1 by `loopbackFetchDeps`)
 * stand for as many sites as a bench wants.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { createFetchDeps } from "../../packages/server/src/sources/fetch-source.ts";

export interface FeedServer {
  port: number;
  close(): void;
}

/** Serves `bodies[n]` at /feed-<n>.xml on 127.0.0.1 (a free port). */
export async function startFeedServer(bodies: readonly string[]): Promise<FeedServer> {
  const server = http.createServer((req, res) => {
    if (req.url === "/robots.txt")
      return void res
        .writeHead(200, { "content-type": "text/plain" })
        .end("User-agent: *\nDisallow: /private/\n");
    const m = /^\/feed-(\d+)\.xml$/.exec(req.url ?? "");
    if (!m) return void res.writeHead(404).end();
    const etag = `"f${m[1]}"`;
    if (req.headers["if-none-match"] === etag) return void res.writeHead(304, { etag }).end();
    res
      .writeHead(200, { "content-type": "application/rss+xml; charset=utf-8", etag })
      .end(bodies[Number(m[1])]);
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return { port: (server.address() as AddressInfo).port, close: () => server.close() };
}

/** The server's fetch dependencies with every host name resolved to the local feed server. */
export const loopbackFetchDeps = () =>
  createFetchDeps({
    http: { allowAddresses: ["127.0.0.1"], resolve: async () => [{ address: "127.0.0.1", family: 4 }] },
  });

/** The benches' baseline: one plain GET of feed 0 over loopback, median of 20, in ms. */
export async function medianFeedGetMs(port: number): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < 20; i++) {
    const t = performance.now();
    await (await fetch(`http://127.0.0.1:${port}/feed-0.xml`)).text();
    times.push(performance.now() - t);
  }
  return times.sort((a, b) => a - b)[10]!;
}
