import { statSync } from "node:fs";
import http from "node:http";
import { connect } from "node:net";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import {
  jsonLines,
  killAll,
  makeTempDir,
  postJson,
  SERVER_ARGS,
  sessionBody,
  sessionCookie,
  signUpVerified,
  startChild,
  startReadyServer,
} from "./spawn.ts";

/**
 * The server as an operator meets it: `npm start` in a child process, on the embedded PGlite
 * database, so no external services are needed. Nothing is inherited from this process's
 * environment (DATABASE_URL in particular): each child gets exactly the env written here.
 */

const PASSWORD = "correct horse battery staple";
const tempDirs: { remove(): void }[] = [];

afterAll(async () => {
  await killAll();
  for (const t of tempDirs) t.remove();
});

describe("start-up configuration errors", () => {
  it("exits with code 2 naming PORT when PORT is not a number", async () => {
    const child = startChild(process.execPath, SERVER_ARGS, {
      env: { PORT: "abc", DATABASE_URL: "memory://" },
    });
    const exit = await child.exited;
    expect(exit.code).toBe(2);
    expect(child.stderr()).toContain("Invalid configuration");
    expect(child.stderr()).toMatch(/^\s+PORT: .*"abc"/m);
  });

  it("exits with code 2 naming SESSION_SECRET when a PostgreSQL server is configured without one", async () => {
    const child = startChild(process.execPath, SERVER_ARGS, {
      env: { DATABASE_URL: "postgres://modelworks:hunter2@127.0.0.1:1/modelworks" },
    });
    const exit = await child.exited;
    expect(exit.code).toBe(2);
    expect(child.stderr()).toMatch(/^\s+SESSION_SECRET: required/m);
    // The URL (and its password) is not echoed back.
    expect(child.stderr()).not.toContain("hunter2");
  });
});

describe("graceful shutdown", () => {
  it("refuses new connections on SIGTERM but completes the in-flight request, then exits 0", async () => {
    const server = await startReadyServer({
      DATABASE_URL: "memory://",
      SEED_DEMO: "false",
      LOG_LEVEL: "info",
    });

    // A keep-alive client (as nginx's upstream pool is) with a request whose body is half sent.
    const agent = new http.Agent({ keepAlive: true });
    const body = JSON.stringify({ email: "nobody@example.com", password: "not the password at all" });
    const half = Math.floor(body.length / 2);
    const req = http.request({
      host: "127.0.0.1",
      port: server.port,
      method: "POST",
      path: "/api/v1/auth/sign-in",
      agent,
      headers: {
        "content-type": "application/json",
        "content-length": String(Buffer.byteLength(body)),
        "x-request-id": "in-flight-1",
      },
    });
    const response = new Promise<{ status: number; headers: http.IncomingHttpHeaders; text: string }>(
      (resolve, reject) => {
        req.on("error", reject);
        req.on("response", (res) => {
          let text = "";
          res.setEncoding("utf8");
          res.on("data", (d) => {
            text += d;
          });
          res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text }));
          res.on("error", reject);
        });
      },
    );
    response.catch(() => {}); // awaited below; a failure before then must not go unhandled
    req.flushHeaders();
    req.write(body.slice(0, half));
    // The server has the request (its headers) in hand before the signal is sent.
    await server.waitForLine(/"requestId":"in-flight-1".*"incoming request"/);

    server.child.kill("SIGTERM");
    await server.waitForLine(/shutting down/);
    const refusedAt = Date.now();
    // Refused once the listener is closed; reset if the kernel had queued it just before.
    expect(["ECONNREFUSED", "ECONNRESET"]).toContain(await newConnectionError(server.port, 5_000));
    expect(Date.now() - refusedAt).toBeLessThan(5_000);
    expect(server.hasExited()).toBe(false); // still serving the request in flight

    req.end(body.slice(half));
    const res = await response;
    expect(res.status).toBe(401);
    expect(res.headers["content-type"]).toMatch(/^application\/problem\+json/);
    expect(JSON.parse(res.text)).toMatchObject({ status: 401, detail: "Email or password is incorrect." });
    // The response tells the keep-alive client to let go, so close() need not wait for it.
    expect(res.headers.connection).toBe("close");

    const exit = await server.exited;
    agent.destroy();
    expect(exit).toEqual({ code: 0, signal: null });
    const messages = jsonLines(server.stdout()).map((l) => l.msg);
    expect(messages).toContain("shutdown complete");
    expect(messages).not.toContain("shutdown timed out; exiting");
  }, 90_000);
});

describe("structured logs", () => {
  it("writes JSON lines that carry the request id the response reports", async () => {
    const server = await startReadyServer({
      DATABASE_URL: "memory://",
      SEED_DEMO: "false",
      LOG_LEVEL: "info",
    });
    try {
      const own = await fetch(`${server.url}/health`, { headers: { "x-request-id": "test-req-123" } });
      expect(own.status).toBe(200);
      expect(own.headers.get("x-request-id")).toBe("test-req-123");

      // Without one (or with an unusable one) the server makes its own and reports it.
      const generated = await fetch(`${server.url}/api/v1/session`, {
        headers: { "x-request-id": "not a valid id!" },
      });
      expect(generated.status).toBe(401);
      const generatedId = generated.headers.get("x-request-id")!;
      expect(generatedId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);

      await server.waitForLine(/"requestId":"test-req-123".*"request completed"/);
      await server.waitForLine(new RegExp(`"requestId":"${generatedId}".*"request completed"`));

      for (const [id, status, url] of [
        ["test-req-123", 200, "/health"],
        [generatedId, 401, "/api/v1/session"],
      ] as const) {
        const raw = server
          .stdout()
          .split("\n")
          .filter((l) => l.includes(id));
        expect(raw.length).toBeGreaterThanOrEqual(2);
        const lines = raw.map((l) => JSON.parse(l) as Record<string, unknown>);
        for (const line of lines) {
          expect(line.requestId).toBe(id);
          expect(typeof line.level).toBe("number");
          expect(typeof line.time).toBe("number");
        }
        expect(lines).toContainEqual(
          expect.objectContaining({ msg: "incoming request", req: expect.objectContaining({ url }) }),
        );
        expect(lines).toContainEqual(
          expect.objectContaining({ msg: "request completed", res: { statusCode: status } }),
        );
      }

      // Every log line about a request names its request.
      const requestLines = jsonLines(server.stdout()).filter((l) => "req" in l || "res" in l);
      expect(requestLines.length).toBeGreaterThanOrEqual(4);
      for (const line of requestLines) expect(line.requestId).toEqual(expect.any(String));
    } finally {
      await server.stop();
    }
  }, 90_000);
});

describe("embedded default", () => {
  it("prints the URL and a working demo login, and keeps users and sessions across restarts", async () => {
    const data = makeTempDir("mw-lifecycle-");
    tempDirs.push(data);
    const env = { DATA_DIR: data.dir, LOG_LEVEL: "warn" }; // no DATABASE_URL, SEED_DEMO left default

    const first = await startReadyServer(env);
    const banner = await first.waitForLine(/Demo login:/);
    expect(first.stdout()).toContain(`Modelworks is running at http://localhost:${first.port}`);
    expect(first.stdout()).toContain(`Database:     embedded PGlite in ${data.dir}`);
    const [, demoEmail, demoPassword] = /Demo login:\s+(\S+@\S+) \/ (\S+)/.exec(banner) ?? [];
    expect(demoEmail).toBeDefined();

    const demo = await postJson(`${first.url}/api/v1/auth/sign-in`, {
      email: demoEmail,
      password: demoPassword,
    });
    expect(demo.status).toBe(200);
    const demoBody = await sessionBody(demo);
    expect(demoBody.user.email).toBe(demoEmail);
    expect(demoBody.organizations).toEqual([expect.objectContaining({ role: "owner" })]);

    const email = `persist-${Date.now().toString(36)}@example.com`;
    // No SMTP_URL: the verification mail is printed on the server's stdout, link and all.
    const signUp = await signUpVerified(first.url, first, { email, password: PASSWORD, name: "P" });
    expect(first.stdout()).toContain(`To:      ${email}`);
    const cookie = sessionCookie(signUp);
    const { csrfToken } = await sessionBody(signUp);

    expect(await first.stop()).toEqual({ code: 0, signal: null });
    // The generated session secret is kept beside the data, readable by the owner only.
    expect(statSync(path.join(data.dir, "session-secret")).mode & 0o777).toBe(0o600);

    const second = await startReadyServer(env);
    try {
      const signIn = await postJson(`${second.url}/api/v1/auth/sign-in`, { email, password: PASSWORD });
      expect(signIn.status).toBe(200);
      expect((await sessionBody(signIn)).user.email).toBe(email);

      // The session made before the restart is still valid, with the same CSRF token.
      const session = await fetch(`${second.url}/api/v1/session`, { headers: { cookie } });
      expect(session.status).toBe(200);
      expect((await sessionBody(session)).csrfToken).toBe(csrfToken);
      const org = await postJson(
        `${second.url}/api/v1/orgs`,
        { name: "After restart" },
        { cookie, "x-csrf-token": csrfToken },
      );
      expect(org.status).toBe(201);

      // Seeding is idempotent: the demo user is still there, once.
      const demoAgain = await postJson(`${second.url}/api/v1/auth/sign-in`, {
        email: demoEmail,
        password: demoPassword,
      });
      expect(demoAgain.status).toBe(200);
      expect((await sessionBody(demoAgain)).user.id).toBe(demoBody.user.id);
    } finally {
      expect(await second.stop()).toEqual({ code: 0, signal: null });
    }
  }, 150_000);
});

/** Opens a fresh TCP connection until it fails, returning the error code. */
async function newConnectionError(port: number, withinMs: number): Promise<string> {
  const deadline = Date.now() + withinMs;
  for (;;) {
    const code = await new Promise<string | null>((resolve) => {
      const socket = connect({ host: "127.0.0.1", port });
      socket.once("connect", () => {
        socket.destroy();
        resolve(null);
      });
      socket.once("error", (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
    });
    if (code) return code;
    if (Date.now() > deadline) return "still accepting connections";
    await new Promise((r) => setTimeout(r, 50));
  }
}
