import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type App, buildApp } from "../src/app.ts";
import { loadConfig } from "../src/config.ts";
import { openRuntime, type Runtime } from "../src/runtime.ts";
import { adminQuery } from "./admin-query.ts";
import { type Actor, createOwner, createTestApp, request, useMailServer } from "./harness.ts";
import { startMailServer, type TestMailServer } from "./mail-server.ts";

/**
 * Issue 19 items 10a and 10b. The outage is made by a TCP proxy this test owns, between the app
 * and PostgreSQL: cutting it refuses and breaks connections; stalling it accepts and never answers.
 * The machine's PostgreSQL itself is never touched.
 */
class TcpProxy {
  private server: net.Server | null = null;
  private sockets = new Set<net.Socket>();
  mode: "forward" | "stall" = "forward";
  port = 0;
  constructor(
    private readonly host: string,
    private readonly upstreamPort: number,
  ) {}

  async listen(): Promise<void> {
    this.server = net.createServer((client) => {
      this.sockets.add(client);
      client.on("close", () => this.sockets.delete(client));
      client.on("error", () => {});
      if (this.mode === "stall") return; // accepted, never answered
      const upstream = net.connect(this.upstreamPort, this.host);
      this.sockets.add(upstream);
      upstream.on("close", () => this.sockets.delete(upstream));
      upstream.on("error", () => client.destroy());
      client.on("close", () => upstream.destroy());
      upstream.on("close", () => client.destroy());
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((resolve) => this.server!.listen(this.port, "127.0.0.1", resolve));
    this.port = (this.server.address() as net.AddressInfo).port;
  }

  /** Stops listening (new connections are refused) and breaks every open one. */
  async cut(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server?.close(() => resolve()));
    for (const s of this.sockets) s.destroy();
    await closed;
    this.server = null;
  }

  async close(): Promise<void> {
    if (this.server) await this.cut();
  }
}

const SERVER_URL = process.env.DATABASE_URL;

describe.skipIf(!SERVER_URL)("a database outage (PostgreSQL behind a proxy this test cuts)", () => {
  let proxy: TcpProxy;
  let runtime: Runtime;
  let app: App;
  let owner: Actor & { orgId: string };
  let dataDir: string;
  let mail: TestMailServer | undefined;
  const dbName = `mw_test_${randomBytes(6).toString("hex")}`;
  const admin = (text: string) => adminQuery(SERVER_URL!, text);

  beforeAll(async () => {
    await admin(`create database ${dbName}`);
    const upstream = new URL(SERVER_URL!);
    proxy = new TcpProxy(upstream.hostname, Number(upstream.port || 5432));
    await proxy.listen();
    const url = new URL(SERVER_URL!);
    url.host = `127.0.0.1:${proxy.port}`;
    url.pathname = `/${dbName}`;
    dataDir = mkdtempSync(path.join(os.tmpdir(), "mw-outage-"));
    // The owner signs up through the mailed link, as every test user does.
    mail = await startMailServer();
    const config = loadConfig({
      NODE_ENV: "test",
      DATA_DIR: dataDir,
      SESSION_SECRET: "test-session-secret-0123456789abcdef",
      LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? "silent",
      SEED_DEMO: "false",
      RETENTION_SWEEP_MINUTES: "0",
      DATABASE_URL: url.toString(),
      DATABASE_CONNECT_TIMEOUT_MS: "1000",
      // The probe reads (GET /projects) must reach the database: the read cache (decision 0053)
      // answers a list read in the last 2 s from memory, outage or not.
      READ_CACHE_TTL_MS: "0",
      SMTP_URL: mail.url,
      REDIS_KEY_PREFIX: `mwtest${randomBytes(4).toString("hex")}:`,
      ...(process.env.REDIS_URL ? { REDIS_URL: process.env.REDIS_URL } : {}),
    });
    runtime = await openRuntime(config);
    app = await buildApp(runtime);
    await app.ready();
    useMailServer(app, mail);
    owner = await createOwner(app, "Outage Org");
    const created = await request(app, owner, {
      method: "POST",
      url: "/api/v1/projects",
      payload: { name: "Kept" },
    });
    expect(created.statusCode).toBe(201);
  }, 60_000);

  afterAll(async () => {
    await app?.close();
    await runtime?.close().catch(() => {});
    await proxy?.close();
    await mail?.close();
    await admin(`drop database if exists ${dbName} with (force)`);
    rmSync(dataDir, { recursive: true, force: true });
  });

  const expectUnavailable = (res: Awaited<ReturnType<App["inject"]>>) => {
    expect(res.statusCode, res.body).toBe(503);
    expect(res.headers["content-type"]).toMatch(/^application\/problem\+json/);
    expect(res.headers["retry-after"]).toBe("5");
    expect(res.json()).toMatchObject({
      status: 503,
      title: "Service Unavailable",
      detail: "A service the server depends on (its database) is unavailable; retry in 5 s.",
    });
    expect(res.body).not.toMatch(/ECONN|terminated|timeout exceeded|select|insert/i);
  };

  it("answers 503 with Retry-After while connections are refused or cut, and recovers after", async () => {
    await proxy.cut();
    expectUnavailable(await request(app, owner, { method: "GET", url: "/api/v1/projects" }));
    expectUnavailable(
      await request(app, owner, { method: "POST", url: "/api/v1/projects", payload: { name: "Lost" } }),
    );
    expectUnavailable(
      await app.inject({
        method: "POST",
        url: "/api/v1/auth/sign-in",
        payload: { email: owner.email, password: "correct horse battery staple" },
      }),
    );
    // Readiness says which check failed, with a generic reason: no driver message, no SQL.
    const ready = await app.inject({ method: "GET", url: "/ready" });
    expect(ready.statusCode).toBe(503);
    expect(ready.json().checks.database).toMatchObject({ status: "error", error: "unavailable" });
    expect(ready.json().checks.queue).toMatchObject({ status: "error", error: "unavailable" });
    expect(ready.body).not.toMatch(/ECONN|select|runs|connect/i);

    await proxy.listen();
    const back = await request(app, owner, { method: "GET", url: "/api/v1/projects" });
    expect(back.statusCode, back.body).toBe(200);
    expect(back.json().items.map((p: { name: string }) => p.name)).toEqual(["Kept"]);
  });

  it("answers 503 when the database accepts connections but never answers (the pool's connect timeout)", async () => {
    await proxy.cut();
    proxy.mode = "stall";
    await proxy.listen();
    const started = performance.now();
    expectUnavailable(await request(app, owner, { method: "GET", url: "/api/v1/projects" }));
    // Bounded by DATABASE_CONNECT_TIMEOUT_MS (1 s here), not by the client's patience.
    expect(performance.now() - started).toBeLessThan(10_000);
    await proxy.cut();
    proxy.mode = "forward";
    await proxy.listen();
    expect((await request(app, owner, { method: "GET", url: "/api/v1/projects" })).statusCode).toBe(200);
  });
});

describe("/ready when a check fails", () => {
  let t: Awaited<ReturnType<typeof createTestApp>>;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => t?.close());

  it("shows a generic reason, never the SQL or the driver's message", async () => {
    // The queue check's query fails (its table is gone for a moment): before, its error showed
    // "Failed query: select count(*)… from runs …" to anyone.
    await t.database.db.execute(sql`alter table runs rename to runs_away`);
    try {
      const res = await t.app.inject({ method: "GET", url: "/ready" });
      expect(res.statusCode).toBe(503);
      expect(res.json().checks.database.status).toBe("ok");
      expect(res.json().checks.queue).toEqual({
        status: "error",
        latencyMs: expect.any(Number),
        error: "unavailable",
      });
      expect(res.body).not.toMatch(/select|runs|relation|failed query/i);
    } finally {
      await t.database.db.execute(sql`alter table runs_away rename to runs`);
    }
    expect((await t.app.inject({ method: "GET", url: "/ready" })).statusCode).toBe(200);
  });
});
