/**
 * The browser benches' set-up (bench/web.ts, bench/dashboard-render.ts): the web app built, the
 * real server on loopback with an embedded database and a local SMTP server for the account mail,
 * Debian's Chromium driven by playwright-core (launch flags: DEVELOPERS.md), and a signed-up,
 * verified person with an organization.
 */
import { type Browser, chromium, type Page } from "playwright-core";
import type { App } from "../../packages/server/src/app.ts";
import { loadConfig } from "../../packages/server/src/config.ts";
import { startServer } from "../../packages/server/src/server.ts";
import {
  startMailServer,
  type TestMailServer,
  verifyTokenIn,
} from "../../packages/server/test/mail-server.ts";
import { buildWeb } from "../../packages/web/scripts/build.ts";

export interface BrowserBench {
  /** The app's address: localhost, where browsers accept the Secure session cookie over http. */
  base: string;
  browser: Browser;
  mail: TestMailServer;
  app: App;
  close(): Promise<void>;
}

/** `env`: the bench's own settings over the defaults (a session secret at least). */
export async function startBrowserBench(env: Record<string, string>): Promise<BrowserBench> {
  await buildWeb();
  const mail = await startMailServer();
  const app = await startServer(
    loadConfig({
      NODE_ENV: "test",
      PORT: "0",
      DATABASE_URL: "memory://",
      SEED_DEMO: "false",
      LOG_LEVEL: "warn",
      RATE_LIMIT_MAX: "100000",
      RUN_HEAVY_RATE_LIMIT_PER_HOUR: "10000",
      SMTP_URL: mail.url,
      ...env,
    }),
  );
  const address = app.server.address();
  if (!address || typeof address === "string") throw new Error("no port");
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
  });
  return {
    base: `http://localhost:${address.port}`,
    browser,
    mail,
    app,
    async close() {
      await browser.close();
      await app.close();
      await mail.close();
    },
  };
}

export type ApiPost = <T>(path: string, data: unknown, csrf?: string) => Promise<T>;

/** POSTs to the API with the page's cookies; a refusal throws with the server's answer. */
export function apiPost(page: Page, base: string, opts: { timeoutMs?: number } = {}): ApiPost {
  return async <T>(path: string, data: unknown, csrf?: string): Promise<T> => {
    const res = await page.request.post(`${base}/api/v1${path}`, {
      data,
      headers: csrf ? { "x-csrf-token": csrf } : {},
      ...(opts.timeoutMs ? { timeout: opts.timeoutMs } : {}),
    });
    if (!res.ok()) throw new Error(`${path}: ${res.status()} ${await res.text()}`);
    return (await res.json()) as T;
  };
}

/**
 * Signs `email` up through the API, opens the verification link from the mail (its answer starts
 * the session: the cookie lands in the page's context) and creates the organization "Bench".
 * Returns the session's CSRF token.
 */
export async function signUpWithOrg(post: ApiPost, mail: TestMailServer, email: string): Promise<string> {
  const password = "a long timing passphrase";
  await post("/auth/sign-up", { email, password, name: "Bench" });
  const token = verifyTokenIn(await mail.waitFor(email));
  const { csrfToken } = await post<{ csrfToken: string }>("/auth/verify-email", { token, password });
  await post("/orgs", { name: "Bench" }, csrfToken);
  return csrfToken;
}
