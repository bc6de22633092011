import http from "node:http";
import type { AddressInfo } from "node:net";

/**
 * A local stand-in for a reference-data publisher (node:http on port 0). Each path answers as
 * told — a JSON body, a status, garbage, or never — and every request is counted, so tests can
 * prove what was (not) fetched.
 */
export type FakeAnswer =
  | { kind: "json"; body: unknown }
  | { kind: "status"; status: number }
  | { kind: "text"; body: string }
  | { kind: "hang" };

export interface FakeRefdataServer {
  url(path: string): string;
  set(path: string, answer: FakeAnswer): void;
  requests(path: string): number;
  close(): Promise<void>;
}

export async function startFakeRefdata(): Promise<FakeRefdataServer> {
  const answers = new Map<string, FakeAnswer>();
  const counts = new Map<string, number>();
  const hung = new Set<http.ServerResponse>();
  const server = http.createServer((req, res) => {
    const path = req.url ?? "/";
    counts.set(path, (counts.get(path) ?? 0) + 1);
    const a = answers.get(path) ?? { kind: "status", status: 404 };
    if (a.kind === "hang") {
      hung.add(res);
      return;
    }
    if (a.kind === "status") res.writeHead(a.status).end();
    else if (a.kind === "text") res.writeHead(200, { "content-type": "application/json" }).end(a.body);
    else res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(a.body));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: (path) => `http://127.0.0.1:${port}${path}`,
    set: (path, answer) => answers.set(path, answer),
    requests: (path) => counts.get(path) ?? 0,
    async close() {
      for (const res of hung) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A URL on which nothing listens: a port that was just free. */
export async function deadUrl(): Promise<string> {
  const s = http.createServer();
  await new Promise<void>((resolve) => s.listen(0, "127.0.0.1", resolve));
  const { port } = s.address() as AddressInfo;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return `http://127.0.0.1:${port}/ami`;
}
