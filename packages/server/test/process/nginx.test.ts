import { randomBytes } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { adminQuery } from "../admin-query.ts";
import { NGINX, type NginxProxy, startNginx } from "./nginx-proxy.ts";
import {
  killAll,
  makeTempDir,
  postJson,
  type ServerProcess,
  sessionBody,
  sessionCookie,
  signUpVerified,
  startServer,
  waitForReady,
} from "./spawn.ts";

/**
 * Two real app processes behind Debian's nginx running deploy/nginx.conf (with the upstream
 * servers, listen port and file paths substituted), as deploy/compose.yaml runs them: one
 * PostgreSQL database, one Redis, one SESSION_SECRET. Needs DATABASE_URL, REDIS_URL and
 * /usr/sbin/nginx; CI provides all three.
 */

const ADMIN_URL = process.env.DATABASE_URL;
const REDIS_URL = process.env.REDIS_URL;
const enabled = Boolean(ADMIN_URL && REDIS_URL && existsSync(NGINX));

const PASSWORD = "correct horse battery staple";
let tmp: ReturnType<typeof makeTempDir>;
const dbName = `mw_nginx_${randomBytes(6).toString("hex")}`;
let dbCreated = false;
const apps: ServerProcess[] = [];
let proxy: NginxProxy | undefined;
let base = "";

describe.skipIf(!enabled)("two app instances behind nginx", () => {
  beforeAll(async () => {
    tmp = makeTempDir("mw-nginx-");
    await adminQuery(ADMIN_URL!, `create database ${dbName}`);
    dbCreated = true;
    const dbUrl = new URL(ADMIN_URL!);
    dbUrl.pathname = `/${dbName}`;
    const env = {
      DATABASE_URL: dbUrl.toString(),
      REDIS_URL: REDIS_URL!,
      REDIS_KEY_PREFIX: `mwnginx${randomBytes(4).toString("hex")}:`,
      SESSION_SECRET: randomBytes(32).toString("base64url"),
      TRUST_PROXY: "true",
      COOKIE_SECURE: "false",
      SEED_DEMO: "false",
      LOG_LEVEL: "warn",
    };
    // Both start at once, as compose starts them: migrations serialize on an advisory lock.
    apps.push(await startServer(env), await startServer(env));
    await Promise.all(apps.map((a) => waitForReady(`${a.url}/ready`, a, 90_000)));

    proxy = await startNginx(
      apps.map((a) => `127.0.0.1:${a.port}`),
      tmp.dir,
    );
    base = proxy.base;
  }, 180_000);

  afterAll(async () => {
    try {
      await proxy?.stop();
      await Promise.all(apps.map((a) => a.stop("SIGTERM", 15_000)));
    } finally {
      await killAll();
      if (dbCreated) await adminQuery(ADMIN_URL!, `drop database if exists ${dbName} with (force)`);
      tmp?.remove();
    }
  }, 60_000);

  it("shares a session made through nginx with both instances", async () => {
    const email = `nginx-${Date.now().toString(36)}@example.com`;
    const signUp = await signUpVerified(base, apps, { email, password: PASSWORD, name: "N" });
    expect(signUp.status).toBe(200);

    const signIn = await postJson(`${base}/api/v1/auth/sign-in`, { email, password: PASSWORD });
    expect(signIn.status).toBe(200);
    const cookie = sessionCookie(signIn);
    const { csrfToken, user } = await sessionBody(signIn);
    expect(user.email).toBe(email);

    // The same cookie and CSRF token, straight to each instance, bypassing nginx.
    for (const [i, app] of apps.entries()) {
      const session = await fetch(`${app.url}/api/v1/session`, { headers: { cookie } });
      expect(session.status, `GET /api/v1/session on instance ${i + 1}`).toBe(200);
      const body = await sessionBody(session);
      expect(body.user.id).toBe(user.id);
      expect(body.csrfToken).toBe(csrfToken);

      const org = await postJson(
        `${app.url}/api/v1/orgs`,
        { name: `Made on instance ${i + 1}` },
        { cookie, "x-csrf-token": csrfToken },
      );
      expect(org.status, `POST /api/v1/orgs on instance ${i + 1}`).toBe(201);
    }

    // And each instance sees what the other wrote.
    const session = await fetch(`${base}/api/v1/session`, { headers: { cookie } });
    expect((await sessionBody(session)).organizations.map((o) => o.name).sort()).toEqual([
      "Made on instance 1",
      "Made on instance 2",
    ]);
  });

  it("spreads requests over both instances", async () => {
    const before = await Promise.all(apps.map((a) => healthCount(a)));
    const n = 20;
    for (let i = 0; i < n; i++) {
      const res = await fetch(`${base}/health`);
      expect(res.status).toBe(200);
      await res.arrayBuffer();
    }
    const after = await Promise.all(apps.map((a) => healthCount(a)));
    const served = after.map((count, i) => count - before[i]!);
    expect(served.reduce((a, b) => a + b, 0)).toBe(n);
    for (const count of served) expect(count).toBeGreaterThanOrEqual(n / 4); // round robin: 10 and 10
  });

  it("passes the client's request id through, or its own when the client sent none", async () => {
    const own = await fetch(`${base}/health`, { headers: { "x-request-id": "nginx-test-rid-42" } });
    expect(own.status).toBe(200);
    expect(own.headers.get("x-request-id")).toBe("nginx-test-rid-42");

    const none = await fetch(`${base}/api/v1/session`);
    expect(none.status).toBe(401);
    const id = none.headers.get("x-request-id");
    expect(id).toMatch(/^[0-9a-f]{32}$/); // nginx's $request_id, not an id the app made up
    expect(await none.json()).toMatchObject({ requestId: id });

    const log = readFileSync(path.join(tmp.dir, "access.log"), "utf8");
    expect(log).toContain("rid=nginx-test-rid-42");
    expect(log).toContain(`rid=${id}`);
  });

  it("states the client address itself rather than trusting a forged one, and keeps /metrics internal", async () => {
    // A forged X-Forwarded-For does not become the client address: nginx states $remote_addr.
    const email = `nginx-ip-${Date.now().toString(36)}@example.com`;
    const signUp = await signUpVerified(
      base,
      apps,
      { email, password: PASSWORD, name: "N" },
      { "x-forwarded-for": "203.0.113.7" },
    );
    expect(signUp.status).toBe(200);
    const rows = await adminQuery(
      ADMIN_URL!,
      `select ip from sessions where user_id = (select id from users where email = $1)`,
      [email],
      dbName,
    );
    expect(rows.map((r) => r.ip)).toEqual(["127.0.0.1"]);

    expect((await fetch(`${base}/metrics`)).status).toBe(404);
  });
});

/** `http_requests_total` for GET /health 200 on one instance, read from it directly. */
async function healthCount(app: ServerProcess): Promise<number> {
  const text = await (await fetch(`${app.url}/metrics`)).text();
  const line = text
    .split("\n")
    .find(
      (l) =>
        l.startsWith("http_requests_total{") &&
        l.includes('method="GET"') &&
        l.includes('route="/health"') &&
        l.includes('status_code="200"'),
    );
  return line ? Number(line.split(" ").at(-1)) : 0;
}
