import { existsSync, mkdirSync } from "node:fs";
import { type AddressInfo, createServer as createNetServer } from "node:net";
import { fileURLToPath } from "node:url";
import { type Browser, type BrowserContext, chromium, type Locator, type Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, expect } from "vitest";
import type { App } from "../../server/src/app.ts";
import { loadConfig } from "../../server/src/config.ts";
import { startServer } from "../../server/src/server.ts";
import { startMailServer, type TestMailServer } from "../../server/test/mail-server.ts";
import { buildWeb } from "../scripts/build.ts";

/**
 * Shared set-up of the browser tests: the real server on loopback with an embedded database and
 * Debian's Chromium driven by playwright-core (launch flags: DEVELOPERS.md). Each test file calls
 * `setupBrowserApp()` once at top level; it gets its own server and browser.
 */
const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const ARTIFACTS = fileURLToPath(new URL("../../../test-artifacts/web/", import.meta.url));
export const PASSWORD = "correct horse battery staple";

let app: App;
export let base: string;
/** The SMTP server the app sends its account mail to (verification links). */
export let mail: TestMailServer;
let browser: Browser;
const contexts: BrowserContext[] = [];

/** A port free right now on loopback (for settings that must name the server's own address). */
async function freePort(): Promise<number> {
  const probe = createNetServer();
  await new Promise<void>((r) => probe.listen(0, "127.0.0.1", r));
  const { port } = probe.address() as AddressInfo;
  await new Promise((r) => probe.close(r));
  return port;
}

/**
 * `internalModels`: also host the platform's internal test models (INTERNAL_MODELS=true).
 * `env`: more settings, given the address the server will have (e.g. LinkedIn's redirect URL,
 * which must name the server's callback before it starts); the server then takes a fixed free port.
 */
export function setupBrowserApp(
  opts: { internalModels?: boolean; env?: (base: string) => Record<string, string> } = {},
): void {
  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) {
      throw new Error(`Chromium not found at ${CHROMIUM}: apt-get install -y chromium (see DEVELOPERS.md)`);
    }
    await buildWeb({ quiet: true });
    mkdirSync(ARTIFACTS, { recursive: true });
    mail = await startMailServer();
    const port = opts.env ? await freePort() : 0;
    app = await startServer(
      loadConfig({
        NODE_ENV: "test",
        PORT: String(port),
        HOST: "127.0.0.1",
        DATABASE_URL: "memory://",
        SESSION_SECRET: "browser-test-session-secret-0123456789",
        SEED_DEMO: "false",
        LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? "silent",
        AUTH_RATE_LIMIT_MAX: "10000",
        RATE_LIMIT_MAX: "100000",
        RUN_HEAVY_RATE_LIMIT_PER_HOUR: "10000",
        RUN_WORKER_THREADS: "1",
        SMTP_URL: mail.url,
        INTERNAL_MODELS: opts.internalModels ? "true" : "false",
        // Off: the scheduled ingestion would fetch followed sources with the production network
        // rules (no loopback); a test that follows sources ingests itself (`serverApp()`).
        CONTENT_INGEST_SECONDS: "0",
        ...opts.env?.(`http://localhost:${port}`),
      }),
    );
    const address = app.server.address();
    if (!address || typeof address === "string") throw new Error("no port");
    // localhost, not 127.0.0.1: browsers accept the Secure session cookie on http://localhost.
    base = `http://localhost:${address.port}`;
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
    });
    console.log(`browser test screenshots: ${ARTIFACTS}`);
  }, 240_000);

  // A failing flow leaves a picture of every open page behind.
  afterEach(async (ctx) => {
    if (ctx.task.result?.state !== "fail") return;
    let i = 0;
    for (const c of contexts)
      for (const p of c.pages())
        await shot(p, `failure-${ctx.task.name.slice(0, 30).replace(/\W+/g, "-")}-${i++}`).catch(() => {});
  });

  afterAll(async () => {
    for (const c of contexts) await c.close().catch(() => {});
    await browser?.close();
    await app?.close();
    await mail?.close();
  });
}

/** The running server, for a test that drives a background job itself (content ingestion). */
export function serverApp(): App {
  return app;
}

export async function newPage(): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1366, height: 800 } });
  contexts.push(context);
  const page = await context.newPage();
  page.setDefaultTimeout(20_000);
  return page;
}

/** A full-page screenshot, or of one element (a chart, say) when given a locator. */
export async function shot(page: Page | Locator, name: string) {
  if ("goto" in page) await page.screenshot({ path: `${ARTIFACTS}${name}.png`, fullPage: true });
  else await page.screenshot({ path: `${ARTIFACTS}${name}.png` });
}

/**
 * Signs up as a person does: the form, "Check your email", then the link from the mail that
 * reached the test's SMTP server, opened in the same browser, where the sign-up's password
 * confirms the address, signs in and goes on to `next` (or to creating an organization).
 */
export async function signUp(page: Page, email: string, name: string, next = "") {
  const since = mail.messages.length;
  await page.goto(`${base}/sign-up${next ? `?next=${encodeURIComponent(next)}` : ""}`);
  await page.getByLabel("Name").fill(name);
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Create account" }).click();
  await page.getByRole("heading", { name: "Check your email", exact: true }).waitFor();
  const message = await mail.waitFor(email, { since });
  await page.goto(`${base}${verifyPathIn(message.text)}`);
  await page.getByText(`signed up as ${email}`).waitFor();
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Confirm and sign in" }).click();
  await page.waitForURL((u) => u.pathname !== "/verify-email");
}

/** The path of a mail's verification link (the server's PUBLIC_URL is not this test's port). */
export function verifyPathIn(text: string): string {
  const m = /https?:\/\/[^/\s]+(\/verify-email\?token=\S+)/.exec(text);
  if (!m) throw new Error(`no verification link in: ${text}`);
  return m[1]!;
}

export async function createOrg(page: Page, name: string) {
  await page.getByLabel("Organization name").fill(name);
  await page.getByRole("button", { name: "Create organization" }).click();
  await page.getByRole("heading", { name: "Projects", exact: true }).waitFor();
}

export async function createProject(page: Page, name: string) {
  await page.goto(`${base}/projects`);
  await page.getByLabel("Project name").fill(name);
  await page.getByRole("button", { name: "Create project" }).click();
  await page.getByRole("heading", { name, exact: true }).waitFor();
}

/** On a project page: a scenario of `model` from one of its examples. */
export async function createScenario(page: Page, model: string, example: RegExp, name: string) {
  await page.getByRole("textbox", { name: "Model" }).click();
  await page.getByRole("option", { name: model }).click();
  await page.getByRole("textbox", { name: "Start from example" }).click();
  await page.getByRole("option", { name: example }).click();
  await page.getByLabel("Scenario name").fill(name);
  await page.getByRole("button", { name: "Create scenario" }).click();
  await page.getByRole("heading", { name, exact: true }).waitFor();
}

export async function runAndWait(page: Page): Promise<string> {
  await page.getByRole("button", { name: /^(Save and run|Run)$/ }).click();
  await page.waitForURL(/\/runs\/[0-9a-f-]{36}$/);
  await page.getByRole("tab", { name: "Results" }).waitFor({ timeout: 60_000 });
  return page.url().split("/").pop()!;
}

export async function apiGet<T>(page: Page, path: string): Promise<T> {
  const res = await page.request.get(`${base}/api/v1${path}`);
  expect(res.status(), path).toBe(200);
  return (await res.json()) as T;
}

/** playwright-core has no web-first assertions: poll the page until the expectation holds. */
export const eventually = <T>(read: () => Promise<T>) => expect.poll(read, { timeout: 20_000 });
export const text = (l: Locator) => eventually(async () => (await l.textContent()) ?? "");

export const pct = (v: number) =>
  `${(v * 100).toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 })}%`;
