import { existsSync } from "node:fs";
import path from "node:path";
import yauzl from "yauzl";
import { runs, shareLinks } from "../src/db/schema.ts";
import type { Actor, TestApp } from "./harness.ts";
import { multipart } from "./multipart.ts";

/** Helpers shared by retention.test.ts and privacy.test.ts. */

export async function uploadCsv(
  t: TestApp,
  as: Actor & { orgId: string },
  name: string,
  csv: string,
  query = "",
) {
  const body = multipart(name, csv);
  const res = await t.app.inject({
    method: "POST",
    url: `/api/v1/files${query}`,
    payload: body.payload,
    headers: { ...body.headers, cookie: as.cookie, "x-csrf-token": as.csrf, "x-organization-id": as.orgId },
  });
  if (res.statusCode !== 201) throw new Error(`upload failed: ${res.statusCode} ${res.body}`);
  return res.json() as { id: string; name: string; sha256: string };
}

/** Whether the local file store holds a blob under `key`. */
export const blobExists = (t: TestApp, key: string) =>
  existsSync(path.join(path.resolve(t.runtime.config.DATA_DIR, "files"), "objects", key));

let serial = 0;
/** A run written directly in a given state (no worker needed). */
export async function insertRun(
  t: TestApp,
  orgId: string,
  status: "queued" | "running" | "succeeded" | "failed" | "canceled",
  at: Date,
  extra: Partial<typeof runs.$inferInsert> = {},
): Promise<string> {
  const finished = status !== "queued" && status !== "running";
  const [row] = await t.database.db
    .insert(runs)
    .values({
      orgId,
      modelId: "tif",
      modelVersion: "1.0.0",
      input: { marker: `input-${++serial}` },
      inputHash: `retention-${serial}`,
      status,
      progress: finished ? 1 : 0,
      output: finished ? { marker: `output-${serial}` } : null,
      timeoutMs: 1000,
      createdAt: at,
      startedAt: status === "queued" ? null : at,
      finishedAt: finished ? at : null,
      ...extra,
    })
    .returning();
  return row!.id;
}

export async function insertShareLink(
  t: TestApp,
  orgId: string,
  runId: string,
  expiresAt: Date,
  revokedAt: Date | null = null,
): Promise<string> {
  const [row] = await t.database.db
    .insert(shareLinks)
    .values({ orgId, runIds: [runId], tokenHash: `hash-${++serial}-${Math.random()}`, expiresAt, revokedAt })
    .returning();
  return row!.id;
}

/** Every entry of a zip, by name. */
export function unzip(buffer: Buffer): Promise<Map<string, Buffer>> {
  return new Promise((resolve, reject) => {
    yauzl.fromBuffer(buffer, { lazyEntries: true }, (err, zip) => {
      if (err || !zip) return reject(err);
      const out = new Map<string, Buffer>();
      zip.on("error", reject);
      zip.on("end", () => resolve(out));
      zip.on("entry", (entry: yauzl.Entry) => {
        zip.openReadStream(entry, (e, stream) => {
          if (e || !stream) return reject(e);
          const chunks: Buffer[] = [];
          stream.on("data", (c: Buffer) => chunks.push(c));
          stream.on("error", reject);
          stream.on("end", () => {
            out.set(entry.fileName, Buffer.concat(chunks));
            zip.readEntry();
          });
        });
      });
      zip.readEntry();
    });
  });
}

export const DAY_MS = 24 * 3600 * 1000;
