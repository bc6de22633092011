import type { LlmTask } from "@modelworks/model-kit";
import { LlmError } from "@modelworks/model-kit";
import { and, desc, eq, isNull } from "drizzle-orm";
import type { Db } from "../db/client.ts";
import {
  linkedinConnections,
  llmProviders,
  llmSettings,
  powerBiConnections,
  type SealedToken,
} from "../db/schema.ts";
import { linkedinTokenContext } from "../linkedin/service.ts";
import { powerBiSecretContext } from "../powerbi/store.ts";
import { decryptSecret, encryptSecret, type Keyring, KeyringError, keyHint, rewrap } from "./crypto.ts";
import type { ModelPrice } from "./prices.ts";
import type { LlmProvider, ProviderConfig, TaskModels } from "./providers.ts";

/**
 * Organizations' provider configs and LLM settings, as domain functions on plain values (no
 * HTTP). Keys are sealed on the way in and opened only in `activeConfig`, for a call; nothing
 * here returns or logs a key.
 */
export type ProviderRow = typeof llmProviders.$inferSelect;

/** A config as the API shows it: never the key, only its hint (and whether it can be opened). */
export function providerView(r: ProviderRow, ring: Keyring | null) {
  return {
    id: r.id,
    provider: r.provider,
    label: r.label,
    baseUrl: r.baseUrl,
    models: r.models,
    keyHint: r.keyHint,
    hasKey: r.keyCiphertext !== null,
    keyReadable: r.masterKeyId === null || (ring?.all.has(r.masterKeyId) ?? false),
    createdBy: r.createdBy,
    createdAt: r.createdAt.toISOString(),
    lastTestedAt: r.lastTestedAt?.toISOString() ?? null,
    revokedAt: r.revokedAt?.toISOString() ?? null,
  };
}

export async function insertProvider(
  db: Db,
  ring: Keyring,
  v: {
    orgId: string;
    userId: string | null;
    provider: LlmProvider;
    label: string | null;
    baseUrl: string | null;
    models: TaskModels;
    apiKey: string | null;
  },
): Promise<ProviderRow> {
  const sealed = v.apiKey ? encryptSecret(ring, v.apiKey, v.orgId) : null;
  const [row] = await db
    .insert(llmProviders)
    .values({
      orgId: v.orgId,
      provider: v.provider,
      label: v.label,
      baseUrl: v.baseUrl,
      models: v.models,
      keyCiphertext: sealed?.keyCiphertext ?? null,
      wrappedDataKey: sealed?.wrappedDataKey ?? null,
      masterKeyId: sealed?.masterKeyId ?? null,
      keyHint: v.apiKey ? keyHint(v.apiKey) : null,
      createdBy: v.userId,
      lastTestedAt: new Date(),
    })
    .returning();
  return row!;
}

export async function listProviders(db: Db, orgId: string, includeRevoked: boolean): Promise<ProviderRow[]> {
  return db
    .select()
    .from(llmProviders)
    .where(and(eq(llmProviders.orgId, orgId), includeRevoked ? undefined : isNull(llmProviders.revokedAt)))
    .orderBy(desc(llmProviders.createdAt));
}

export async function findProvider(db: Db, orgId: string, id: string): Promise<ProviderRow | null> {
  const [row] = await db
    .select()
    .from(llmProviders)
    .where(and(eq(llmProviders.orgId, orgId), eq(llmProviders.id, id)));
  return row ?? null;
}

/** What the admin is told when a stored key cannot be opened (status, key test, the failed run). */
export function unreadableKeyMessage(r: Pick<ProviderRow, "provider" | "label" | "masterKeyId">): string {
  const name = r.label ? `"${r.label}" (${r.provider})` : r.provider;
  return (
    `The stored key of the ${name} provider is wrapped by master key ${r.masterKeyId}, which this server no longer has. ` +
    "An operator can restore that key (as LLM_MASTER_KEY, or in LLM_MASTER_KEYS), or an admin can add the provider again with its key."
  );
}

/**
 * A row's config with its key opened (for a call or a test). A key whose master key is gone
 * (rotated away without a rewrap, or LLM_MASTER_KEY unset) throws LlmError `llm_key_unreadable`:
 * a misconfiguration the admin must see, never a 500 and never a silent built-in answer.
 */
export function configOf(ring: Keyring | null, r: ProviderRow): ProviderConfig {
  let apiKey: string | null = null;
  if (r.keyCiphertext && r.wrappedDataKey && r.masterKeyId) {
    if (!ring?.all.has(r.masterKeyId)) throw new LlmError("llm_key_unreadable", unreadableKeyMessage(r));
    try {
      apiKey = decryptSecret(
        ring,
        { keyCiphertext: r.keyCiphertext, wrappedDataKey: r.wrappedDataKey, masterKeyId: r.masterKeyId },
        r.orgId,
      );
    } catch (err) {
      if (err instanceof KeyringError) throw new LlmError("llm_key_unreadable", unreadableKeyMessage(r));
      throw err;
    }
  }
  return { provider: r.provider as LlmProvider, baseUrl: r.baseUrl, apiKey, models: r.models as TaskModels };
}

/** A successful key test: shown as "last tested" on the settings page. */
export async function markTested(db: Db, orgId: string, id: string): Promise<void> {
  await db
    .update(llmProviders)
    .set({ lastTestedAt: new Date() })
    .where(and(eq(llmProviders.orgId, orgId), eq(llmProviders.id, id)));
}

/** The org's provider in use: its newest unrevoked config, or null. */
export async function activeProviderRow(db: Db, orgId: string): Promise<ProviderRow | null> {
  const [row] = await db
    .select()
    .from(llmProviders)
    .where(and(eq(llmProviders.orgId, orgId), isNull(llmProviders.revokedAt)))
    .orderBy(desc(llmProviders.createdAt))
    .limit(1);
  return row ?? null;
}

/**
 * Revoking a provider also drops the per-task routes to it, so its tasks go back to the default
 * provider and the settings never name a revoked config.
 */
export async function revokeProvider(db: Db, orgId: string, id: string): Promise<ProviderRow | null> {
  const settings = await getLlmSettings(db, orgId);
  const kept = Object.fromEntries(
    Object.entries(settings.taskRoutes).filter(([, r]) => r?.providerId !== id),
  ) as TaskRoutes;
  if (Object.keys(kept).length !== Object.keys(settings.taskRoutes).length)
    await db.update(llmSettings).set({ taskRoutes: kept }).where(eq(llmSettings.orgId, orgId));
  const [row] = await db
    .update(llmProviders)
    .set({
      revokedAt: new Date(),
      // A revoked key is never needed again: its ciphertext goes too.
      keyCiphertext: null,
      wrappedDataKey: null,
      masterKeyId: null,
    })
    .where(and(eq(llmProviders.orgId, orgId), eq(llmProviders.id, id), isNull(llmProviders.revokedAt)))
    .returning();
  return row ?? null;
}

/**
 * Master-key rotation: re-wraps every stored data key under the current master key (the keys
 * themselves are not re-encrypted). Run after adding the new key as LLM_MASTER_KEY and the old
 * one to LLM_MASTER_KEYS; once it reports 0 left, the old key can be dropped. Keys wrapped by a
 * master key the ring does not hold are reported (`unreadable`), not fatal: the others still move,
 * and the operator learns which key to put back (or which providers to re-enter).
 */
export async function rotateLlmKeys(
  db: Db,
  ring: Keyring,
): Promise<{ rewrapped: number; unreadable: { id: string; orgId: string; masterKeyId: string }[] }> {
  const rows = await db.select().from(llmProviders).where(isNull(llmProviders.revokedAt));
  let rewrapped = 0;
  const unreadable: { id: string; orgId: string; masterKeyId: string }[] = [];
  for (const r of rows) {
    if (!r.keyCiphertext || !r.wrappedDataKey || !r.masterKeyId) continue;
    if (!ring.all.has(r.masterKeyId)) {
      unreadable.push({ id: r.id, orgId: r.orgId, masterKeyId: r.masterKeyId });
      continue;
    }
    const next = rewrap(
      ring,
      { keyCiphertext: r.keyCiphertext, wrappedDataKey: r.wrappedDataKey, masterKeyId: r.masterKeyId },
      r.orgId,
    );
    if (!next) continue;
    await db
      .update(llmProviders)
      .set({ wrappedDataKey: next.wrappedDataKey, masterKeyId: next.masterKeyId })
      .where(eq(llmProviders.id, r.id));
    rewrapped++;
  }
  // The other secrets sealed with the same keyring: Power BI client secrets and LinkedIn tokens.
  // Left behind, they would stop opening once the old master key leaves LLM_MASTER_KEYS.
  const missing = (s: { masterKeyId: string }, id: string, orgId: string) => {
    if (ring.all.has(s.masterKeyId)) return false;
    unreadable.push({ id, orgId, masterKeyId: s.masterKeyId });
    return true;
  };
  for (const r of await db.select().from(powerBiConnections)) {
    const sealed = {
      keyCiphertext: r.secretCiphertext,
      wrappedDataKey: r.wrappedDataKey,
      masterKeyId: r.masterKeyId,
    };
    if (missing(sealed, r.orgId, r.orgId)) continue;
    const next = rewrap(ring, sealed, powerBiSecretContext(r.orgId));
    if (!next) continue;
    await db
      .update(powerBiConnections)
      .set({ wrappedDataKey: next.wrappedDataKey, masterKeyId: next.masterKeyId })
      .where(eq(powerBiConnections.orgId, r.orgId));
    rewrapped++;
  }
  for (const r of await db.select().from(linkedinConnections)) {
    const context = linkedinTokenContext(r.orgId, r.userId);
    const move = (s: SealedToken | null): SealedToken | null => (s ? rewrap(ring, s, context) : null);
    if (missing(r.accessToken, r.id, r.orgId) || (r.refreshToken && missing(r.refreshToken, r.id, r.orgId)))
      continue;
    const access = move(r.accessToken);
    const refresh = move(r.refreshToken);
    if (!access && !refresh) continue;
    await db
      .update(linkedinConnections)
      .set({ accessToken: access ?? r.accessToken, refreshToken: refresh ?? r.refreshToken })
      .where(eq(linkedinConnections.id, r.id));
    rewrapped++;
  }
  return { rewrapped, unreadable };
}

/** A task served by a chosen provider config and model (instead of the default provider's). */
export interface TaskRoute {
  providerId: string;
  model: string;
}
export type TaskRoutes = Partial<Record<LlmTask, TaskRoute>>;

export interface LlmSettingsValue {
  monthlyBudgetUsd: number | null;
  storeBodies: boolean;
  prices: Record<string, ModelPrice>;
  taskRoutes: TaskRoutes;
}

export const DEFAULT_LLM_SETTINGS: LlmSettingsValue = {
  monthlyBudgetUsd: null,
  storeBodies: false,
  prices: {},
  taskRoutes: {},
};

export async function getLlmSettings(db: Db, orgId: string): Promise<LlmSettingsValue> {
  const [row] = await db.select().from(llmSettings).where(eq(llmSettings.orgId, orgId));
  return row
    ? {
        monthlyBudgetUsd: row.monthlyBudgetUsd,
        storeBodies: row.storeBodies,
        prices: row.prices,
        taskRoutes: row.taskRoutes as TaskRoutes,
      }
    : DEFAULT_LLM_SETTINGS;
}

export async function putLlmSettings(
  db: Db,
  orgId: string,
  userId: string | null,
  v: LlmSettingsValue,
): Promise<LlmSettingsValue> {
  await db
    .insert(llmSettings)
    .values({ orgId, ...v, updatedBy: userId })
    .onConflictDoUpdate({
      target: llmSettings.orgId,
      set: { ...v, updatedBy: userId, updatedAt: new Date() },
    });
  return v;
}
