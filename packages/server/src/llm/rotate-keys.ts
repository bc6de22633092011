import { loadConfig } from "../config.ts";
import { openDatabase } from "../db/client.ts";
import { keyringFromConfig } from "./setup.ts";
import { rotateLlmKeys } from "./store.ts";

/**
 * Master-key rotation, step 2 of 3 (README "Language models"): with the new key in
 * LLM_MASTER_KEY and the old one in LLM_MASTER_KEYS, re-wraps every stored data key under the new
 * key. Safe to run while servers are up (they accept both keys) and to run again (it reports 0).
 *   npx tsx packages/server/src/llm/rotate-keys.ts
 */
const config = loadConfig();
const ring = keyringFromConfig(config);
if (!ring) {
  console.error("LLM_MASTER_KEY is not set: there is nothing to rotate to.");
  process.exit(2);
}
const database = await openDatabase({
  url: config.DATABASE_URL,
  dataDir: config.DATA_DIR,
  poolMax: 2,
  connectTimeoutMs: config.DATABASE_CONNECT_TIMEOUT_MS,
});
try {
  const { rewrapped, unreadable } = await rotateLlmKeys(database.db, ring);
  console.log(
    `Re-wrapped ${rewrapped} sealed secret(s) (provider keys, Power BI secrets, LinkedIn tokens) under master key ${ring.current.id}.`,
  );
  if (unreadable.length) {
    // Not fatal: the others moved. These need their master key back, or their provider re-entered.
    const ids = [...new Set(unreadable.map((u) => u.masterKeyId))].join(", ");
    console.error(
      `${unreadable.length} provider key(s) are wrapped by master key(s) ${ids}, which are not configured: add them to LLM_MASTER_KEYS and run again, or have the organizations add those providers again.`,
    );
    process.exitCode = 1;
  }
} finally {
  await database.close();
}
