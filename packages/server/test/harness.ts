import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Logger } from "pino";
import { type App, buildApp } from "../src/app.ts";
import { loadConfig } from "../src/config.ts";
import type { Database } from "../src/db/client.ts";
import type { RunWorker } from "../src/runs/runner.ts";
import { openRuntime, type Runtime } from "../src/runtime.ts";
import { registerRunWorker } from "../src/server.ts";
import { adminQuery } from "./admin-query.ts";
import { startMailServer, type TestMailServer, verifyTokenIn } from "./mail-server.ts";
import { openTemplateDatabase } from "./pglite-template.ts";

/**
 * Test servers on the same code path as production. With DATABASE_URL set, each app gets a
 * fresh PostgreSQL database (dropped on close); otherwise an in-memory PGlite. With REDIS_URL
 * set, Redis backs rate limits, under a key prefix of its own. Account mail goes over real SMTP
 * to a local server of the app's own (`mail`), unless the test passes its own SMTP_URL.
 */
export interface TestApp {
  app: App;
  database: Database;
  runtime: Runtime;
  /** Present when created with `{ worker: true }`. */
  worker?: RunWorker;
  /** The SMTP server receiving this app's mail (null when the test set SMTP_URL itself). */
  mail: TestMailServer | null;
  close(): Promise<void>;
}

export async function createTestApp(
  env: Record<string, string> = {},
  opts: { worker?: boolean; log?: Logger; logStream?: { write(line: string): void } } = {},
): Promise<TestApp> {
  const serverUrl = process.env.DATABASE_URL;
  let dropDatabase: (() => Promise<void>) | undefined;
  let url = "memory://";
  if (serverUrl) {
    const name = `mw_test_${randomBytes(6).toString("hex")}`;
    await adminQuery(serverUrl, `create database ${name}`);
    const u = new URL(serverUrl);
    u.pathname = `/${name}`;
    url = u.toString();
    dropDatabase = async () => {
      await adminQuery(serverUrl, `drop database if exists ${name} with (force)`);
    };
  }
  // Uploaded files go to a directory of this app's own, removed on close.
  const dataDir = mkdtempSync(path.join(os.tmpdir(), "mw-test-"));
  const mail = "SMTP_URL" in env ? null : await startMailServer();
  const config = loadConfig({
    NODE_ENV: "test",
    DATA_DIR: dataDir,
    SESSION_SECRET: "test-session-secret-0123456789abcdef",
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? "silent",
    SEED_DEMO: "false",
    AUTH_RATE_LIMIT_MAX: "10000",
    RATE_LIMIT_MAX: "100000",
    REDIS_KEY_PREFIX: `mwtest${randomBytes(4).toString("hex")}:`,
    // Production's 500 ms fail-fast budget is for a healthy host; on a CI machine running test
    // files side by side a live Redis can take longer, and one slow command opens the breaker
    // (the instance then reports itself degraded). Outage tests set their own budgets.
    REDIS_COMMAND_TIMEOUT_MS: "3000",
    ...(process.env.REDIS_URL ? { REDIS_URL: process.env.REDIS_URL } : {}),
    ...(mail ? { SMTP_URL: mail.url } : {}),
    ...env,
    DATABASE_URL: url,
  });
  // Embedded: from the migrated template (pglite-template.ts), not migrated anew per app.
  const database = serverUrl ? undefined : await openTemplateDatabase();
  const runtime = await openRuntime(config, database, opts.log ? { log: opts.log } : {});
  const app = await buildApp(runtime, opts.logStream ? { logStream: opts.logStream } : {});
  // The worker is a background task of the app, as in the server: it starts with `ready()` and
  // stops with `close()`, before the connections.
  const run = opts.worker ? registerRunWorker(app, runtime) : null;
  await app.ready();
  if (mail) mailServers.set(app, mail);
  return {
    app,
    database: runtime.database,
    runtime,
    mail,
    ...(run?.worker ? { worker: run.worker } : {}),
    async close() {
      await app.close();
      await runtime.close();
      await mail?.close();
      await dropDatabase?.();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

const mailServers = new WeakMap<App, TestMailServer>();

/** For a test that builds its own app: the SMTP server its `SMTP_URL` points at, for `signUp()`. */
export function useMailServer(app: App, mail: TestMailServer): void {
  mailServers.set(app, mail);
}

/** The SMTP server an app made by createTestApp sends to. */
export function mailOf(app: App): TestMailServer {
  const mail = mailServers.get(app);
  if (!mail) throw new Error("this app has no test mail server (it was given its own SMTP_URL)");
  return mail;
}

/** A signed-in user as the tests drive them: cookie, CSRF token and ids. */
export interface Actor {
  userId: string;
  email: string;
  cookie: string;
  csrf: string;
  /** The organization this actor was created in, if any. */
  orgId?: string;
}

type InjectOptions = {
  method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
  url: string;
  payload?: unknown;
  headers?: Record<string, string>;
};

let counter = 0;
export const uniqueEmail = (tag = "user") => `${tag}-${Date.now().toString(36)}-${++counter}@example.com`;
export const PASSWORD = "correct horse battery staple";

/** Sends a request as an actor (cookie + CSRF), an API key (string) or nobody (null). */
export function request(app: App, as: Actor | string | null, opts: InjectOptions) {
  const headers: Record<string, string> = { ...opts.headers };
  if (typeof as === "string") headers.authorization = `Bearer ${as}`;
  else if (as) {
    headers.cookie = as.cookie;
    headers["x-csrf-token"] = as.csrf;
  }
  return app.inject({
    method: opts.method,
    url: opts.url,
    headers,
    ...(opts.payload !== undefined ? { payload: opts.payload as object } : {}),
  });
}

/** Posts a sign-up and expects the uniform 202; the account is not usable until verified. */
export async function requestSignUp(app: App, email = uniqueEmail(), password = PASSWORD, name?: string) {
  const res = await app.inject({
    method: "POST",
    url: "/api/v1/auth/sign-up",
    payload: { email, password, name: name ?? email.split("@")[0] },
  });
  if (res.statusCode !== 202) throw new Error(`sign-up failed: ${res.statusCode} ${res.body}`);
  return res;
}

/**
 * Signs up as a person does: the sign-up, the verification mail through the app's SMTP server,
 * and the link's token posted with the same password to /auth/verify-email, which starts the
 * session.
 */
export async function signUp(app: App, email = uniqueEmail(), password = PASSWORD): Promise<Actor> {
  const inbox = mailOf(app);
  const since = inbox.messages.length;
  await requestSignUp(app, email, password);
  const mail = await inbox.waitFor(email, { since, match: (m) => m.text.includes("/verify-email?token=") });
  return verifyEmail(app, verifyTokenIn(mail), email, password);
}

/** Posts a verification token with the sign-up's password; the answer starts a session like a sign-in. */
export async function verifyEmail(
  app: App,
  token: string,
  email: string,
  password = PASSWORD,
): Promise<Actor> {
  const res = await app.inject({
    method: "POST",
    url: "/api/v1/auth/verify-email",
    payload: { token, password },
  });
  if (res.statusCode !== 200) throw new Error(`verify-email failed: ${res.statusCode} ${res.body}`);
  return actorFrom(res, email);
}

export async function signIn(app: App, email: string, password = PASSWORD): Promise<Actor> {
  const res = await app.inject({ method: "POST", url: "/api/v1/auth/sign-in", payload: { email, password } });
  if (res.statusCode !== 200) throw new Error(`sign-in failed: ${res.statusCode} ${res.body}`);
  return actorFrom(res, email);
}

function actorFrom(res: Awaited<ReturnType<App["inject"]>>, email: string): Actor {
  const cookie = res.cookies.find((c) => c.name === "mw_session");
  if (!cookie) throw new Error("no session cookie");
  const body = res.json();
  return {
    userId: body.user.id,
    email,
    cookie: `mw_session=${cookie.value}`,
    csrf: body.csrfToken,
    orgId: body.activeOrgId ?? undefined,
  };
}

/** A new user who owns a new organization (active in their session). */
export async function createOwner(app: App, orgName = "Org"): Promise<Actor & { orgId: string }> {
  const owner = await signUp(app);
  const res = await request(app, owner, { method: "POST", url: "/api/v1/orgs", payload: { name: orgName } });
  if (res.statusCode !== 201) throw new Error(`create org failed: ${res.statusCode} ${res.body}`);
  return { ...owner, orgId: res.json().id };
}

/** Invites a new user into the owner's organization with a role and signs them in there. */
export async function addMember(
  app: App,
  owner: Actor & { orgId: string },
  role: string,
): Promise<Actor & { orgId: string }> {
  const email = uniqueEmail(role);
  const inv = await request(app, owner, {
    method: "POST",
    url: "/api/v1/org/invitations",
    payload: { email, role },
    headers: { "x-organization-id": owner.orgId },
  });
  if (inv.statusCode !== 201) throw new Error(`invite failed: ${inv.statusCode} ${inv.body}`);
  const member = await signUp(app, email);
  const acc = await request(app, member, {
    method: "POST",
    url: "/api/v1/invitations/accept",
    payload: { token: inv.json().token },
  });
  if (acc.statusCode !== 200) throw new Error(`accept failed: ${acc.statusCode} ${acc.body}`);
  return { ...member, orgId: owner.orgId };
}

export async function createApiKey(
  app: App,
  admin: Actor & { orgId: string },
  scope: "read" | "run" | "admin",
) {
  const res = await request(app, admin, {
    method: "POST",
    url: "/api/v1/org/api-keys",
    payload: { name: `${scope} key`, scope },
    headers: { "x-organization-id": admin.orgId },
  });
  if (res.statusCode !== 201) throw new Error(`create key failed: ${res.statusCode} ${res.body}`);
  return res.json() as { id: string; key: string };
}

/** A request to `/api/v1{url}`, in `orgId` when given (x-organization-id), else the actor's own. */
export function apiRequest(
  app: App,
  as: Actor | string,
  method: "GET" | "POST" | "PATCH" | "DELETE",
  url: string,
  payload?: unknown,
  orgId?: string,
) {
  return request(app, as, {
    method,
    url: `/api/v1${url}`,
    ...(payload !== undefined ? { payload } : {}),
    ...(orgId ? { headers: { "x-organization-id": orgId } } : {}),
  });
}

/**
 * Polls `check` until it holds (every `everyMs`) and returns how long that took; throws after
 * `withinMs`, naming `what` did not happen. For what travels between processes (a cache flush
 * over Redis or NOTIFY), where a fixed sleep would be either flaky or slow.
 */
export async function eventually(
  check: () => Promise<boolean>,
  what: string,
  { withinMs = 5000, everyMs = 10 }: { withinMs?: number; everyMs?: number } = {},
): Promise<number> {
  const started = Date.now();
  while (!(await check())) {
    if (Date.now() - started > withinMs) throw new Error(`${what} after ${withinMs} ms`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
  return Date.now() - started;
}
