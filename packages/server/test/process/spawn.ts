import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

/**
 * Helpers for tests that run the real server as a child process, exactly as `npm start` does:
 * `node --import tsx packages/server/src/main.ts` from the repository root.
 */

export const REPO_ROOT = fileURLToPath(new URL("../../../../", import.meta.url));
export const SERVER_ARGS = ["--import", "tsx", "packages/server/src/main.ts"];

/** Every child these helpers started and that has not exited yet; killAll() ends them. */
const running = new Set<ChildProcess>();

process.once("exit", () => {
  for (const child of running) killHard(child);
});

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface Child {
  child: ChildProcess;
  pid: number;
  /** Everything written so far. */
  stdout(): string;
  stderr(): string;
  /** Resolves when the process has exited (never rejects). */
  exited: Promise<Exit>;
  hasExited(): boolean;
  /** Resolves with the first output line (stdout or stderr) matching, or rejects after `timeoutMs`. */
  waitForLine(re: RegExp, timeoutMs?: number): Promise<string>;
  /** Sends `signal` and waits for exit; SIGKILL (to the group, if detached) after `graceMs`. */
  stop(signal?: NodeJS.Signals, graceMs?: number): Promise<Exit>;
}

export interface StartOptions {
  /** The full environment of the child: nothing is inherited but PATH, HOME and the temp dir. */
  env: Record<string, string>;
  cwd?: string;
  /** Own process group, so stop() can kill workers a master process left behind. */
  detached?: boolean;
}

/** Starts any command as a tracked child with captured output. */
export function startChild(command: string, args: string[], opts: StartOptions): Child {
  const child = spawn(command, args, {
    cwd: opts.cwd ?? REPO_ROOT,
    env: { ...baseEnv(), ...opts.env },
    stdio: ["ignore", "pipe", "pipe"],
    detached: opts.detached ?? false,
  });
  let spawnError = "";
  child.on("error", (e) => {
    spawnError = `\nspawn error: ${e.message}`;
  });
  if (child.pid === undefined) throw new Error(`could not start ${command}`);
  running.add(child);
  if (opts.detached) detachedChildren.add(child);
  let out = "";
  let err = "";
  let exit: Exit | null = null;
  const watchers = new Set<() => void>();
  const notify = () => {
    for (const w of watchers) w();
  };
  child.stdout!.setEncoding("utf8").on("data", (d: string) => {
    out += d;
    notify();
  });
  child.stderr!.setEncoding("utf8").on("data", (d: string) => {
    err += d;
    notify();
  });
  const exited = new Promise<Exit>((resolve) => {
    // "close", not "exit": the output streams are complete by then.
    child.once("close", (code, signal) => {
      err += spawnError;
      exit = { code, signal };
      running.delete(child);
      notify();
      resolve(exit);
    });
  });
  const pid = child.pid;
  const self: Child = {
    child,
    pid,
    stdout: () => out,
    stderr: () => err,
    exited,
    hasExited: () => exit !== null,
    waitForLine(re, timeoutMs = 30_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const line = `${out}\n${err}`.split("\n").find((l) => re.test(l));
          if (line !== undefined) done(() => resolve(line));
          else if (exit) {
            const reason = `process exited (${describeExit(exit)}) before printing ${re}`;
            done(() => reject(new Error(reason)));
          }
        };
        const timer = setTimeout(
          () => done(() => reject(new Error(`no line matching ${re} within ${timeoutMs} ms`))),
          timeoutMs,
        );
        const done = (fn: () => void) => {
          clearTimeout(timer);
          watchers.delete(check);
          fn();
        };
        watchers.add(check);
        check();
      });
    },
    async stop(signal = "SIGTERM", graceMs = 15_000) {
      if (exit) return exit;
      signalChild(child, signal);
      const timer = setTimeout(() => killHard(child), graceMs);
      const result = await exited;
      clearTimeout(timer);
      if (opts.detached) killHard(child); // any stragglers in the group
      return result;
    },
  };
  return self;
}

export interface ServerProcess extends Child {
  port: number;
  url: string;
}

/** Starts the Modelworks server on a free loopback port with exactly `env` (plus PORT and HOST). */
export async function startServer(env: Record<string, string>): Promise<ServerProcess> {
  const port = env.PORT ? Number(env.PORT) : await freePort();
  const child = startChild(process.execPath, SERVER_ARGS, {
    env: { HOST: "127.0.0.1", ...env, PORT: String(port) },
  });
  return Object.assign(child, { port, url: `http://127.0.0.1:${port}` });
}

/** Polls `url` until it answers 200; fails early when `proc` exits. */
export async function waitForReady(url: string, proc?: Child, timeoutMs = 90_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = "no answer yet";
  while (Date.now() < deadline) {
    if (proc?.hasExited()) {
      const exit = await proc.exited;
      throw new Error(
        `process exited (${describeExit(exit)}) before ${url} was ready\n--- stdout\n${proc.stdout()}\n--- stderr\n${proc.stderr()}`,
      );
    }
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(2_000) });
      await res.arrayBuffer();
      if (res.status === 200) return;
      last = `status ${res.status}`;
    } catch (err) {
      last = String((err as Error).cause ?? err);
    }
    await sleep(150);
  }
  throw new Error(
    `${url} not ready within ${timeoutMs} ms (${last})${proc ? `\n--- stdout\n${proc.stdout()}\n--- stderr\n${proc.stderr()}` : ""}`,
  );
}

/** A server started and ready (GET /ready answers 200). */
export async function startReadyServer(env: Record<string, string>): Promise<ServerProcess> {
  const server = await startServer(env);
  try {
    await waitForReady(`${server.url}/ready`, server);
  } catch (err) {
    await server.stop("SIGKILL");
    throw err;
  }
  return server;
}

/** A TCP port on 127.0.0.1 that was free a moment ago. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const addr = srv.address();
      const port = typeof addr === "object" && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/** Ends every child these helpers started that is still running: SIGTERM, then SIGKILL. */
export async function killAll(graceMs = 5_000): Promise<void> {
  const children = [...running];
  await Promise.all(
    children.map(
      (child) =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) return resolve();
          const timer = setTimeout(() => killHard(child), graceMs);
          child.once("close", () => {
            clearTimeout(timer);
            resolve();
          });
          signalChild(child, "SIGTERM");
        }),
    ),
  );
}

export function makeTempDir(prefix: string): { dir: string; remove(): void } {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  return {
    dir,
    remove: () => {
      if (existsSync(dir)) rmSync(dir, { recursive: true, force: true });
    },
  };
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Parses JSON lines, skipping everything that is not a JSON object (the start-up banner). */
export function jsonLines(text: string): Record<string, unknown>[] {
  const lines: Record<string, unknown>[] = [];
  for (const line of text.split("\n")) {
    if (!line.startsWith("{")) continue;
    try {
      lines.push(JSON.parse(line));
    } catch {
      // a partial line at the end of the buffer
    }
  }
  return lines;
}

function baseEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const name of ["PATH", "HOME", "TMPDIR", "LANG", "SystemRoot"]) {
    const value = process.env[name];
    if (value) env[name] = value;
  }
  return env;
}

const detachedChildren = new WeakSet<ChildProcess>();
function isDetached(child: ChildProcess) {
  return detachedChildren.has(child);
}

function signalChild(child: ChildProcess, signal: NodeJS.Signals) {
  try {
    if (isDetached(child) && child.pid) process.kill(-child.pid, signal);
    else child.kill(signal);
  } catch {
    // already gone
  }
}

function killHard(child: ChildProcess) {
  try {
    if (isDetached(child) && child.pid) process.kill(-child.pid, "SIGKILL");
    else if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  } catch {
    // already gone
  }
}

function describeExit(exit: Exit) {
  return exit.signal ? `signal ${exit.signal}` : `code ${exit.code}`;
}

/** `mw_session=<token>` from a response's Set-Cookie headers. */
export function sessionCookie(res: Response): string {
  const cookie = res.headers
    .getSetCookie()
    .map((c) => c.split(";")[0]!)
    .find((c) => c.startsWith("mw_session="));
  if (!cookie) throw new Error(`no mw_session cookie in the response (status ${res.status})`);
  return cookie;
}

/** What sign-up, sign-in and GET /api/v1/session answer (the parts these tests read). */
export interface SessionBody {
  user: { id: string; email: string };
  organizations: { orgId: string; name: string; role: string }[];
  activeOrgId: string | null;
  csrfToken: string;
}

/** A session response's JSON body. */
export async function sessionBody(res: Response): Promise<SessionBody> {
  return (await res.json()) as SessionBody;
}

/** POSTs JSON with fetch; `headers` may carry a cookie and CSRF token. */
export function postJson(url: string, body: unknown, headers: Record<string, string> = {}) {
  return fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify(body),
  });
}

/**
 * Signs up as a person does against a server started without SMTP_URL: the sign-up (202), the
 * verification mail the server prints to its stdout, and the link's token posted with the
 * password to /auth/verify-email, whose answer (the session) is returned. `servers`: whichever processes may
 * have handled the sign-up (behind a proxy, any of them).
 */
export async function signUpVerified(
  base: string,
  servers: Child | Child[],
  body: { email: string; password: string; name: string },
  headers: Record<string, string> = {},
  timeoutMs = 15_000,
): Promise<Response> {
  const signUp = await postJson(`${base}/api/v1/auth/sign-up`, body, headers);
  if (signUp.status !== 202) throw new Error(`sign-up answered ${signUp.status}: ${await signUp.text()}`);
  const token = await printedVerifyToken([servers].flat(), body.email, timeoutMs);
  const res = await postJson(`${base}/api/v1/auth/verify-email`, { token, password: body.password }, headers);
  if (res.status !== 200) throw new Error(`verify-email answered ${res.status}: ${await res.text()}`);
  return res;
}

/** The token of the newest verification link a server printed for `email`. */
export async function printedVerifyToken(
  servers: Child[],
  email: string,
  timeoutMs = 15_000,
): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    for (const s of servers) {
      const blocks = s.stdout().split(`To:      ${email}\n`);
      const last = blocks.length > 1 ? blocks[blocks.length - 1]! : "";
      const m = /\/verify-email\?token=([A-Za-z0-9_%-]+)/.exec(last);
      if (m) return decodeURIComponent(m[1]!);
    }
    await sleep(50);
  }
  throw new Error(`no verification link for ${email} printed within ${timeoutMs} ms`);
}
