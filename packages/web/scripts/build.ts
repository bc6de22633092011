import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { precompress } from "./compress.ts";

/**
 * Builds the web app when its dist/ is missing or older than its sources, so `npm ci && npm start`
 * on a fresh clone serves the app, and a pulled change is picked up, without a separate step.
 * Run as a script (`npm start` does) or imported by the browser tests.
 */
export const WEB_DIR = fileURLToPath(new URL("..", import.meta.url));
export const DIST_INDEX = join(WEB_DIR, "dist", "index.html");
// The workspace packages the app bundles count too: a change to the contracts (say, the error
// catalogue) must rebuild the app, not serve yesterday's copy of them.
const SOURCES = [
  "src",
  "index.html",
  "vite.config.ts",
  "package.json",
  "../contracts/src",
  "../model-kit/src",
];

function newestMtime(path: string): number {
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  let newest = st.mtimeMs;
  for (const entry of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, entry)));
  return newest;
}

export function isStale(): boolean {
  if (!existsSync(DIST_INDEX)) return true;
  const built = statSync(DIST_INDEX).mtimeMs;
  return SOURCES.some((s) => existsSync(join(WEB_DIR, s)) && newestMtime(join(WEB_DIR, s)) > built);
}

const LOCK = join(WEB_DIR, ".build-lock");
const LOCK_STALE_MS = 5 * 60_000;

/**
 * Test files run in parallel processes and each may find dist/ stale: a lock directory (mkdir is
 * atomic) lets one build while the others wait, then find it fresh.
 */
async function withLock<T>(fn: () => Promise<T>): Promise<T> {
  for (;;) {
    try {
      mkdirSync(LOCK);
      break;
    } catch {
      // A lock left by a killed build is taken over after a while.
      if (existsSync(LOCK) && Date.now() - statSync(LOCK).mtimeMs > LOCK_STALE_MS)
        rmSync(LOCK, { recursive: true, force: true });
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  try {
    return await fn();
  } finally {
    rmSync(LOCK, { recursive: true, force: true });
  }
}

export async function buildWeb(opts: { force?: boolean; quiet?: boolean } = {}): Promise<boolean> {
  if (!opts.force && !isStale()) return false;
  return withLock(async () => {
    if (!opts.force && !isStale()) return false; // another process built it meanwhile
    const { build } = await import("vite");
    const started = Date.now();
    // Always the production build: vitest sets NODE_ENV=test, which would bundle React's
    // development build (+50 KB gzipped, slower) into what the browser tests measure and load.
    const nodeEnv = process.env.NODE_ENV;
    process.env.NODE_ENV = "production";
    try {
      await build({
        root: WEB_DIR,
        mode: "production",
        configFile: join(WEB_DIR, "vite.config.ts"),
        logLevel: opts.quiet ? "error" : "warn",
      });
    } finally {
      if (nodeEnv === undefined) delete process.env.NODE_ENV;
      else process.env.NODE_ENV = nodeEnv;
    }
    // Before index.html's mtime matters again: dist/ counts as built from here on.
    precompress(join(WEB_DIR, "dist"));
    if (!opts.quiet)
      console.log(
        `web app built in ${((Date.now() - started) / 1000).toFixed(1)} s → ${join(WEB_DIR, "dist")}`,
      );
    return true;
  });
}
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  await buildWeb({ force: process.argv.includes("--force") });
}
