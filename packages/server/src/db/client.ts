import { mkdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { PGlite } from "@electric-sql/pglite";
import { sql } from "drizzle-orm";
import { drizzle as drizzleNodePg } from "drizzle-orm/node-postgres";
import { migrate as migrateNodePg } from "drizzle-orm/node-postgres/migrator";
import type { PgDatabase, PgQueryResultHKT } from "drizzle-orm/pg-core";
import { drizzle as drizzlePglite } from "drizzle-orm/pglite";
import { migrate as migratePglite } from "drizzle-orm/pglite/migrator";
import pg from "pg";
import * as schema from "./schema.ts";

export type Schema = typeof schema;
/** The one database type the rest of the server sees, whichever driver is underneath. */
export type Db = PgDatabase<PgQueryResultHKT, Schema>;

export interface Database {
  db: Db;
  kind: "pglite" | "postgres";
  /** The node-postgres pool, on PostgreSQL only (LISTEN/NOTIFY and raw queries). */
  pool?: pg.Pool;
  /** Round-trip to the database; throws when it is unreachable. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

const MIGRATIONS_DIR = fileURLToPath(new URL("../../migrations", import.meta.url));
/** Any fixed number: serializes migrations when several instances start at once. */
const MIGRATION_LOCK_KEY = 7_310_042;

export interface OpenDatabaseOptions {
  /** postgres://… for a server; `memory://` or undefined for embedded PGlite. */
  url?: string | undefined;
  /** Where embedded PGlite keeps its files (ignored for a server or memory://). */
  dataDir?: string;
  poolMax?: number;
  /** PostgreSQL: longest wait for a connection (opening one, or a free one from the pool). */
  connectTimeoutMs?: number;
}

/** Opens the database and brings its schema up to date before returning. */
export async function openDatabase(opts: OpenDatabaseOptions): Promise<Database> {
  if (opts.url && opts.url !== "memory://")
    return openPostgres(opts.url, opts.poolMax ?? 10, opts.connectTimeoutMs ?? 5000);
  return openPglite(opts.url === "memory://" ? undefined : path.resolve(opts.dataDir ?? "./data", "pglite"));
}

async function openPglite(dir: string | undefined): Promise<Database> {
  if (dir) mkdirSync(dir, { recursive: true });
  return pgliteDatabase(dir ? new PGlite(dir) : new PGlite());
}

/**
 * The database over an open PGlite client, its schema brought up to date first. On a client
 * loaded from a dump of an already migrated database (the tests' template,
 * packages/server/test/pglite-template.ts) the migrator finds every migration applied and runs none.
 */
export async function pgliteDatabase(client: PGlite): Promise<Database> {
  const db = drizzlePglite(client, { schema }) as unknown as Db;
  await migratePglite(drizzlePglite(client), { migrationsFolder: MIGRATIONS_DIR });
  return {
    db,
    kind: "pglite",
    ping: async () => {
      await client.query("select 1");
    },
    close: () => client.close(),
  };
}

/**
 * Whether the server can compress large values with lz4 (PostgreSQL 14+ built with it). Then this
 * pool's sessions use it for new values: a run's 51 KB output costs its backend ~0.45 ms less CPU
 * to store than with the default pglz (issue 20; docs/decisions/0052). Values already stored
 * keep their method, and every reader decompresses either, so nothing else changes.
 */
async function lz4Available(url: string, connectTimeoutMs: number): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: connectTimeoutMs });
  try {
    await client.connect();
    const { rows } = await client.query<{ lz4: boolean }>(
      "select 'lz4' = any(enumvals) as lz4 from pg_settings where name = 'default_toast_compression'",
    );
    return rows[0]?.lz4 === true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}

async function openPostgres(url: string, max: number, connectTimeoutMs: number): Promise<Database> {
  // Without a connect timeout a request waits forever on a database that accepts but never
  // answers; with one it fails fast, and the error handler answers 503 with Retry-After.
  const pool = new pg.Pool({
    connectionString: url,
    max,
    connectionTimeoutMillis: connectTimeoutMs,
    // An `options` in the URL takes precedence (node-postgres reads the URL last).
    ...((await lz4Available(url, connectTimeoutMs)) ? { options: "-c default_toast_compression=lz4" } : {}),
  });
  // An idle client that loses its server must not crash the process; the next query reports it.
  pool.on("error", () => {});
  const db = drizzleNodePg(pool, { schema }) as unknown as Db;
  const lock = await pool.connect();
  try {
    await lock.query("select pg_advisory_lock($1)", [MIGRATION_LOCK_KEY]);
    await migrateNodePg(drizzleNodePg(pool), { migrationsFolder: MIGRATIONS_DIR });
  } finally {
    await lock.query("select pg_advisory_unlock($1)", [MIGRATION_LOCK_KEY]).catch(() => {});
    lock.release();
  }
  return {
    db,
    kind: "postgres",
    pool,
    ping: async () => {
      await db.execute(sql`select 1`);
    },
    close: () => pool.end(),
  };
}
