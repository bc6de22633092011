import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { inject } from "vitest";
import type { TestProject } from "vitest/node";
import { type Database, pgliteDatabase } from "../src/db/client.ts";

/**
 * A migrated PGlite database, made once per test run and loaded by every embedded test app.
 *
 * Opening an in-memory PGlite and running the migrations costs ~2 s per app on the 2-core CI
 * machine; loading a dump of an already migrated database costs ~0.35 s. The dump is made at the
 * start of each run from the migrations on disk (Vitest's global setup, vitest.config.ts), so it
 * is never stale, and every app still passes through the migrator (which finds nothing to do).
 */

declare module "vitest" {
  export interface ProvidedContext {
    /** The dump file of the migrated template, or "" when none was made. */
    pgliteTemplate: string;
  }
}

/** Vitest global setup: runs in Vitest's main process before any test file. */
export default async function setup(project: TestProject): Promise<() => void> {
  // On PostgreSQL every test app gets a database of its own, migrated in ~0.3 s: no template.
  if (process.env.DATABASE_URL) {
    project.provide("pgliteTemplate", "");
    return () => {};
  }
  const dir = mkdtempSync(path.join(os.tmpdir(), "mw-pglite-template-"));
  const file = path.join(dir, "migrated.tar");
  const client = new PGlite();
  try {
    await pgliteDatabase(client);
    // Uncompressed: gzip would halve the file but cost every app the inflate.
    const dump = await client.dumpDataDir("none");
    writeFileSync(file, Buffer.from(await dump.arrayBuffer()));
  } finally {
    await client.close();
  }
  project.provide("pgliteTemplate", file);
  return () => rmSync(dir, { recursive: true, force: true });
}

let template: Promise<Blob | null> | undefined;

/** The template's dump, read once per test process; null outside Vitest or without the setup. */
function templateDump(): Promise<Blob | null> {
  template ??= (async () => {
    let file = "";
    try {
      file = inject("pgliteTemplate");
    } catch {
      return null; // not under Vitest (a bench script using the harness)
    }
    return file ? new Blob([await readFile(file)]) : null;
  })();
  return template;
}

/** A fresh in-memory database, from the migrated template when there is one. */
export async function openTemplateDatabase(): Promise<Database> {
  const dump = await templateDump();
  return pgliteDatabase(dump ? await PGlite.create({ loadDataDir: dump }) : new PGlite());
}
