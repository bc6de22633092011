import type { PowerBiConnectionDto } from "@modelworks/contracts/powerbi";
import { eq } from "drizzle-orm";
import type { Db } from "../db/client.ts";
import { powerBiConnections } from "../db/schema.ts";
import { DomainError } from "../errors/domain-error.ts";
import { decryptSecret, encryptSecret, type Keyring, KeyringError, keyHint } from "../llm/crypto.ts";
import type { PowerBiCredentials } from "./client.ts";

/**
 * Organizations' Power BI connections. The client secret is sealed on the way in (the LLM keys'
 * envelope, the org id as authenticated context) and opened only in `credentialsOf`, for a call.
 */
export type PowerBiConnectionRow = typeof powerBiConnections.$inferSelect;

/** The AAD context: a secret sealed for one org does not open in another's row. */
export const powerBiSecretContext = (orgId: string) => `powerbi:${orgId}`;
const context = powerBiSecretContext;

export function connectionView(r: PowerBiConnectionRow, ring: Keyring | null): PowerBiConnectionDto {
  return {
    tenantId: r.tenantId,
    clientId: r.clientId,
    groupId: r.groupId,
    secretHint: r.secretHint,
    secretReadable: ring?.all.has(r.masterKeyId) ?? false,
    updatedAt: r.updatedAt.toISOString(),
    lastTestedAt: r.lastTestedAt?.toISOString() ?? null,
  };
}

export async function findConnection(db: Db, orgId: string): Promise<PowerBiConnectionRow | null> {
  const [row] = await db.select().from(powerBiConnections).where(eq(powerBiConnections.orgId, orgId));
  return row ?? null;
}

export async function putConnection(
  db: Db,
  ring: Keyring,
  v: {
    orgId: string;
    userId: string | null;
    tenantId: string;
    clientId: string;
    groupId: string;
    clientSecret: string;
  },
): Promise<PowerBiConnectionRow> {
  const sealed = encryptSecret(ring, v.clientSecret, context(v.orgId));
  const values = {
    tenantId: v.tenantId,
    clientId: v.clientId,
    groupId: v.groupId,
    secretCiphertext: sealed.keyCiphertext,
    wrappedDataKey: sealed.wrappedDataKey,
    masterKeyId: sealed.masterKeyId,
    secretHint: keyHint(v.clientSecret),
    updatedBy: v.userId,
    updatedAt: new Date(),
    lastTestedAt: null,
  };
  const [row] = await db
    .insert(powerBiConnections)
    .values({ orgId: v.orgId, ...values })
    .onConflictDoUpdate({ target: powerBiConnections.orgId, set: values })
    .returning();
  return row!;
}

export async function deleteConnection(db: Db, orgId: string): Promise<boolean> {
  const gone = await db
    .delete(powerBiConnections)
    .where(eq(powerBiConnections.orgId, orgId))
    .returning({ orgId: powerBiConnections.orgId });
  return gone.length > 0;
}

export async function markConnectionTested(db: Db, orgId: string): Promise<void> {
  await db
    .update(powerBiConnections)
    .set({ lastTestedAt: new Date() })
    .where(eq(powerBiConnections.orgId, orgId));
}

/** The stored connection with its secret opened, for one call; a clear refusal when it cannot be. */
export function credentialsOf(row: PowerBiConnectionRow, ring: Keyring | null): PowerBiCredentials {
  if (!ring)
    throw new DomainError(
      "llm_keys_unavailable",
      "The server has no LLM_MASTER_KEY, so it cannot open the Power BI client secret.",
    );
  try {
    const clientSecret = decryptSecret(
      ring,
      {
        keyCiphertext: row.secretCiphertext,
        wrappedDataKey: row.wrappedDataKey,
        masterKeyId: row.masterKeyId,
      },
      context(row.orgId),
    );
    return { tenantId: row.tenantId, clientId: row.clientId, groupId: row.groupId, clientSecret };
  } catch (err) {
    throw new DomainError(
      "llm_key_unreadable",
      err instanceof KeyringError
        ? err.message
        : "The stored Power BI client secret cannot be opened; an admin saves the connection again with its secret.",
    );
  }
}

/** The org's connection with its secret, or `powerbi_not_connected`. */
export async function connectionCredentials(db: Db, orgId: string, ring: Keyring | null) {
  const row = await findConnection(db, orgId);
  if (!row)
    throw new DomainError(
      "powerbi_not_connected",
      "This organization has no Power BI connection; an admin sets one under Organization → Power BI.",
    );
  return { row, creds: credentialsOf(row, ring) };
}
