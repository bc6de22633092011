import http, { type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * A local web of feeds and pages for the source-fetcher tests (port 0, 127.0.0.1 only). Routes are
 * set per test; every request is logged with its arrival time and headers, so tests count requests
 * per path and measure the gaps between them.
 */
export type Handler = (req: IncomingMessage, res: ServerResponse) => void;

export interface LoggedRequest {
  path: string;
  host: string;
  atMs: number;
  headers: IncomingMessage["headers"];
}

export interface SiteServer {
  port: number;
  /** `http://<host>:<port><path>`; made-up hosts resolve to 127.0.0.1 through `resolve`. */
  url(path: string, host?: string): string;
  route(path: string, handler: Handler): void;
  log: LoggedRequest[];
  requests(path: string): LoggedRequest[];
  /** Bytes the server managed to write per path before the client went away. */
  bytesWritten: Map<string, number>;
  close(): Promise<void>;
}

export async function startSiteServer(): Promise<SiteServer> {
  const routes = new Map<string, Handler>();
  const log: LoggedRequest[] = [];
  const bytesWritten = new Map<string, number>();
  const server = http.createServer((req, res) => {
    const host = (req.headers.host ?? "").replace(/:\d+$/, "");
    const path = req.url ?? "/";
    log.push({ path, host, atMs: performance.now(), headers: req.headers });
    const handler = routes.get(`${host}${path}`) ?? routes.get(path);
    if (!handler) {
      res.writeHead(404, { "content-type": "text/plain" }).end("not found");
      return;
    }
    handler(req, res);
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    url: (path, host = "127.0.0.1") => `http://${host}:${port}${path}`,
    route: (path, handler) => routes.set(path, handler),
    log,
    requests: (path) => log.filter((l) => l.path === path),
    bytesWritten,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

/** A made-up host name → 127.0.0.1 resolver for the client (no real DNS in tests). */
export const resolveToLoopback = async (host: string) => {
  if (host.endsWith(".test")) return [{ address: "127.0.0.1", family: 4 }];
  if (host === "private.example") return [{ address: "10.0.0.5", family: 4 }];
  if (host === "metadata.example") return [{ address: "169.254.169.254", family: 4 }];
  throw Object.assign(new Error("not found"), { code: "ENOTFOUND" });
};

export const send =
  (body: string | Buffer, headers: Record<string, string> = {}, status = 200): Handler =>
  (_req, res) => {
    res.writeHead(status, headers).end(body);
  };

/** Streams `totalBytes` in 64 KiB chunks, recording how many got written before the client left. */
export const huge =
  (
    key: string,
    totalBytes: number,
    bytesWritten: Map<string, number>,
    headers: Record<string, string> = {},
  ): Handler =>
  (_req, res) => {
    res.writeHead(200, { "content-type": "text/html", ...headers });
    const chunk = Buffer.alloc(64 * 1024, "a");
    let written = 0;
    const pump = () => {
      while (written < totalBytes) {
        if (res.destroyed) return;
        written += chunk.length;
        bytesWritten.set(key, written);
        if (!res.write(chunk)) {
          res.once("drain", pump);
          return;
        }
      }
      res.end();
    };
    res.on("close", () => bytesWritten.set(key, written));
    pump();
  };
