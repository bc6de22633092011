import { createReadStream } from "node:fs";
import type { PassThrough } from "node:stream";
import { Readable } from "node:stream";
import { and, asc, eq, gt } from "drizzle-orm";
import type { PgColumn, PgTable } from "drizzle-orm/pg-core";
import { ZipFile } from "yazl";
import type { Db } from "../db/client.ts";
import {
  apiKeys,
  auditEvents,
  contentFeedback,
  contentFetches,
  contentItems,
  contentPosts,
  contentSources,
  conversationMessages,
  conversations,
  fieldMappings,
  files,
  invitations,
  llmCalls,
  llmProviders,
  memberships,
  organizations,
  planRevisions,
  projects,
  runs,
  scenarioRevisions,
  scenarios,
  shareLinks,
  sweeps,
  users,
} from "../db/schema.ts";
import type { Logger } from "../domain/actor.ts";
import type { FileStore } from "../files/store.ts";
import { policyOf } from "./policy.ts";

const PAGE_ROWS = 200;

/** Tables exported one JSON object per line, in id order; columns never exported are listed. */
const TABLES: { name: string; table: PgTable & { orgId: PgColumn; id: PgColumn }; omit?: string[] }[] = [
  { name: "projects", table: projects },
  { name: "scenarios", table: scenarios },
  { name: "scenario-revisions", table: scenarioRevisions },
  { name: "sweeps", table: sweeps },
  { name: "runs", table: runs },
  // Token hashes are credentials (a hash of a bearer token is enough to look it up): left out.
  { name: "share-links", table: shareLinks, omit: ["tokenHash"] },
  { name: "invitations", table: invitations, omit: ["tokenHash"] },
  { name: "api-keys", table: apiKeys, omit: ["tokenHash"] },
  { name: "field-mappings", table: fieldMappings },
  { name: "files", table: files },
  // Dashboard conversations (issue 16); which files each read is in its messages' and revisions' rows.
  { name: "conversations", table: conversations },
  { name: "conversation-messages", table: conversationMessages },
  { name: "plan-revisions", table: planRevisions },
  // Language models (issue 14): configs without their encrypted keys, and the metering rows.
  { name: "llm-providers", table: llmProviders, omit: ["keyCiphertext", "wrappedDataKey"] },
  { name: "llm-calls", table: llmCalls },
  // Content sources, their items and fetches, posts and their feedback (issue 17); an item's
  // search vector is derived from its title and text.
  { name: "content-sources", table: contentSources },
  { name: "content-items", table: contentItems, omit: ["search", "banded"] },
  { name: "content-fetches", table: contentFetches },
  { name: "content-posts", table: contentPosts },
  { name: "content-feedback", table: contentFeedback },
  { name: "audit-events", table: auditEvents as unknown as PgTable & { orgId: PgColumn; id: PgColumn } },
];

/**
 * Everything an organization holds, as a zip written while it is read: JSON for the organization,
 * its policy and members (no password hashes), NDJSON per table (read a page at a time), and the
 * original uploaded files (streamed from the file store). Nothing is held whole in memory; the
 * zip's own stream applies back-pressure to the database reads and file reads.
 */
export function orgExportZip(
  db: Db,
  store: FileStore,
  orgId: string,
  log?: Pick<Logger, "warn">,
): NodeJS.ReadableStream {
  const zip = new ZipFile();
  const mtime = new Date();
  const json = (value: unknown) => Buffer.from(`${JSON.stringify(value, null, 2)}\n`);
  // A client that goes away mid-download destroys the output; the entry being read (an open
  // file, a paged query) is destroyed with it, and entries not yet started are never opened.
  let aborted = false;
  const open = new Set<Readable>();
  const lazy = (name: string, make: () => Promise<Readable>, compress = true) =>
    zip.addReadStreamLazy(name, { mtime, compress }, (cb) => {
      if (aborted) return cb(null, Readable.from([]));
      make().then(
        (s) => {
          open.add(s);
          s.once("close", () => open.delete(s));
          cb(null, s);
        },
        (err) => cb(err, undefined as never),
      );
    });
  zip.outputStream.once("close", () => {
    aborted = true;
    for (const s of open) s.destroy();
  });

  lazy("manifest.json", async () =>
    Readable.from([
      json({
        format: "modelworks-org-export",
        version: 1,
        orgId,
        exportedAt: mtime.toISOString(),
        contents: {
          "organization.json": "the organization",
          "retention-policy.json": "how long files, runs and expired share links are kept",
          "members.json": "members: user id, email, name, role, joined at",
          ...Object.fromEntries(TABLES.map((t) => [`${t.name}.ndjson`, "one row per line, in id order"])),
          "files/<fileId>/<name>": "the original bytes of each uploaded file",
        },
      }),
    ]),
  );
  lazy("organization.json", async () => {
    const [org] = await db.select().from(organizations).where(eq(organizations.id, orgId));
    return Readable.from([json(org ?? null)]);
  });
  lazy("retention-policy.json", async () => Readable.from([json(await policyOf(db, orgId))]));
  lazy("members.json", async () => {
    const rows = await db
      .select({
        userId: users.id,
        email: users.email,
        name: users.name,
        role: memberships.role,
        joinedAt: memberships.createdAt,
      })
      .from(memberships)
      .innerJoin(users, eq(users.id, memberships.userId))
      .where(eq(memberships.orgId, orgId))
      .orderBy(asc(memberships.createdAt));
    return Readable.from([json(rows)]);
  });
  for (const t of TABLES) {
    lazy(`${t.name}.ndjson`, async () => Readable.from(ndjsonPages(db, t.table, orgId, t.omit ?? [])));
  }

  // The originals are added as their rows are read, a page at a time, and the zip ends after.
  void (async () => {
    let last: string | null = null;
    while (!aborted) {
      const page = await db
        .select({ id: files.id, name: files.name, kind: files.kind, storageKey: files.storageKey })
        .from(files)
        .where(and(eq(files.orgId, orgId), last ? gt(files.id, last) : undefined))
        .orderBy(asc(files.id))
        .limit(PAGE_ROWS);
      for (const f of page) {
        // XLSX is a zip already; CSV shrinks well.
        lazy(
          `files/${f.id}/${f.name}`,
          async () => createReadStream(await store.localPath(f.storageKey)),
          f.kind === "csv",
        );
      }
      if (page.length < PAGE_ROWS) break;
      last = page[page.length - 1]!.id;
    }
    zip.end();
  })().catch((err) => fail(err));

  const fail = (err: unknown) => {
    log?.warn({ err, orgId }, "organization export failed");
    (zip.outputStream as PassThrough).destroy(err as Error);
  };
  zip.on("error", fail);
  return zip.outputStream;
}

async function* ndjsonPages(
  db: Db,
  table: PgTable & { orgId: PgColumn; id: PgColumn },
  orgId: string,
  omit: string[],
): AsyncGenerator<string> {
  let last: unknown = null;
  for (;;) {
    const page = (await db
      .select()
      .from(table as PgTable)
      .where(and(eq(table.orgId, orgId), last === null ? undefined : gt(table.id, last)))
      .orderBy(asc(table.id))
      .limit(PAGE_ROWS)) as Record<string, unknown>[];
    if (page.length) {
      yield page
        .map((row) => {
          for (const k of omit) delete row[k];
          return `${JSON.stringify(row)}\n`;
        })
        .join("");
    }
    if (page.length < PAGE_ROWS) return;
    last = page[page.length - 1]!.id;
  }
}
