import { randomBytes } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { ROLES } from "@modelworks/contracts/roles";
import { z } from "zod";

/**
 * Every setting the server reads from the environment. The README's configuration table is
 * this schema in prose; keep them in step. Values arrive as strings, so numbers and booleans
 * are coerced here and nowhere else.
 */
const booleanFromEnv = z
  .enum(["true", "false", "1", "0", "yes", "no"], { message: "expected true or false" })
  .transform((v) => v === "true" || v === "1" || v === "yes");

const commaList = z.string().transform((v) =>
  v
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean),
);

const positiveInt = (fallback: number) => z.coerce.number().int().positive().default(fallback);

export const EnvSchema = z.object({
  NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
  HOST: z.string().min(1).default("127.0.0.1"),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  PUBLIC_URL: z
    .url({ message: "expected an absolute URL such as https://modelworks.example.com" })
    .optional(),
  DATA_DIR: z.string().min(1).default("./data"),
  DATABASE_URL: z
    .string()
    .regex(/^(postgres(ql)?:\/\/|memory:\/\/$)/, "expected postgres://user@host:port/db or memory://")
    .optional(),
  DATABASE_POOL_MAX: positiveInt(10),
  /** How long a request waits for a database connection before it is answered 503. */
  DATABASE_CONNECT_TIMEOUT_MS: positiveInt(5000),
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\//, "expected redis://host:port")
    .optional(),
  REDIS_KEY_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9:_-]{1,40}$/, "letters, digits, colon, dash, underscore; at most 40")
    .default("mw:"),
  /** A Redis command not answered within this fails, and the caller falls back (no Redis). */
  REDIS_COMMAND_TIMEOUT_MS: z.coerce.number().int().min(50).max(10_000).default(500),
  /** After a failed Redis command, how long Redis is left alone before it is probed again. */
  REDIS_BREAKER_MS: z.coerce.number().int().min(100).max(60_000).default(3000),
  SESSION_SECRET: z.string().min(32, "must be at least 32 characters").optional(),
  SESSION_TTL_HOURS: positiveInt(24 * 7),
  /**
   * How long this process trusts an API key, session or membership it looked up (src/auth/cache.ts);
   * changes flush every instance at once, this bounds a lost flush. 0 turns the cache off.
   */
  AUTH_CACHE_TTL_MS: z.coerce.number().int().min(0).max(600_000).default(5000),
  /**
   * How long this process serves a hot list read it answered before (src/http/read-cache.ts);
   * writes invalidate every instance at once, this bounds a lost message. 0 turns the cache off.
   */
  READ_CACHE_TTL_MS: z.coerce.number().int().min(0).max(600_000).default(2000),
  COOKIE_SECURE: booleanFromEnv.default(true),
  CORS_ORIGINS: commaList
    .pipe(z.array(z.url({ message: "each origin must be an absolute URL" })))
    .default([]),
  TRUST_PROXY: booleanFromEnv.default(false),
  BODY_LIMIT_BYTES: positiveInt(1024 * 1024),
  /**
   * Largest run input: the body of POST /models/{id}/runs and of scenario saves (JSON), and each
   * table file of a multipart run (CSV / NDJSON). A 10,000-deal portfolio is ~1.8 MB of JSON.
   */
  RUN_INPUT_LIMIT_BYTES: positiveInt(20 * 1024 * 1024),
  /** A JSON body that stops arriving for this long (fewer bytes than its Content-Length) gets 408. */
  BODY_IDLE_TIMEOUT_MS: positiveInt(30_000),
  RATE_LIMIT_MAX: positiveInt(300),
  RATE_LIMIT_WINDOW_SECONDS: positiveInt(60),
  /**
   * With Redis: how often an API key's or user's request counts go to Redis (one INCRBY per caller
   * per period instead of a round trip per request; src/http/rate-limit.ts). 0: every request.
   */
  RATE_LIMIT_SYNC_MS: z.coerce.number().int().min(0).max(5000).default(100),
  AUTH_RATE_LIMIT_MAX: positiveInt(20),
  /** Failed sign-ins for one email (from any IP) before that email is refused for the window. */
  SIGN_IN_ACCOUNT_MAX_FAILURES: positiveInt(10),
  SIGN_IN_ACCOUNT_WINDOW_SECONDS: positiveInt(15 * 60),
  /** Where account mail goes: smtp(s)://user:pass@host:port. Unset: mail is printed to stdout. */
  SMTP_URL: z
    .string()
    .regex(/^smtps?:\/\//, "expected smtp://user:pass@host:port or smtps://…")
    .optional(),
  SMTP_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(10_000),
  MAIL_FROM: z.string().min(3).max(200).default("Modelworks <no-reply@modelworks.local>"),
  /** Life of an email-verification link. */
  EMAIL_TOKEN_TTL_HOURS: positiveInt(24),
  /** Threads rendering exports (XLSX, CSV, PDF, Word) off the event loop; started on first use. */
  EXPORT_THREADS: z.coerce.number().int().min(1).max(16).default(1),
  /** Requests per minute per client IP to the public share-link routes. */
  SHARE_RATE_LIMIT_MAX: positiveInt(60),
  JWT_HS256_SECRET: z.string().min(32, "must be at least 32 characters").optional(),
  JWT_JWKS_URL: z.url().optional(),
  JWT_ISSUER: z.string().min(1).optional(),
  JWT_AUDIENCE: z.string().min(1).optional(),
  JWT_EMAIL_CLAIM: z.string().min(1).default("email"),
  JWT_ORG_CLAIM: z.string().min(1).default("org"),
  JWT_ROLE_CLAIM: z.string().min(1).default("role"),
  JWT_DEFAULT_ROLE: z.enum(ROLES).default("viewer"),
  RUN_EMBEDDED_WORKER: booleanFromEnv.default(true),
  INTERNAL_MODELS: booleanFromEnv.default(false),
  RUN_WORKER_THREADS: z.coerce.number().int().min(1).max(64).optional(),
  /** Heap limit of each engine thread; a run that reaches it fails with `resource_limit`. */
  ENGINE_MAX_HEAP_MB: z.coerce.number().int().min(16).max(65_536).default(1024),
  RUN_LEASE_SECONDS: positiveInt(15),
  RUN_HEARTBEAT_MS: positiveInt(1000),
  RUN_POLL_MS: positiveInt(1000),
  RUN_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(10).default(3),
  RUN_TIMEOUT_SECONDS: positiveInt(300),
  RUN_ORG_CONCURRENCY: positiveInt(4),
  /**
   * Short `?wait` runs of warm engines run at once on this process's engine pool and are stored
   * finished in one statement, without the queue round trip (docs/decisions/0051). false: every
   * run is queued (the behaviour before it).
   */
  RUN_FAST_PATH: booleanFromEnv.default(true),
  /** A model whose recent runs took at most this long on the engine counts as short. */
  RUN_FAST_PATH_MAX_MS: positiveInt(50),
  RUN_RATE_LIMIT_PER_HOUR: positiveInt(1000),
  RUN_HEAVY_RATE_LIMIT_PER_HOUR: positiveInt(120),
  CACHE_TTL_SECONDS: positiveInt(24 * 3600),
  REFDATA_AMI_URL: z
    .url({
      protocol: /^https?$/,
      message: "expected an http(s) URL serving the austin-ami-rent-limits table",
    })
    .optional(),
  REFDATA_TAX_URL: z
    .url({ protocol: /^https?$/, message: "expected an http(s) URL serving the austin-tax-rates table" })
    .optional(),
  REFDATA_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(5000),
  REFDATA_CACHE_TTL_SECONDS: positiveInt(3600),
  REFDATA_RETRY_SECONDS: positiveInt(60),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  SEED_DEMO: booleanFromEnv.optional(),
  SHUTDOWN_TIMEOUT_MS: positiveInt(10_000),
  FILES_MAX_BYTES: positiveInt(200 * 1024 * 1024),
  FILES_XLSX_MAX_UNCOMPRESSED_BYTES: positiveInt(1024 * 1024 * 1024),
  FILES_XLSX_MAX_RATIO: positiveInt(200),
  FILES_MAP_MAX_ROWS: positiveInt(100_000),
  FILES_DUCKDB_MEMORY_MB: positiveInt(256),
  /** How long a resumable upload session (POST /uploads) lives before it and its chunks are removed. */
  UPLOADS_SESSION_TTL_HOURS: positiveInt(24),
  /** Minutes between retention sweeps (files, runs, share links past their policy); 0 disables. */
  RETENTION_SWEEP_MINUTES: z.coerce
    .number()
    .int()
    .min(0)
    .max(7 * 24 * 60)
    .default(60),
  /**
   * Seconds between content-ingestion ticks (issue 17): each tick fetches the followed sources
   * that are due (each at its own interval, failing ones backed off); 0 disables.
   */
  CONTENT_INGEST_SECONDS: z.coerce.number().int().min(0).max(3600).default(60),
  // ── LinkedIn publishing (issue 17 item 5; src/linkedin/, decision 0044) ──
  /** The LinkedIn app's client id; without it (and the secret and redirect URL) publishing says "not configured". */
  LINKEDIN_CLIENT_ID: z.string().min(1).optional(),
  LINKEDIN_CLIENT_SECRET: z.string().min(1).optional(),
  /** Registered with the app: this server's GET /api/v1/content/linkedin/callback, as the browser reaches it. */
  LINKEDIN_REDIRECT_URL: z.url({ message: "expected an absolute URL" }).optional(),
  /** Where the authorization page and token endpoint live. */
  LINKEDIN_AUTH_BASE: z.url({ message: "expected an absolute URL" }).default("https://www.linkedin.com"),
  /** Where /v2/userinfo and /rest/posts live. */
  LINKEDIN_API_BASE: z.url({ message: "expected an absolute URL" }).default("https://api.linkedin.com"),
  /** The `LinkedIn-Version` (YYYYMM) the Posts API calls name; LinkedIn sunsets a version after about a year. */
  LINKEDIN_VERSION: z
    .string()
    .regex(/^\d{6}$/, "expected YYYYMM")
    .default("202601"),
  /** Per call to LinkedIn. */
  LINKEDIN_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(15_000),
  /** A 429 whose Retry-After is at most this long is waited out once; longer ones are answered (or rescheduled). */
  LINKEDIN_RETRY_MAX_WAIT_MS: z.coerce.number().int().min(0).max(60_000).default(5_000),
  /** Seconds between ticks of the scheduled-post publisher; 0 disables. */
  LINKEDIN_PUBLISH_SECONDS: z.coerce.number().int().min(0).max(3600).default(30),
  /**
   * Days a stored content item is kept (issue 17): the retention sweep deletes items both published
   * and fetched longer ago, except those cited by a run whose published post has recorded results; 0 keeps all.
   * The default for organizations that have not set their own (PUT /org/retention `contentItemsDays`).
   */
  CONTENT_ITEMS_RETENTION_DAYS: z.coerce.number().int().min(0).max(36_500).default(0),
  // ── Power BI publishing (issue 16 item 5d; src/powerbi/, decision 0048) ──
  /** Microsoft identity platform host; the token endpoint is {host}/{tenant}/oauth2/v2.0/token. Tests point it at a local fake. */
  POWERBI_AUTHORITY_HOST: z.url({ protocol: /^https?$/ }).default("https://login.microsoftonline.com"),
  /** Power BI REST API root (…/v1.0/myorg). Sovereign clouds have their own (api.powerbi.cn, …). */
  POWERBI_API_BASE: z.url({ protocol: /^https?$/ }).default("https://api.powerbi.com/v1.0/myorg"),
  /** Longest Retry-After (seconds) a publish run waits out after a 429 before giving up. */
  POWERBI_MAX_RETRY_AFTER_SECONDS: z.coerce.number().int().min(1).max(3600).default(120),
  // ── Language models (issue 14; src/llm/, README "Language models") ──
  /** Master key wrapping organizations' provider keys: 32 bytes, base64. Generated under DATA_DIR on the embedded default. */
  LLM_MASTER_KEY: z.string().min(40, "expected 32 bytes in base64 (openssl rand -base64 32)").optional(),
  /** Former master keys, comma-separated: still unwrap old rows until `rotateLlmKeys` moves them. */
  LLM_MASTER_KEYS: commaList.default([]),
  /** The platform-wide provider, used where an organization has none; unset: the built-in path. */
  LLM_PROVIDER: z.enum(["openai", "anthropic", "google", "ollama", "openai-compatible"]).optional(),
  LLM_API_KEY: z.string().min(1).optional(),
  LLM_BASE_URL: z.url({ message: "expected an absolute URL such as http://127.0.0.1:11434/v1" }).optional(),
  /** The platform provider's model for every task (`default`). */
  LLM_MODEL: z.string().min(1).optional(),
  /** Per attempt of a model call. */
  LLM_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(60_000),
  /** Attempts of a call after 429, 408, 5xx or a timeout (Retry-After honoured). */
  LLM_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(10).default(3),
  /** First retry delay; doubled each attempt. */
  LLM_RETRY_BASE_MS: z.coerce.number().int().min(1).max(60_000).default(1000),
  /** How long a cached answer lives (Redis and the database). */
  LLM_CACHE_TTL_SECONDS: positiveInt(7 * 24 * 3600),
  S3_BUCKET: z.string().min(3).max(63).optional(),
  S3_REGION: z.string().min(1).default("us-east-1"),
  S3_ENDPOINT: z.url({ message: "expected an absolute URL such as http://127.0.0.1:9000" }).optional(),
  S3_ACCESS_KEY_ID: z.string().min(1).optional(),
  S3_SECRET_ACCESS_KEY: z.string().min(1).optional(),
  S3_FORCE_PATH_STYLE: booleanFromEnv.default(false),
  S3_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9/_.-]{0,200}$/, "letters, digits, slash, dot, dash, underscore")
    .default(""),
});

export type Env = z.infer<typeof EnvSchema>;

export interface Config extends Omit<Env, "SESSION_SECRET" | "PUBLIC_URL" | "SEED_DEMO"> {
  SESSION_SECRET: string;
  PUBLIC_URL: string;
  SEED_DEMO: boolean;
  /** True when running on the embedded PGlite database rather than a PostgreSQL server. */
  embedded: boolean;
}

export class ConfigError extends Error {
  override name = "ConfigError";
}

/**
 * Parses the environment. Throws a ConfigError whose message names every bad variable, so a
 * misconfigured deployment fails at start with something an operator can act on.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = EnvSchema.safeParse(stripEmpty(env));
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => {
      const name = String(i.path[0] ?? "environment");
      const got = env[name] === undefined ? "" : ` (got ${JSON.stringify(redact(name, env[name]))})`;
      return `  ${name}: ${i.message}${got}`;
    });
    throw new ConfigError(`Invalid configuration:\n${lines.join("\n")}`);
  }
  const e = parsed.data;
  const embedded = !e.DATABASE_URL || e.DATABASE_URL === "memory://";
  if (Boolean(e.S3_ACCESS_KEY_ID) !== Boolean(e.S3_SECRET_ACCESS_KEY)) {
    throw new ConfigError(
      "Invalid configuration:\n  S3_SECRET_ACCESS_KEY: set both S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY, or neither",
    );
  }
  if (e.JWT_HS256_SECRET && e.JWT_JWKS_URL) {
    throw new ConfigError(
      "Invalid configuration:\n  JWT_JWKS_URL: set either JWT_HS256_SECRET or JWT_JWKS_URL, not both",
    );
  }
  let sessionSecret = e.SESSION_SECRET;
  if (!sessionSecret) {
    if (!embedded || e.NODE_ENV === "production") {
      throw new ConfigError(
        "Invalid configuration:\n  SESSION_SECRET: required (at least 32 characters) when DATABASE_URL points at a server or NODE_ENV=production",
      );
    }
    sessionSecret = embeddedSecret(e.DATA_DIR, e.DATABASE_URL === "memory://");
  }
  return {
    ...e,
    SESSION_SECRET: sessionSecret,
    PUBLIC_URL: (e.PUBLIC_URL ?? `http://localhost:${e.PORT}`).replace(/\/$/, ""),
    // A demo account with a published password has no place in production, embedded or not.
    SEED_DEMO: e.SEED_DEMO ?? (embedded && e.NODE_ENV !== "production"),
    embedded,
  };
}

/** Empty strings mean "unset" — `FOO= npm start` should not trip a validator. */
function stripEmpty(env: NodeJS.ProcessEnv): Record<string, string> {
  return Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== "")) as Record<
    string,
    string
  >;
}

function redact(name: string, value: string | undefined): string | undefined {
  return /SECRET|PASSWORD|URL|ACCESS_KEY|API_KEY|MASTER_KEY/.test(name) ? "<redacted>" : value;
}

/**
 * On the embedded default there is no operator to set SESSION_SECRET, so one is generated once
 * and kept beside the database: sessions then survive restarts just as the data does.
 */
function embeddedSecret(dataDir: string, inMemory: boolean): string {
  if (inMemory) return randomBytes(32).toString("base64url");
  const file = path.join(dataDir, "session-secret");
  try {
    return readFileSync(file, "utf8").trim();
  } catch {
    mkdirSync(dataDir, { recursive: true });
    const secret = randomBytes(32).toString("base64url");
    writeFileSync(file, secret, { mode: 0o600 });
    return secret;
  }
}
