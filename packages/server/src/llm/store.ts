import { and, desc, eq, isNull } from "drizzle-orm";
import type { Db } from "../db/client.ts";
import { llmProviders, llmSettings } from "../db/schema.ts";
import { decryptSecret, encryptSecret, type Keyring, keyHint, rewrap } from "./crypto.ts";
import type { ModelPrice } from "./prices.ts";
import type { LlmProvider, ProviderConfig, TaskModels } from "./providers.ts";

/**
 * Organizations' provider configs and LLM settings, as domain functions on plain values (no
 * HTTP). Keys are sealed on the way in and opened only in `activeConfig`, for a call; nothing
 * here returns or logs a key.
 */
export type ProviderRow = typeof llmProviders.$inferSelect;

/** A config as the API shows it: never the key, only its hint. */
export function providerView(r: ProviderRow) {
  return {
    id: r.id,
    provider: r.provider,
    baseUrl: r.baseUrl,
    models: r.models,
    keyHint: r.keyHint,
    hasKey: r.keyCiphertext !== null,
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

/** A row's config with its key opened (for a call or a test). */
export function configOf(ring: Keyring, r: ProviderRow): ProviderConfig {
  const apiKey =
    r.keyCiphertext && r.wrappedDataKey && r.masterKeyId
      ? decryptSecret(
          ring,
          { keyCiphertext: r.keyCiphertext, wrappedDataKey: r.wrappedDataKey, masterKeyId: r.masterKeyId },
          r.orgId,
        )
      : null;
  return { provider: r.provider as LlmProvider, baseUrl: r.baseUrl, apiKey, models: r.models as TaskModels };
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

export async function revokeProvider(db: Db, orgId: string, id: string): Promise<ProviderRow | null> {
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
 * one to LLM_MASTER_KEYS; once it reports 0 left, the old key can be dropped.
 */
export async function rotateLlmKeys(db: Db, ring: Keyring): Promise<{ rewrapped: number }> {
  const rows = await db.select().from(llmProviders).where(isNull(llmProviders.revokedAt));
  let rewrapped = 0;
  for (const r of rows) {
    if (!r.keyCiphertext || !r.wrappedDataKey || !r.masterKeyId) continue;
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
  return { rewrapped };
}

export interface LlmSettingsValue {
  monthlyBudgetUsd: number | null;
  storeBodies: boolean;
  prices: Record<string, ModelPrice>;
}

export const DEFAULT_LLM_SETTINGS: LlmSettingsValue = {
  monthlyBudgetUsd: null,
  storeBodies: false,
  prices: {},
};

export async function getLlmSettings(db: Db, orgId: string): Promise<LlmSettingsValue> {
  const [row] = await db.select().from(llmSettings).where(eq(llmSettings.orgId, orgId));
  return row
    ? { monthlyBudgetUsd: row.monthlyBudgetUsd, storeBodies: row.storeBodies, prices: row.prices }
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
