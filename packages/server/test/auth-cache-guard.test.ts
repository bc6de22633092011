import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { expect, it } from "vitest";

/**
 * Credentials and memberships are cached per instance (src/auth/cache.ts, decision 0040) and the
 * cache is emptied by the routes that declare `config.changesAccess: true` (or by a direct
 * `authCache.flush`). A new module that changes those tables without either would leave a revoked
 * key or a removed member working until the TTL runs out: this check fails closed on the sources.
 */
const SRC = path.resolve(import.meta.dirname, "../src");
const WRITES_ACCESS = /\.(update|delete)\((sessions|apiKeys|memberships|users|organizations)\)/;
const FLUSHES = /changesAccess: true|authCache\.changed\(\)|authCache\.flush\(\)/;

it("every module that changes sessions, keys, memberships, users or organizations flushes the credential cache", async () => {
  const entries = await readdir(SRC, { recursive: true, withFileTypes: true });
  const files = entries
    .filter((e) => e.isFile() && e.name.endsWith(".ts"))
    .map((e) => path.join(e.parentPath, e.name));
  const texts = new Map(await Promise.all(files.map(async (f) => [f, await readFile(f, "utf8")] as const)));
  const writers = [...texts].filter(([, text]) => WRITES_ACCESS.test(text)).map(([file]) => file);
  expect(writers.length).toBeGreaterThan(5); // the check reads real sources
  const unflushed = writers.filter((file) => {
    if (FLUSHES.test(texts.get(file)!)) return false;
    // A helper (e.g. retention/erase.ts) passes if every module that imports it flushes.
    const base = path.basename(file);
    const importers = [...texts].filter(([f, text]) => f !== file && text.includes(`/${base}"`));
    return importers.length === 0 || importers.some(([, text]) => !FLUSHES.test(text));
  });
  expect(unflushed.map((f) => path.relative(SRC, f))).toEqual([]);
});
