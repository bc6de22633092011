import { eq, sql } from "drizzle-orm";
import { newShareToken, verifyShareToken } from "../auth/share-token.ts";
import type { Db } from "../db/client.ts";
import { shareLinks } from "../db/schema.ts";
import { DomainError } from "../errors/domain-error.ts";
import type { Actor } from "./actor.ts";
import { recordAuditAs } from "./audit.ts";

/**
 * Share links' shared pieces: creating one, the list's DTO and opening a token, for run links and
 * dashboard links.
 */
export type ShareLinkRow = typeof shareLinks.$inferSelect;
const iso = (d: Date | null) => d?.toISOString() ?? null;

export function statusOf(l: ShareLinkRow, now = new Date()): "active" | "expired" | "revoked" {
  if (l.revokedAt) return "revoked";
  return l.expiresAt <= now ? "expired" : "active";
}

export function shareLinkDto(l: ShareLinkRow) {
  return {
    id: l.id,
    runIds: l.runIds,
    conversationId: l.conversationId,
    label: l.label,
    status: statusOf(l),
    expiresAt: l.expiresAt.toISOString(),
    revokedAt: iso(l.revokedAt),
    createdBy: l.createdBy,
    createdByApiKey: l.createdByApiKey,
    createdAt: l.createdAt.toISOString(),
    accessCount: l.accessCount,
    lastAccessedAt: iso(l.lastAccessedAt),
  };
}

export const INVALID = "This share link is not valid: check that it was copied whole.";

/**
 * The link behind a token, counted as used (unless `count` is false: a dashboard's queries, which
 * follow its page's one counted read) — or 404 (not a genuine token), 410 (revoked or expired).
 * What it points at (runs or a dashboard) is the caller's to check.
 */
export async function openShareToken(
  db: Db,
  secret: string,
  token: string,
  { count = true }: { count?: boolean } = {},
): Promise<ShareLinkRow> {
  const tokenHash = verifyShareToken(secret, token);
  if (!tokenHash) throw new DomainError("not_found", INVALID);
  const [link] = await db.select().from(shareLinks).where(eq(shareLinks.tokenHash, tokenHash));
  if (!link) throw new DomainError("not_found", INVALID);
  if (link.revokedAt)
    throw new DomainError(
      "share_link_revoked",
      "This share link was revoked by the organization that created it.",
    );
  if (link.expiresAt <= new Date())
    throw new DomainError(
      "share_link_expired",
      `This share link expired on ${link.expiresAt.toISOString()}.`,
    );
  if (count)
    await db
      .update(shareLinks)
      .set({ accessCount: sql`${shareLinks.accessCount} + 1`, lastAccessedAt: new Date() })
      .where(eq(shareLinks.id, link.id));
  return link;
}

/**
 * Creates a share link to runs or to a conversation's dashboard (exactly one of the two, as the
 * table's check requires), with its audit event in the same transaction. The token is returned
 * here once; only its hash is stored.
 */
export async function createShareLink(
  db: Db,
  actor: Actor,
  secret: string,
  target: { runIds: string[] } | { conversationId: string },
  opts: { label: string; expiresInHours: number },
): Promise<{ link: ShareLinkRow; token: string }> {
  const { token, tokenHash } = newShareToken(secret);
  const runIds = "runIds" in target ? target.runIds : [];
  const conversationId = "conversationId" in target ? target.conversationId : null;
  const link = await db.transaction(async (tx) => {
    const [row] = await tx
      .insert(shareLinks)
      .values({
        orgId: actor.orgId,
        runIds,
        conversationId,
        label: opts.label,
        tokenHash,
        expiresAt: new Date(Date.now() + opts.expiresInHours * 3_600_000),
        createdBy: actor.kind === "key" ? null : actor.userId,
        createdByApiKey: actor.kind === "key" ? (actor.keyId ?? null) : null,
      })
      .returning();
    await recordAuditAs(tx, actor, {
      action: "share_link.created",
      orgId: actor.orgId,
      targetType: "share_link",
      targetId: row!.id,
      metadata: { ...target, expiresAt: row!.expiresAt.toISOString(), label: opts.label },
    });
    return row!;
  });
  return { link, token };
}
