import type { Redis } from "ioredis";
import type { AuthCache } from "./auth/cache.ts";
import type { JwtVerifier } from "./auth/jwt.ts";
import type { Config } from "./config.ts";
import type { Database } from "./db/client.ts";
import type { ReadCache } from "./http/read-cache.ts";
import type { LinkedInService } from "./linkedin/service.ts";
import type { LlmService } from "./llm/service.ts";
import type { Mailer } from "./mail/mailer.ts";
import type { RedisLink } from "./redis/link.ts";
import type { ReferenceDataService } from "./reference-data/service.ts";
import type { RunBudget } from "./runs/budget.ts";
import type { ResultCache } from "./runs/cache.ts";
import type { RunEventBus } from "./runs/events.ts";
import type { RunWorker } from "./runs/runner.ts";

/** Everything the server talks to, created by the caller (main.ts or a test) and closed by it. */
export interface AppDeps {
  config: Config;
  database: Database;
  /** Redis's command connection (null without REDIS_URL); use it only while `redisLink.up`. */
  redis: Redis | null;
  /** Whether Redis answers now, and where failures are reported: src/redis/link.ts. */
  redisLink: RedisLink | null;
  jwt: JwtVerifier | null;
  /** API keys, sessions and memberships looked up recently; call `changed()` after changing any. */
  authCache: AuthCache;
  /** Encoded answers of hot list reads per organization; call `changed(orgId)` after writing a cached table. */
  readCache: ReadCache;
  bus: RunEventBus;
  cache: ResultCache;
  runBudget: RunBudget;
  referenceData: ReferenceDataService;
  /** Account mail (verification links); SMTP, or stdout on the embedded default. */
  mailer: Mailer;
  /** Language models for engines and the LLM admin routes (issue 14: src/llm/). */
  llm: LlmService;
  /**
   * The run worker in this process, while one runs (`startWorker` sets it): the API hands it
   * short runs to execute at once (docs/decisions/0051). Absent or null: every run is queued.
   */
  localWorker?: { current: RunWorker | null };
  /** LinkedIn connection and publishing (issue 17 item 5: src/linkedin/); "not configured" without LINKEDIN_*. */
  linkedin: LinkedInService;
}
