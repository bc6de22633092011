/**
 * What the benchmarks that run the server as a child process (as `npm start` does) share: a free
 * port, waiting until it is ready, stopping it, and throwaway PostgreSQL databases.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { adminQuery } from "../packages/server/test/admin-query.ts";
import { type TestMailServer, verifyTokenIn } from "../packages/server/test/mail-server.ts";

export { startMailServer } from "../packages/server/test/mail-server.ts";
export { adminQuery };

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
    s.on("error", reject);
  });
}

/**
 * Polls `GET /ready` every 100 ms, at most `tries` times (start-up includes migrations); throws
 * when it never answers, rather than letting the first request fail with a puzzling ECONNREFUSED.
 */
export async function waitReady(base: string, tries: number): Promise<void> {
  for (let i = 0; i < tries; i++) {
    try {
      if ((await fetch(`${base}/ready`)).ok) return;
    } catch {}
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${base}/ready did not answer 200 after ${tries} tries`);
}

export interface BenchServer {
  base: string;
  port: number;
  child: ChildProcess;
  /** The `application_name` of its PostgreSQL connections (to count their backends' CPU). */
  appName: string;
  /** Its own database (`ownDatabase` with DATABASE_URL set), dropped at `stop`. */
  dbName: string | null;
  stop(): Promise<void>;
}

/**
 * The server of the checkout at `root` as a child process, as `npm start` runs it (API, and the
 * embedded run worker unless `env` says otherwise), with what every bench needs: no demo seed,
 * rate limits out of the way, quiet logs, a data directory and a Redis key prefix of its own,
 * mail to `smtpUrl`; `env` on top. With `ownDatabase` and DATABASE_URL set it gets a database of
 * its own (`<tag>_<port>`): servers of two checkouts, one after the other, must not share one
 * migrated by the newer. `profileDir` writes V8 CPU profiles (the engine host is forked with the
 * server's execArgv, so it writes its own). A server that never gets ready is stopped, not left
 * running after the bench has failed.
 */
export async function startBenchServer(opts: {
  root: string;
  tag: string;
  smtpUrl: string;
  env?: Record<string, string>;
  ownDatabase?: boolean;
  profileDir?: string;
  /** Polls of /ready, 100 ms apart (PGlite's migrations on a loaded machine can take minutes). */
  readyTries?: number;
}): Promise<BenchServer> {
  const port = await freePort();
  const appName = `${opts.tag}${port}`;
  const serverUrl = opts.ownDatabase ? process.env.DATABASE_URL : undefined;
  const dbName = serverUrl ? `${opts.tag}_${port}` : null;
  let databaseUrl = {};
  if (serverUrl && dbName) {
    await adminQuery(serverUrl, `create database ${dbName}`);
    const u = new URL(serverUrl);
    u.pathname = `/${dbName}`;
    u.searchParams.set("application_name", appName);
    databaseUrl = { DATABASE_URL: u.toString() };
  }
  const dataDir = mkdtempSync(path.join(tmpdir(), `${opts.tag}-`));
  const child = spawnBenchServer({
    root: opts.root,
    port,
    dataDir,
    smtpUrl: opts.smtpUrl,
    profileDir: opts.profileDir,
    env: {
      RATE_LIMIT_MAX: "100000000",
      REDIS_KEY_PREFIX: `${opts.tag}${port}:`,
      ...databaseUrl,
      ...opts.env,
    },
  });
  const base = `http://127.0.0.1:${port}`;
  const stop = async () => {
    await stopChild(child);
    rmSync(dataDir, { recursive: true, force: true });
    if (serverUrl && dbName) await adminQuery(serverUrl, `drop database if exists ${dbName} with (force)`);
  };
  await waitReady(base, opts.readyTries ?? 3000).catch(async (err) => {
    await stop();
    throw err;
  });
  return { base, port, child, appName, dbName, stop };
}

/**
 * The server process of the checkout at `root`, as `npm start` runs it, on `port` with `dataDir`:
 * no demo seed, quiet logs, plain-HTTP cookies, account mail to `smtpUrl`; `env` on top. For a
 * bench that manages the rest itself (a data directory kept across restarts, its stdout read);
 * `startBenchServer` does it all.
 */
export function spawnBenchServer(opts: {
  root: string;
  port: number;
  dataDir: string;
  smtpUrl: string;
  env?: Record<string, string>;
  profileDir?: string | undefined;
  /** What becomes of the server's stdout (its log lines): dropped by default. */
  stdout?: "ignore" | "inherit" | "pipe";
}): ChildProcess {
  const profile = opts.profileDir ? ["--cpu-prof", "--cpu-prof-dir", opts.profileDir] : [];
  return spawn(process.execPath, [...profile, "--import", "tsx", "packages/server/src/main.ts"], {
    cwd: opts.root,
    env: {
      ...process.env,
      PORT: String(opts.port),
      HOST: "127.0.0.1",
      DATA_DIR: opts.dataDir,
      SESSION_SECRET: "bench-session-secret-0123456789abcdef",
      LOG_LEVEL: "warn",
      SEED_DEMO: "false",
      COOKIE_SECURE: "false",
      SMTP_URL: opts.smtpUrl,
      ...opts.env,
    },
    stdio: ["ignore", opts.stdout ?? "ignore", "inherit"],
  });
}

/** SIGTERM (the server's graceful shutdown) and wait for the process to exit. */
export async function stopChild(child: ChildProcess): Promise<void> {
  child.kill("SIGTERM");
  await new Promise((r) => child.once("exit", r));
}

/**
 * Signs up as a person does: sign-up (202), the verification mail caught by `mail` (a local SMTP
 * server whose URL the bench gave the server as SMTP_URL), then the link's token posted with
 * the password to /auth/verify-email, which starts the session.
 */
export async function signUpVerified(
  base: string,
  mail: TestMailServer,
  body: { email: string; password: string; name: string },
): Promise<{ cookie: string; csrfToken: string }> {
  const since = mail.messages.length;
  const res = await fetch(`${base}/api/v1/auth/sign-up`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  if (res.status !== 202) throw new Error(`sign-up: ${res.status} ${await res.text()}`);
  const token = verifyTokenIn(await mail.waitFor(body.email, { since }));
  const verified = await fetch(`${base}/api/v1/auth/verify-email`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ token, password: body.password }),
  });
  if (verified.status !== 200) throw new Error(`verify-email: ${verified.status} ${await verified.text()}`);
  const cookie = verified.headers.get("set-cookie")!.split(";")[0]!;
  const { csrfToken } = (await verified.json()) as { csrfToken: string };
  return { cookie, csrfToken };
}

/**
 * A verified person (`signUpVerified`) who then creates an organization and makes it the
 * session's: what most benches need before their first request. `headers` carry the session
 * (cookie, CSRF token) and a JSON content type.
 */
export async function signUpInNewOrg(
  base: string,
  mail: TestMailServer,
  tag: string,
): Promise<{ cookie: string; headers: Record<string, string>; orgId: string }> {
  const email = `bench-${tag}-${Date.now()}-${Math.random().toString(36).slice(2)}@example.com`;
  const { cookie, csrfToken } = await signUpVerified(base, mail, {
    email,
    password: "bench passphrase 2026",
    name: "Bench",
  });
  const headers = { "content-type": "application/json", cookie, "x-csrf-token": csrfToken };
  const org = await fetch(`${base}/api/v1/orgs`, {
    method: "POST",
    headers,
    body: JSON.stringify({ name: `Bench ${tag}` }),
  });
  if (!org.ok) throw new Error(`create organization: ${org.status} ${await org.text()}`);
  const { id: orgId } = (await org.json()) as { id: string };
  const current = await fetch(`${base}/api/v1/session/organization`, {
    method: "PUT",
    headers,
    body: JSON.stringify({ orgId }),
  });
  if (!current.ok) throw new Error(`choose organization: ${current.status} ${await current.text()}`);
  return { cookie, headers, orgId };
}
