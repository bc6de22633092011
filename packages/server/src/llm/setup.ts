import { randomBytes } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { Logger } from "pino";
import type { Config } from "../config.ts";
import type { Db } from "../db/client.ts";
import type { RedisLink } from "../redis/link.ts";
import { createLlmCache } from "./cache.ts";
import { createKeyring, type Keyring } from "./crypto.ts";
import { OLLAMA_DEFAULT_URL, type ProviderConfig } from "./providers.ts";
import { LlmService } from "./service.ts";

/**
 * The keyring from the environment. Without LLM_MASTER_KEY, the embedded default (PGlite, not
 * production) generates one beside its database, as it does the session secret; a server
 * deployment without one cannot store organizations' keys (the platform key still works).
 */
export function keyringFromConfig(c: Config): Keyring | null {
  if (c.LLM_MASTER_KEY) return createKeyring(c.LLM_MASTER_KEY, c.LLM_MASTER_KEYS);
  if (!c.embedded || c.NODE_ENV === "production") return null;
  if (c.DATABASE_URL === "memory://") return createKeyring(randomBytes(32).toString("base64"));
  const file = path.join(c.DATA_DIR, "llm-master-key");
  let key: string;
  try {
    key = readFileSync(file, "utf8").trim();
  } catch {
    mkdirSync(c.DATA_DIR, { recursive: true });
    key = randomBytes(32).toString("base64");
    writeFileSync(file, key, { mode: 0o600 });
  }
  return createKeyring(key, c.LLM_MASTER_KEYS);
}

/** LLM_PROVIDER & co., or null (then organizations without a key get the built-in path). */
export function platformProvider(c: Config): ProviderConfig | null {
  if (!c.LLM_PROVIDER || !c.LLM_MODEL) return null;
  return {
    provider: c.LLM_PROVIDER,
    baseUrl: c.LLM_BASE_URL ?? (c.LLM_PROVIDER === "ollama" ? OLLAMA_DEFAULT_URL : null),
    apiKey: c.LLM_API_KEY ?? null,
    models: { default: c.LLM_MODEL },
  };
}

export function createLlmService(
  c: Config,
  db: Db,
  link: RedisLink | null,
  log: Logger,
  opts: { fetch?: typeof globalThis.fetch } = {},
): LlmService {
  return new LlmService({
    db,
    ring: keyringFromConfig(c),
    platform: platformProvider(c),
    cache: createLlmCache(db, c.LLM_CACHE_TTL_SECONDS, link ? { link, prefix: c.REDIS_KEY_PREFIX } : null),
    log,
    timeoutMs: c.LLM_TIMEOUT_MS,
    maxAttempts: c.LLM_MAX_ATTEMPTS,
    retryBaseMs: c.LLM_RETRY_BASE_MS,
    ...opts,
  });
}
