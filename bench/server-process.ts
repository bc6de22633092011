/**
 * What the benchmarks that run the server as a child process (as `npm start` does) share: a free
 * port, waiting until it is ready, stopping it, and throwaway PostgreSQL databases.
 */
import type { ChildProcess } from "node:child_process";
import { createServer } from "node:net";
import { type TestMailServer, verifyTokenIn } from "../packages/server/test/mail-server.ts";

export { adminQuery } from "../packages/server/test/admin-query.ts";
export { startMailServer } from "../packages/server/test/mail-server.ts";

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
