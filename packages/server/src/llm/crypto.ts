import { createCipheriv, createDecipheriv, createHash, randomBytes } from "node:crypto";

/**
 * Envelope encryption of provider keys (docs/decisions/0028-llm-key-encryption.md). Each secret
 * gets a random 256-bit data key; the secret is sealed with it (AES-256-GCM), and the data key is
 * sealed with a master key from the environment. The row stores both ciphertexts and the master
 * key's id, so after a rotation the old master key (still listed in LLM_MASTER_KEYS) unwraps old
 * rows until `rewrap` has moved them to the new one — without touching the secrets themselves.
 */
export interface MasterKey {
  /** First 8 hex characters of the key's SHA-256: names the key without revealing it. */
  id: string;
  key: Buffer;
}

export interface Keyring {
  /** Wraps new data keys. */
  current: MasterKey;
  /** Every key that may unwrap (current first). */
  all: Map<string, MasterKey>;
}

export interface SealedSecret {
  keyCiphertext: string;
  wrappedDataKey: string;
  masterKeyId: string;
}

export class KeyringError extends Error {
  override name = "KeyringError";
}

export function masterKey(base64: string): MasterKey {
  const key = Buffer.from(base64.trim(), "base64");
  if (key.length !== 32)
    throw new KeyringError("A master key must be 32 bytes, base64-encoded (openssl rand -base64 32).");
  return { id: createHash("sha256").update(key).digest("hex").slice(0, 8), key };
}

/** `current` (LLM_MASTER_KEY) and the older keys still accepted for unwrapping (LLM_MASTER_KEYS). */
export function createKeyring(current: string, older: readonly string[] = []): Keyring {
  const cur = masterKey(current);
  const all = new Map<string, MasterKey>([[cur.id, cur]]);
  for (const o of older) {
    const k = masterKey(o);
    if (!all.has(k.id)) all.set(k.id, k);
  }
  return { current: cur, all };
}

/** iv (12) ‖ tag (16) ‖ ciphertext, base64. */
function seal(key: Buffer, plain: Buffer, aad: string): string {
  const iv = randomBytes(12);
  const c = createCipheriv("aes-256-gcm", key, iv);
  c.setAAD(Buffer.from(aad));
  const ct = Buffer.concat([c.update(plain), c.final()]);
  return Buffer.concat([iv, c.getAuthTag(), ct]).toString("base64");
}

function open(key: Buffer, sealed: string, aad: string): Buffer {
  const b = Buffer.from(sealed, "base64");
  const d = createDecipheriv("aes-256-gcm", key, b.subarray(0, 12));
  d.setAAD(Buffer.from(aad));
  d.setAuthTag(b.subarray(12, 28));
  return Buffer.concat([d.update(b.subarray(28)), d.final()]);
}

/**
 * Seals `secret` for one owner (`context`, e.g. the org id): the context is authenticated data,
 * so a ciphertext copied into another organization's row does not decrypt there.
 */
export function encryptSecret(ring: Keyring, secret: string, context: string): SealedSecret {
  const dataKey = randomBytes(32);
  try {
    return {
      keyCiphertext: seal(dataKey, Buffer.from(secret, "utf8"), context),
      wrappedDataKey: seal(ring.current.key, dataKey, `${context}:${ring.current.id}`),
      masterKeyId: ring.current.id,
    };
  } finally {
    dataKey.fill(0);
  }
}

function unwrap(ring: Keyring, s: SealedSecret, context: string): Buffer {
  const mk = ring.all.get(s.masterKeyId);
  if (!mk)
    throw new KeyringError(
      `The secret is wrapped by master key ${s.masterKeyId}, which is not configured; add it to LLM_MASTER_KEYS.`,
    );
  return open(mk.key, s.wrappedDataKey, `${context}:${mk.id}`);
}

export function decryptSecret(ring: Keyring, s: SealedSecret, context: string): string {
  const dataKey = unwrap(ring, s, context);
  try {
    return open(dataKey, s.keyCiphertext, context).toString("utf8");
  } finally {
    dataKey.fill(0);
  }
}

/** The same secret with its data key wrapped by the current master key (rotation); null if already. */
export function rewrap(ring: Keyring, s: SealedSecret, context: string): SealedSecret | null {
  if (s.masterKeyId === ring.current.id) return null;
  const dataKey = unwrap(ring, s, context);
  try {
    return {
      keyCiphertext: s.keyCiphertext,
      wrappedDataKey: seal(ring.current.key, dataKey, `${context}:${ring.current.id}`),
      masterKeyId: ring.current.id,
    };
  } finally {
    dataKey.fill(0);
  }
}

/** The last four characters, the only part of a key ever shown again. */
export const keyHint = (secret: string) => (secret.length > 8 ? `…${secret.slice(-4)}` : "…");
