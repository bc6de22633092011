import { createHash, randomBytes } from "node:crypto";
import { and, eq, inArray, lte, sql } from "drizzle-orm";
import { externalKey } from "../content/posts.ts";
import type { Db } from "../db/client.ts";
import { contentPosts, contentPublications, linkedinConnections, linkedinOauthStates } from "../db/schema.ts";
import type { Logger } from "../domain/actor.ts";
import { DomainError } from "../errors/domain-error.ts";
import { decryptSecret, encryptSecret, type Keyring, KeyringError } from "../llm/crypto.ts";
import { LinkedInClient, LinkedInError, type TokenSet, toLittleText } from "./client.ts";

export type PublicationRow = typeof contentPublications.$inferSelect;
type ConnectionRow = typeof linkedinConnections.$inferSelect;

/** How long an authorization `state` is accepted (LinkedIn's codes live about as long). */
export const STATE_TTL_MS = 10 * 60_000;
/** An access token this close to expiry is refreshed before use. */
const REFRESH_MARGIN_MS = 60_000;

const hashState = (state: string) => createHash("sha256").update(state).digest("hex");
/** Tokens are sealed for one person in one organization. */
export const linkedinTokenContext = (orgId: string, userId: string) => `linkedin:${orgId}:${userId}`;

export interface LinkedInServiceOptions {
  db: Db;
  /** Null when LINKEDIN_* is not configured. */
  client: LinkedInClient | null;
  /** Null when the server has no master key: tokens cannot be stored. */
  ring: Keyring | null;
  retryMaxWaitMs: number;
  now?: () => Date;
  sleep?: (ms: number) => Promise<void>;
  log?: Pick<Logger, "info" | "warn">;
}

/** A publication that did not go out, and when (for a scheduled one) to try again. */
export class PublishFailure extends Error {
  constructor(
    readonly error: DomainError,
    readonly retryAt: Date | null,
  ) {
    super(error.message);
  }
}

/**
 * A person's LinkedIn connection and publishing, on top of the documented endpoints
 * (client.ts): state issued and consumed here, tokens sealed with the LLM keys' envelope
 * encryption, access refreshed before it expires and once more if LinkedIn refuses it.
 */
export class LinkedInService {
  readonly #o: LinkedInServiceOptions;
  constructor(o: LinkedInServiceOptions) {
    this.#o = o;
  }

  get configured(): boolean {
    return this.#o.client !== null && this.#o.ring !== null;
  }

  #now() {
    return this.#o.now?.() ?? new Date();
  }

  /** Throws `linkedin_not_configured` unless the server can talk to LinkedIn and store tokens. */
  requireConfigured(): { client: LinkedInClient; ring: Keyring } {
    const { client, ring } = this.#o;
    if (!client)
      throw new DomainError(
        "linkedin_not_configured",
        "LinkedIn publishing is not configured on this server (LINKEDIN_CLIENT_ID, LINKEDIN_CLIENT_SECRET, LINKEDIN_REDIRECT_URL); copy the draft instead.",
      );
    if (!ring)
      throw new DomainError(
        "linkedin_not_configured",
        "This server has no LLM_MASTER_KEY, so it cannot store LinkedIn tokens; an operator must set one.",
      );
    return { client, ring };
  }

  /** Issues a single-use state bound to this person and organization; answers the authorization URL. */
  async startConnect(orgId: string, userId: string) {
    const { client } = this.requireConfigured();
    const state = randomBytes(24).toString("base64url");
    const now = this.#now();
    const expiresAt = new Date(now.getTime() + STATE_TTL_MS);
    const { db } = this.#o;
    // Old states of anyone are of no use once expired; drop them as new ones are made.
    await db.delete(linkedinOauthStates).where(lte(linkedinOauthStates.expiresAt, now));
    await db.insert(linkedinOauthStates).values({ orgId, userId, stateHash: hashState(state), expiresAt });
    return { authorizeUrl: client.authorizeUrl(state), expiresAt };
  }

  /**
   * The callback: consumes the state (whoever presents it, it is gone), checks it was issued to
   * this person and has not expired, exchanges the code, asks who the member is, stores the tokens.
   */
  async completeConnect(userId: string, state: string, code: string): Promise<{ orgId: string }> {
    const { client, ring } = this.requireConfigured();
    const { db } = this.#o;
    const [row] = await db
      .delete(linkedinOauthStates)
      .where(eq(linkedinOauthStates.stateHash, hashState(state)))
      .returning();
    const now = this.#now();
    if (!row || row.userId !== userId || row.expiresAt <= now)
      throw new DomainError(
        "linkedin_state_invalid",
        !row
          ? "This LinkedIn authorization is unknown or was already used; connect again."
          : row.userId !== userId
            ? "This LinkedIn authorization was started by someone else; connect again."
            : "This LinkedIn authorization expired; connect again.",
        [{ path: "query.state", message: "unknown, used, expired or not yours" }],
      );
    const tokens = await this.#linkedin(() => client.exchangeCode(code, now));
    const member = await this.#linkedin(() => client.member(tokens.accessToken));
    const values = this.#sealed(ring, row.orgId, userId, tokens);
    await db
      .insert(linkedinConnections)
      .values({ orgId: row.orgId, userId, memberUrn: member.urn, memberName: member.name, ...values })
      .onConflictDoUpdate({
        target: [linkedinConnections.orgId, linkedinConnections.userId],
        set: { memberUrn: member.urn, memberName: member.name, ...values, updatedAt: now },
      });
    return { orgId: row.orgId };
  }

  #sealed(ring: Keyring, orgId: string, userId: string, t: TokenSet) {
    const ctx = linkedinTokenContext(orgId, userId);
    return {
      scope: t.scope,
      accessToken: encryptSecret(ring, t.accessToken, ctx),
      accessExpiresAt: t.accessExpiresAt,
      refreshToken: t.refreshToken ? encryptSecret(ring, t.refreshToken, ctx) : null,
      refreshExpiresAt: t.refreshExpiresAt,
    };
  }

  async connection(orgId: string, userId: string): Promise<ConnectionRow | undefined> {
    const [row] = await this.#o.db
      .select()
      .from(linkedinConnections)
      .where(and(eq(linkedinConnections.orgId, orgId), eq(linkedinConnections.userId, userId)));
    return row;
  }

  async status(orgId: string, userId: string) {
    const row = await this.connection(orgId, userId);
    return {
      configured: this.configured,
      connected: !!row,
      memberUrn: row?.memberUrn ?? null,
      memberName: row?.memberName ?? null,
      scope: row?.scope ?? null,
      accessExpiresAt: row?.accessExpiresAt.toISOString() ?? null,
      refreshExpiresAt: row?.refreshExpiresAt?.toISOString() ?? null,
      connectedAt: row?.createdAt.toISOString() ?? null,
    };
  }

  /** Forgets the tokens (LinkedIn offers no documented revocation for member tokens). */
  async disconnect(orgId: string, userId: string): Promise<boolean> {
    const gone = await this.#o.db
      .delete(linkedinConnections)
      .where(and(eq(linkedinConnections.orgId, orgId), eq(linkedinConnections.userId, userId)))
      .returning({ id: linkedinConnections.id });
    return gone.length > 0;
  }

  /** A usable access token: the stored one, or a refreshed one when it is (nearly) expired or `force`. */
  async #accessToken(ring: Keyring, client: LinkedInClient, conn: ConnectionRow, force: boolean) {
    const ctx = linkedinTokenContext(conn.orgId, conn.userId);
    const open = (s: NonNullable<ConnectionRow["refreshToken"]>) => {
      try {
        return decryptSecret(ring, s, ctx);
      } catch (err) {
        if (err instanceof KeyringError)
          throw new DomainError(
            "linkedin_reconnect_needed",
            "The stored LinkedIn tokens are sealed by a master key this server no longer has; connect LinkedIn again.",
          );
        throw err;
      }
    };
    const now = this.#now();
    if (!force && conn.accessExpiresAt.getTime() - REFRESH_MARGIN_MS > now.getTime())
      return open(conn.accessToken);
    if (!conn.refreshToken || (conn.refreshExpiresAt && conn.refreshExpiresAt <= now))
      throw new DomainError(
        "linkedin_reconnect_needed",
        "The LinkedIn authorization expired and cannot be refreshed; connect LinkedIn again.",
      );
    const tokens = await this.#linkedin(() => client.refresh(open(conn.refreshToken!), now));
    // LinkedIn keeps the refresh token's original lifetime; keep ours if it sent none.
    const merged: TokenSet = {
      ...tokens,
      refreshToken: tokens.refreshToken ?? open(conn.refreshToken),
      refreshExpiresAt: tokens.refreshExpiresAt ?? conn.refreshExpiresAt,
    };
    await this.#o.db
      .update(linkedinConnections)
      .set({ ...this.#sealed(ring, conn.orgId, conn.userId, merged), updatedAt: now })
      .where(eq(linkedinConnections.id, conn.id));
    this.#o.log?.info({ orgId: conn.orgId, userId: conn.userId }, "LinkedIn access token refreshed");
    return tokens.accessToken;
  }

  /** Turns LinkedIn's failures (other than those the caller handles) into the API's errors. */
  async #linkedin<T>(call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (err) {
      if (!(err instanceof LinkedInError)) throw err;
      throw toDomain(err);
    }
  }

  /**
   * Posts a `publishing` row: on success records the content post (externalId = the URN) and
   * marks the row published; on failure marks it failed — or, when LinkedIn throttles a
   * scheduled one, back to scheduled at Retry-After — and throws PublishFailure.
   */
  async publish(row: PublicationRow): Promise<PublicationRow> {
    const { db } = this.#o;
    try {
      const urn = await this.#post(row);
      const now = this.#now();
      return await db.transaction(async (tx) => {
        const [post] = await tx
          .insert(contentPosts)
          .values({
            orgId: row.orgId,
            userId: row.userId,
            runId: row.runId,
            variantKind: row.variantKind,
            text: row.text,
            domains: row.domains,
            publishedAt: now,
            hourLocal: row.hourLocal,
            externalId: externalKey(urn),
            predicted: row.predicted,
            // The post keeps the check the text was published under, whichever way it was posted.
            flags: row.flags,
          })
          .returning({ id: contentPosts.id });
        const [done] = await tx
          .update(contentPublications)
          .set({
            status: "published",
            urn,
            postId: post!.id,
            publishedAt: now,
            error: null,
            leaseUntil: null,
            updatedAt: now,
          })
          .where(eq(contentPublications.id, row.id))
          .returning();
        return done!;
      });
    } catch (err) {
      const error =
        err instanceof DomainError
          ? err
          : new DomainError("linkedin_error", `Publishing failed: ${(err as Error).message}`);
      const retryAt =
        row.scheduledAt && error.code === "linkedin_rate_limited"
          ? new Date(this.#now().getTime() + Number(error.headers?.["retry-after"] ?? 60) * 1000)
          : null;
      await db
        .update(contentPublications)
        .set(
          retryAt
            ? {
                status: "scheduled",
                scheduledAt: retryAt,
                leaseUntil: null,
                error: error.detail ?? null,
                updatedAt: this.#now(),
              }
            : {
                status: "failed",
                leaseUntil: null,
                error: error.detail ?? error.message,
                updatedAt: this.#now(),
              },
        )
        .where(eq(contentPublications.id, row.id));
      throw new PublishFailure(error, retryAt);
    }
  }

  /** The Posts API call with its recoveries: one refresh after a 401, one wait for a short 429. */
  async #post(row: PublicationRow): Promise<string> {
    const { client, ring } = this.requireConfigured();
    const conn = await this.connection(row.orgId, row.userId);
    if (!conn)
      throw new DomainError(
        "linkedin_not_connected",
        "Connect LinkedIn before publishing (your connection in this organization is missing).",
      );
    const commentary = toLittleText(row.text);
    let token = await this.#accessToken(ring, client, conn, false);
    let refreshed = false;
    let waited = false;
    for (;;) {
      try {
        return await client.createPost(token, conn.memberUrn, commentary);
      } catch (err) {
        if (!(err instanceof LinkedInError)) throw err;
        if (err.kind === "unauthorized" && !refreshed) {
          refreshed = true;
          const fresh = (await this.connection(row.orgId, row.userId)) ?? conn;
          token = await this.#accessToken(ring, client, fresh, true);
          continue;
        }
        const waitMs = (err.retryAfterSeconds ?? 0) * 1000;
        if (err.kind === "rate_limited" && !waited && waitMs <= this.#o.retryMaxWaitMs) {
          waited = true;
          await (this.#o.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms))))(waitMs);
          continue;
        }
        throw toDomain(err, refreshed);
      }
    }
  }

  /**
   * One tick of the scheduler: interrupted publications (lease passed) fail — LinkedIn may or may
   * not have the post, so they are never sent twice — then due scheduled ones are claimed with
   * SKIP LOCKED and moved to `publishing` in one statement, and published.
   */
  async publishDue(opts: { batchSize?: number; leaseMs?: number } = {}) {
    const { db } = this.#o;
    const now = this.#now();
    const leaseMs = opts.leaseMs ?? 10 * 60_000;
    await db
      .update(contentPublications)
      .set({
        status: "failed",
        leaseUntil: null,
        error: "Publishing was interrupted; check LinkedIn before publishing again (it may have gone out).",
        updatedAt: now,
      })
      .where(and(eq(contentPublications.status, "publishing"), lte(contentPublications.leaseUntil, now)));
    if (!this.configured) return { claimed: 0, published: 0, failed: 0 };
    const due = db
      .select({ id: contentPublications.id })
      .from(contentPublications)
      .where(and(eq(contentPublications.status, "scheduled"), lte(contentPublications.scheduledAt, now)))
      .orderBy(contentPublications.scheduledAt)
      .limit(opts.batchSize ?? 20)
      .for("update", { skipLocked: true });
    const claimed = await db
      .update(contentPublications)
      .set({
        status: "publishing",
        leaseUntil: new Date(now.getTime() + leaseMs),
        attempts: sql`${contentPublications.attempts} + 1`,
        updatedAt: now,
      })
      .where(and(inArray(contentPublications.id, due), eq(contentPublications.status, "scheduled")))
      .returning();
    let published = 0;
    let failed = 0;
    for (const row of claimed) {
      try {
        await this.publish(row);
        published++;
      } catch (err) {
        failed++;
        this.#o.log?.warn({ err, publicationId: row.id }, "scheduled LinkedIn post not published");
      }
    }
    return { claimed: claimed.length, published, failed };
  }
}

function toDomain(err: LinkedInError, afterRefresh = false): DomainError {
  switch (err.kind) {
    case "rate_limited": {
      const s = String(err.retryAfterSeconds ?? 60);
      return new DomainError("linkedin_rate_limited", `${err.message} Try again in ${s} s.`, undefined, {
        "retry-after": s,
      });
    }
    case "rejected":
      return new DomainError("validation_failed", err.message, [{ path: "body.text", message: err.message }]);
    case "unauthorized":
    case "forbidden":
    case "grant_refused":
      return new DomainError(
        err.kind === "grant_refused" && !afterRefresh && err.message.includes("authorization_code")
          ? "linkedin_state_invalid"
          : "linkedin_reconnect_needed",
        `${err.message}${afterRefresh ? " (also after refreshing the token)" : ""}. Connect LinkedIn again.`,
      );
    default:
      return new DomainError("linkedin_error", err.message);
  }
}

/** The service from the configuration: null client (not configured) when any LINKEDIN_* is missing. */
export function linkedinClientFromConfig(c: {
  LINKEDIN_CLIENT_ID?: string | undefined;
  LINKEDIN_CLIENT_SECRET?: string | undefined;
  LINKEDIN_REDIRECT_URL?: string | undefined;
  LINKEDIN_AUTH_BASE: string;
  LINKEDIN_API_BASE: string;
  LINKEDIN_VERSION: string;
  LINKEDIN_TIMEOUT_MS: number;
}): LinkedInClient | null {
  if (!c.LINKEDIN_CLIENT_ID || !c.LINKEDIN_CLIENT_SECRET || !c.LINKEDIN_REDIRECT_URL) return null;
  return new LinkedInClient({
    clientId: c.LINKEDIN_CLIENT_ID,
    clientSecret: c.LINKEDIN_CLIENT_SECRET,
    redirectUrl: c.LINKEDIN_REDIRECT_URL,
    authBase: c.LINKEDIN_AUTH_BASE,
    apiBase: c.LINKEDIN_API_BASE,
    version: c.LINKEDIN_VERSION,
    timeoutMs: c.LINKEDIN_TIMEOUT_MS,
  });
}
