import { and, asc, count, eq, inArray, sql } from "drizzle-orm";
import type { Db } from "../db/client.ts";
import {
  conversationFiles,
  conversationMessages,
  conversations,
  files,
  planRevisions,
} from "../db/schema.ts";
import { firstOr404, inOrg } from "../db/scope.ts";
import { DomainError } from "../errors/domain-error.ts";

export type ConversationRow = typeof conversations.$inferSelect;
export type MessageRow = typeof conversationMessages.$inferSelect;
export type PlanRevisionRow = typeof planRevisions.$inferSelect;

/** What a revision's plan tables read: the file behind each name, and the profile it was planned on. */
export interface RevisionTable {
  table: string;
  fileId: string;
  profile: import("@modelworks/engine-dashboard-planner").TableProfile;
}

export const DEFAULT_TITLE = "New dashboard";

export function conversationSummaryDto(c: ConversationRow, messageCount: number) {
  return {
    id: c.id,
    projectId: c.projectId,
    title: c.title,
    currentRevision: c.currentRevision,
    messageCount,
    createdBy: c.createdBy,
    createdAt: c.createdAt.toISOString(),
    updatedAt: c.updatedAt.toISOString(),
    lastActivityAt: c.lastActivityAt.toISOString(),
  };
}

export function messageDto(m: MessageRow) {
  return {
    id: m.id,
    seq: m.seq,
    role: m.role,
    content: m.content,
    status: m.status,
    runId: m.runId,
    fileIds: m.fileIds,
    planRevision: m.planRevision,
    createdAt: m.createdAt.toISOString(),
  };
}

export function revisionSummaryDto(r: PlanRevisionRow) {
  return {
    conversationId: r.conversationId,
    revision: r.revision,
    baseRevision: r.baseRevision,
    note: r.note,
    runId: r.runId,
    createdAt: r.createdAt.toISOString(),
    diff: r.diff as { path: string; from: unknown; to: unknown }[],
  };
}

export function revisionDto(r: PlanRevisionRow) {
  return {
    ...revisionSummaryDto(r),
    plan: r.plan as Record<string, unknown>,
    tables: (r.tables as RevisionTable[]).map((t) => ({
      table: t.table,
      fileId: t.fileId,
      // What the visual form offers as fields: each column with the type the plan was checked on.
      columns: t.profile.columns.map((c) => ({ name: c.name, type: c.type })),
    })),
  };
}

export async function loadConversation(db: Db, orgId: string, id: string, lock = false) {
  const q = db
    .select()
    .from(conversations)
    .where(inOrg(conversations, orgId, id));
  return firstOr404(lock ? await q.for("update") : await q, "Conversation");
}

export async function messageCount(db: Db, conversationId: string): Promise<number> {
  const [row] = await db
    .select({ n: count() })
    .from(conversationMessages)
    .where(eq(conversationMessages.conversationId, conversationId));
  return row?.n ?? 0;
}

export async function conversationFilesOf(db: Db, conversationId: string) {
  return db
    .select({ link: conversationFiles, file: files })
    .from(conversationFiles)
    .innerJoin(files, eq(files.id, conversationFiles.fileId))
    .where(eq(conversationFiles.conversationId, conversationId))
    .orderBy(asc(conversationFiles.createdAt), asc(conversationFiles.tableName));
}

export async function messagesOf(db: Db, conversationId: string) {
  return db
    .select()
    .from(conversationMessages)
    .where(eq(conversationMessages.conversationId, conversationId))
    .orderBy(asc(conversationMessages.seq));
}

export async function loadRevision(db: Db, conversationId: string, revision: number) {
  return firstOr404(
    await db
      .select()
      .from(planRevisions)
      .where(and(eq(planRevisions.conversationId, conversationId), eq(planRevisions.revision, revision))),
    "Plan revision",
  );
}

/** 409 while a reply is being planned: one run per conversation at a time keeps revisions linear. */
export async function assertNotBusy(db: Db, conversationId: string): Promise<void> {
  const [pending] = await db
    .select({ id: conversationMessages.id })
    .from(conversationMessages)
    .where(
      and(
        eq(conversationMessages.conversationId, conversationId),
        eq(conversationMessages.status, "pending"),
      ),
    )
    .limit(1);
  if (pending)
    throw new DomainError(
      "conversation_busy",
      "The assistant is still answering the previous message; wait for its reply (or cancel its run) first.",
    );
}

export async function nextSeq(db: Db, conversationId: string): Promise<number> {
  const [row] = await db
    .select({ n: sql<number>`coalesce(max(${conversationMessages.seq}), 0)::int` })
    .from(conversationMessages)
    .where(eq(conversationMessages.conversationId, conversationId));
  return (row?.n ?? 0) + 1;
}

export async function filesByIds(db: Db, orgId: string, ids: string[]) {
  if (ids.length === 0) return [];
  return db
    .select()
    .from(files)
    .where(and(eq(files.orgId, orgId), inArray(files.id, ids)));
}
