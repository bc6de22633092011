import { NEGATIVE_NUMBER_STYLES } from "@modelworks/contracts/number-style";
import type { ResolvedDatasetDto } from "@modelworks/contracts/reference-data";
import { RUN_STATUSES, type RunErrorCode, type RunStatus } from "@modelworks/contracts/run-status";
import type { KeyResultDto, PhaseTimingDto } from "@modelworks/contracts/runs";
import { type SQL, sql } from "drizzle-orm";
import {
  bigint,
  boolean,
  check,
  customType,
  doublePrecision,
  index,
  integer,
  json,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from "drizzle-orm/pg-core";

/**
 * The database schema as code. `npm run db:generate` turns changes here into a SQL migration
 * under ./migrations, which the server applies at start. Every org-owned table carries `orgId`;
 * queries reach those rows only through `orgScope` (../http/access.ts) or an explicit org filter.
 */
const createdAt = () => timestamp("created_at", { withTimezone: true }).notNull().defaultNow();
const updatedAt = () => timestamp("updated_at", { withTimezone: true }).notNull().defaultNow();

export const users = pgTable(
  "users",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    /** Stored lower-cased; uniqueness is on that form. */
    email: text("email").notNull(),
    name: text("name").notNull(),
    /** Null for users provisioned from an external JWT, who never sign in with a password. */
    passwordHash: text("password_hash"),
    /**
     * When the person proved they read mail at `email` (the link sent at sign-up). Unverified
     * password accounts cannot sign in or accept invitations; external identities are never
     * verified by us (their issuer vouches for them within its own organization only).
     */
    emailVerifiedAt: timestamp("email_verified_at", { withTimezone: true }),
    /**
     * For a person authenticated by an external JWT: the token's issuer and subject. Such a user
     * is a separate identity per issuer, never the password account with the same email (a link
     * between the two is an explicit, verified step). Null for password accounts.
     */
    externalIssuer: text("external_issuer"),
    externalSubject: text("external_subject"),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    // One password account per address (linked to an external identity or not); identities
    // provisioned from an external JWT may share it and are keyed by issuer and subject.
    uniqueIndex("users_email_key")
      .on(t.email)
      .where(sql`${t.passwordHash} is not null or ${t.externalIssuer} is null`),
    uniqueIndex("users_external_identity_key")
      .on(t.externalIssuer, t.externalSubject)
      .where(sql`${t.externalIssuer} is not null`),
  ],
);

/**
 * One-time links mailed to a person: email verification at sign-up (and again on request).
 * Only the SHA-256 of the token is stored; a token is spent by setting `usedAt`.
 */
export const emailTokens = pgTable(
  "email_tokens",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    purpose: text("purpose", { enum: ["verify_email"] }).notNull(),
    tokenHash: text("token_hash").notNull(),
    createdAt: createdAt(),
    expiresAt: timestamp("expires_at", { withTimezone: true }).notNull(),
    usedAt: timestamp("used_at", { withTimezone: true }),
  },
  (t) => [
    uniqueIndex("email_tokens_token_hash_key").on(t.tokenHash),
    index("email_tokens_user_idx").on(t.userId),
    check("email_tokens_purpose_check", sql`${t.purpose} in ('verify_email')`),
  ],
);

export const organizations = pgTable(
  "organizations",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    name: text("name").notNull(),
    /** URL-safe handle; external JWTs name an organization by it. */
    slug: text("slug").notNull(),
    /**
     * How the org writes numbers and dates (`en-US`, `de-DE`): its region picks the paper of
     * printed exports (Letter or A4) and the date format. Null: from each run's money.
     */
    locale: text("locale"),
    /** Negatives as `-1,234` (minus) or `(1,234)` (brackets), in every view and export. */
    negativeNumbers: text("negative_numbers", { enum: NEGATIVE_NUMBER_STYLES }).notNull().default("minus"),
    /** Whether negatives are also shown in red. */
    negativesRed: boolean("negatives_red").notNull().default(false),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [uniqueIndex("organizations_slug_key").on(t.slug)],
);

/** The owning organization of an org-scoped row; the row goes when its organization does. */
const orgIdColumn = () =>
  uuid("org_id")
    .notNull()
    .references(() => organizations.id, { onDelete: "cascade" });

export const memberships = pgTable(
  "memberships",
  {
    orgId: orgIdColumn(),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    role: text("role", { enum: ["viewer", "analyst", "admin", "owner"] }).notNull(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    primaryKey({ columns: [t.orgId, t.userId] }),
    index("memberships_user_idx").on(t.userId),
    check("memberships_role_check", sql`${t.role} in ('viewer','analyst','admin','owner')`),
  ],
);

export const sessions = pgTable(
  "sessions",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    /** SHA-256 of the cookie token; the token itself is never stored. */
    tokenHash: text("token_hash").notNull(),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    activeOrgId: uuid("active_org_id").references(() => organizations.id, { onDelete: "set null" }),
    ip: text("ip"),
    userAgent: text("user_agent"),
    createdAt: createdAt(),
    lastSeenAt: timestamp("last_seen_at", { withTimezone: true }).notNull().defaultNow(),
    expiresAt: timestamp("expires_at", { withTimezone: true }).notNull(),
  },
  (t) => [uniqueIndex("sessions_token_hash_key").on(t.tokenHash), index("sessions_user_idx").on(t.userId)],
);

export const invitations = pgTable(
  "invitations",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    orgId: orgIdColumn(),
    email: text("email").notNull(),
    role: text("role", { enum: ["viewer", "analyst", "admin", "owner"] }).notNull(),
    tokenHash: text("token_hash").notNull(),
    invitedBy: uuid("invited_by").references(() => users.id, { onDelete: "set null" }),
    createdAt: createdAt(),
    expiresAt: timestamp("expires_at", { withTimezone: true }).notNull(),
    acceptedAt: timestamp("accepted_at", { withTimezone: true }),
    acceptedBy: uuid("accepted_by").references(() => users.id, { onDelete: "set null" }),
    revokedAt: timestamp("revoked_at", { withTimezone: true }),
  },
  (t) => [
    uniqueIndex("invitations_token_hash_key").on(t.tokenHash),
    index("invitations_org_idx").on(t.orgId),
    check("invitations_role_check", sql`${t.role} in ('viewer','analyst','admin','owner')`),
  ],
);

export const apiKeys = pgTable(
  "api_keys",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    orgId: orgIdColumn(),
    name: text("name").notNull(),
    /** First characters of the key, shown in lists so a person can tell keys apart. */
    prefix: text("prefix").notNull(),
    tokenHash: text("token_hash").notNull(),
    scope: text("scope", { enum: ["read", "run", "admin"] }).notNull(),
    createdBy: uuid("created_by").references(() => users.id, { onDelete: "set null" }),
    createdAt: createdAt(),
    lastUsedAt: timestamp("last_used_at", { withTimezone: true }),
    expiresAt: timestamp("expires_at", { withTimezone: true }),
    revokedAt: timestamp("revoked_at", { withTimezone: true }),
  },
  (t) => [
    uniqueIndex("api_keys_token_hash_key").on(t.tokenHash),
    index("api_keys_org_idx").on(t.orgId),
    check("api_keys_scope_check", sql`${t.scope} in ('read','run','admin')`),
  ],
);

/**
 * Append-only: a trigger in the migrations rejects UPDATE and DELETE. `orgId` has no foreign
 * key on purpose — the record of what happened outlives the organization it happened in.
 */
export const auditEvents = pgTable(
  "audit_events",
  {
    id: bigint("id", { mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    orgId: uuid("org_id"),
    actorType: text("actor_type", { enum: ["user", "api_key", "anonymous", "system"] }).notNull(),
    actorUserId: uuid("actor_user_id"),
    actorApiKeyId: uuid("actor_api_key_id"),
    /** The email a sign-in was attempted with, kept for failed attempts that match no user. */
    actorEmail: text("actor_email"),
    action: text("action").notNull(),
    targetType: text("target_type"),
    targetId: text("target_id"),
    ip: text("ip"),
    userAgent: text("user_agent"),
    requestId: text("request_id"),
    metadata: jsonb("metadata").$type<Record<string, unknown>>().notNull().default({}),
    createdAt: createdAt(),
  },
  (t) => [
    index("audit_events_org_created_idx").on(t.orgId, t.createdAt),
    index("audit_events_actor_user_idx").on(t.actorUserId),
  ],
);

export const projects = pgTable(
  "projects",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    orgId: orgIdColumn(),
    name: text("name").notNull(),
    description: text("description").notNull().default(""),
    status: text("status", { enum: ["active", "archived"] })
      .notNull()
      .default("active"),
    createdBy: uuid("created_by").references(() => users.id, { onDelete: "set null" }),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
    archivedAt: timestamp("archived_at", { withTimezone: true }),
  },
  (t) => [
    uniqueIndex("projects_org_name_key").on(t.orgId, sql`lower(${t.name})`),
    index("projects_org_created_idx").on(t.orgId, t.createdAt),
    check("projects_status_check", sql`${t.status} in ('active','archived')`),
  ],
);

/** A named, editable input set for one model inside a project; its inputs live in revisions. */
export const scenarios = pgTable(
  "scenarios",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    orgId: orgIdColumn(),
    projectId: uuid("project_id")
      .notNull()
      .references(() => projects.id, { onDelete: "cascade" }),
    modelId: text("model_id").notNull(),
    name: text("name").notNull(),
    description: text("description").notNull().default(""),
    currentRevision: integer("current_revision").notNull().default(1),
    createdBy: uuid("created_by").references(() => users.id, { onDelete: "set null" }),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex("scenarios_project_name_key").on(t.projectId, sql`lower(${t.name})`),
    index("scenarios_org_idx").on(t.orgId),
  ],
);

/** Every saved edit of a scenario's input; never updated, so history can be shown and diffed. */
export const scenarioRevisions = pgTable(
  "scenario_revisions",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    orgId: orgIdColumn(),
    scenarioId: uuid("scenario_id")
      .notNull()
      .references(() => scenarios.id, { onDelete: "cascade" }),
    revision: integer("revision").notNull(),
    modelVersion: text("model_version").notNull(),
    input: jsonb("input").$type<unknown>().notNull(),
    inputHash: text("input_hash").notNull(),
    note: text("note").notNull().default(""),
    createdBy: uuid("created_by").references(() => users.id, { onDelete: "set null" }),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex("scenario_revisions_scenario_revision_key").on(t.scenarioId, t.revision)],
);

export { RUN_STATUSES, type RunStatus };

/** A what-if batch: one or two input fields varied over a grid; its runs point back at it. */
export const sweeps = pgTable(
  "sweeps",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    orgId: orgIdColumn(),
    modelId: text("model_id").notNull(),
    modelVersion: text("model_version").notNull(),
    projectId: uuid("project_id").references(() => projects.id, { onDelete: "set null" }),
    baseInput: jsonb("base_input").$type<unknown>().notNull(),
    parameters: jsonb("parameters").$type<{ path: string; values: unknown[] }[]>().notNull(),
    /** Numeric output paths collected into the sweep's points and sensitivity table. */
    outputs: jsonb("outputs").$type<string[]>().notNull().default([]),
    /** The run of each grid point, in grid order (first parameter outermost). */
    runIds: jsonb("run_ids").$type<string[]>().notNull().default([]),
    createdBy: uuid("created_by").references(() => users.id, { onDelete: "set null" }),
    createdAt: createdAt(),
  },
  (t) => [index("sweeps_org_idx").on(t.orgId, t.createdAt)],
);

/**
 * An immutable record of one model run — and, while it is queued or running, its job: workers
 * claim rows with FOR UPDATE SKIP LOCKED and hold them by a lease they renew (docs/decisions/0005).
 * Only the lifecycle columns change; the input, model version and hash never do.
 */
export const runs = pgTable(
  "runs",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    orgId: orgIdColumn(),
    projectId: uuid("project_id").references(() => projects.id, { onDelete: "set null" }),
    scenarioId: uuid("scenario_id").references(() => scenarios.id, { onDelete: "set null" }),
    scenarioRevision: integer("scenario_revision"),
    sweepId: uuid("sweep_id").references(() => sweeps.id, { onDelete: "set null" }),
    modelId: text("model_id").notNull(),
    modelVersion: text("model_version").notNull(),
    input: jsonb("input").$type<unknown>().notNull(),
    inputHash: text("input_hash").notNull(),
    status: text("status", { enum: RUN_STATUSES }).notNull().default("queued"),
    progress: doublePrecision("progress").notNull().default(0),
    progressMessage: text("progress_message"),
    /**
     * `json`, not `jsonb`: the output is written once and read whole, so it is stored as the text
     * the engine wrote. Parsing ~50 KB of numbers into jsonb cost PostgreSQL ~1 ms per run, two
     * thirds of its work for a short run (issue 20; docs/decisions/0052). Queries into it cast.
     */
    output: json("output").$type<unknown>(),
    error: jsonb("error").$type<{
      code: RunErrorCode;
      message: string;
      issues?: { path: string; message: string }[];
    }>(),
    cacheHit: boolean("cache_hit").notNull().default(false),
    cachedFromRunId: uuid("cached_from_run_id"),
    createdBy: uuid("created_by").references(() => users.id, { onDelete: "set null" }),
    createdByApiKey: uuid("created_by_api_key").references(() => apiKeys.id, { onDelete: "set null" }),
    createdAt: createdAt(),
    startedAt: timestamp("started_at", { withTimezone: true }),
    finishedAt: timestamp("finished_at", { withTimezone: true }),
    timeoutMs: integer("timeout_ms").notNull(),
    attempts: integer("attempts").notNull().default(0),
    maxAttempts: integer("max_attempts").notNull().default(3),
    /**
     * Times an engine process died while running this run. A run that has crashed one process is
     * run again alone in a fresh one; if that one dies too, the run is the cause (poison) and fails.
     */
    crashCount: integer("crash_count").notNull().default(0),
    availableAt: timestamp("available_at", { withTimezone: true }).notNull().defaultNow(),
    leaseOwner: text("lease_owner"),
    leaseExpiresAt: timestamp("lease_expires_at", { withTimezone: true }),
    cancelRequestedAt: timestamp("cancel_requested_at", { withTimezone: true }),
    /**
     * The reference tables resolved for the run (models that declare `data`): which edition, from
     * where, and the tables themselves — so a retry computes on the same data. Null otherwise.
     */
    referenceData: jsonb("reference_data").$type<{
      datasets: ResolvedDatasetDto[];
      data: Record<string, unknown>;
    }>(),
    /** Fingerprint of those tables; part of the result-cache key. */
    referenceDataKey: text("reference_data_key"),
    /**
     * The model's key result of this run (label, value, unit), taken from its output when it
     * succeeds, so a list of runs shows it without reading every output.
     */
    keyResult: jsonb("key_result").$type<KeyResultDto>(),
    /**
     * When each phase the engine reported (its progress messages) started and ended, as the
     * worker saw them: engines are pure and have no clock. Null for cached runs and for runs
     * whose engine reports no messages.
     */
    phaseTimings: jsonb("phase_timings").$type<PhaseTimingDto[]>(),
  },
  (t) => [
    index("runs_org_created_idx").on(t.orgId, t.createdAt),
    index("runs_queue_idx").on(t.availableAt, t.createdAt).where(sql`${t.status} = 'queued'`),
    index("runs_running_idx").on(t.leaseExpiresAt).where(sql`${t.status} = 'running'`),
    index("runs_cache_idx")
      .on(t.orgId, t.modelId, t.modelVersion, t.inputHash)
      .where(sql`${t.status} = 'succeeded'`),
    index("runs_sweep_idx").on(t.sweepId),
    check("runs_status_check", sql`${t.status} in (${sql.raw(RUN_STATUSES.map((s) => `'${s}'`).join(","))})`),
    check("runs_progress_check", sql`${t.progress} >= 0 and ${t.progress} <= 1`),
  ],
);

/**
 * A read-only link for people without an account, to one run's results (or a comparison of
 * runs) or to a dashboard (a conversation's current plan, live: it follows new revisions). The
 * token is shown once; only its SHA-256 is stored. It expires, can be revoked, and counts its
 * uses. `runIds` is ordered: the first is the run (or a comparison's baseline); a dashboard
 * link has none. The link goes with its dashboard (cascade), so a deleted dashboard's token no
 * longer opens anything.
 */
export const shareLinks = pgTable(
  "share_links",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    orgId: orgIdColumn(),
    runIds: jsonb("run_ids").$type<string[]>().notNull(),
    conversationId: uuid("conversation_id").references(() => conversations.id, { onDelete: "cascade" }),
    label: text("label").notNull().default(""),
    tokenHash: text("token_hash").notNull(),
    expiresAt: timestamp("expires_at", { withTimezone: true }).notNull(),
    revokedAt: timestamp("revoked_at", { withTimezone: true }),
    createdBy: uuid("created_by").references(() => users.id, { onDelete: "set null" }),
    createdByApiKey: uuid("created_by_api_key").references(() => apiKeys.id, { onDelete: "set null" }),
    createdAt: createdAt(),
    accessCount: integer("access_count").notNull().default(0),
    lastAccessedAt: timestamp("last_accessed_at", { withTimezone: true }),
  },
  (t) => [
    uniqueIndex("share_links_token_hash_key").on(t.tokenHash),
    index("share_links_org_created_idx").on(t.orgId, t.createdAt),
    index("share_links_conversation_idx").on(t.conversationId),
    // A run link names runs and no conversation; a dashboard link a conversation and no run.
    check(
      "share_links_target_check",
      sql`(${t.conversationId} is null) = (jsonb_array_length(${t.runIds}) > 0)`,
    ),
  ],
);

/**
 * An uploaded table (CSV or one sheet of an XLSX). The original bytes live in the file store under
 * `<orgId>/<sha256>` (shared by re-readings of the same content), the parsed, typed table as
 * Parquet under `dataKey`. Re-uploading the same content with the same parse options answers
 * with the existing file.
 */
export const files = pgTable(
  "files",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    orgId: orgIdColumn(),
    name: text("name").notNull(),
    kind: text("kind", { enum: ["csv", "xlsx"] }).notNull(),
    contentType: text("content_type").notNull(),
    sizeBytes: bigint("size_bytes", { mode: "number" }).notNull(),
    sha256: text("sha256").notNull(),
    /** The parse options asked for (`sheet=…`, `delimiter=…`), '' for the defaults. */
    parseOptions: text("parse_options").notNull().default(""),
    storageKey: text("storage_key").notNull(),
    dataKey: text("data_key").notNull(),
    rowCount: integer("row_count").notNull(),
    /** How it was read: delimiter, encoding, sheet, sheets, renamed headers. */
    layout: jsonb("layout").$type<Record<string, unknown>>().notNull(),
    /** One profile per column, in file order. */
    profile: jsonb("profile").$type<unknown[]>().notNull(),
    createdBy: uuid("created_by").references(() => users.id, { onDelete: "set null" }),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex("files_org_content_key").on(t.orgId, t.sha256, t.parseOptions),
    index("files_org_created_idx").on(t.orgId, t.createdAt),
    check("files_kind_check", sql`${t.kind} in ('csv','xlsx')`),
  ],
);

/** A saved way of turning an uploaded table's columns into a model input table's rows. */
export const fieldMappings = pgTable(
  "field_mappings",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    orgId: orgIdColumn(),
    name: text("name").notNull(),
    /** The target: a model's input table (modelId + field), or a standard schema (schema = field). */
    modelId: text("model_id"),
    schema: text("schema"),
    field: text("field").notNull(),
    columns: jsonb("columns").$type<unknown[]>().notNull(),
    createdBy: uuid("created_by").references(() => users.id, { onDelete: "set null" }),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex("field_mappings_org_name_key").on(t.orgId, sql`lower(${t.name})`),
    index("field_mappings_org_idx").on(t.orgId, t.modelId),
    check("field_mappings_target_check", sql`(${t.modelId} is null) <> (${t.schema} is null)`),
  ],
);

/**
 * A fitted model as a versioned, immutable artifact (issue 15 item 8): what `modelworks score`
 * reads (`artifact`), where it came from (the fit run, the data fingerprint) and its state. Only
 * the state columns ever change; `source_run_id` has no foreign key so that deleting the run
 * leaves the record of provenance.
 */
export const modelArtifacts = pgTable(
  "model_artifacts",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    orgId: orgIdColumn(),
    name: text("name").notNull(),
    version: integer("version").notNull(),
    state: text("state", { enum: ["draft", "approved", "retired"] })
      .notNull()
      .default("draft"),
    modelId: text("model_id").notNull(),
    modelVersion: text("model_version").notNull(),
    sourceRunId: uuid("source_run_id").notNull(),
    dataFingerprint: text("data_fingerprint").notNull(),
    artifact: jsonb("artifact").$type<Record<string, unknown>>().notNull(),
    gatePass: boolean("gate_pass").notNull(),
    gateOverrideReason: text("gate_override_reason"),
    createdBy: uuid("created_by").references(() => users.id, { onDelete: "set null" }),
    createdAt: createdAt(),
    approvedBy: uuid("approved_by").references(() => users.id, { onDelete: "set null" }),
    approvedAt: timestamp("approved_at", { withTimezone: true }),
    retiredBy: uuid("retired_by").references(() => users.id, { onDelete: "set null" }),
    retiredAt: timestamp("retired_at", { withTimezone: true }),
  },
  (t) => [
    uniqueIndex("model_artifacts_org_name_version_key").on(t.orgId, sql`lower(${t.name})`, t.version),
    index("model_artifacts_org_created_idx").on(t.orgId, t.createdAt),
    check("model_artifacts_state_check", sql`${t.state} in ('draft','approved','retired')`),
  ],
);

/**
 * A resumable upload in progress (POST /uploads, then PATCH chunks with Upload-Offset): the
 * state every instance shares. The chunks themselves are objects in the file store, listed in
 * `chunks` in offset order; `offsetBytes` is what has been persisted, never what is in flight.
 */
export const uploadSessions = pgTable(
  "upload_sessions",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    orgId: orgIdColumn(),
    name: text("name").notNull(),
    kind: text("kind", { enum: ["csv", "xlsx"] }).notNull(),
    /** Declared by the client at creation; the upload is complete when offsetBytes reaches it. */
    sizeBytes: bigint("size_bytes", { mode: "number" }).notNull(),
    offsetBytes: bigint("offset_bytes", { mode: "number" }).notNull().default(0),
    /** `{ sheet?, delimiter? }`, as POST /files takes them. */
    parseOptions: jsonb("parse_options").$type<{ sheet?: string; delimiter?: string }>().notNull(),
    /** Stored chunk objects in offset order: `{ key, sizeBytes }`. */
    chunks: jsonb("chunks").$type<{ key: string; sizeBytes: number }[]>().notNull().default([]),
    /** receiving → checking → parsing → profiling → stored | failed. */
    phase: text("phase", {
      enum: ["receiving", "checking", "parsing", "profiling", "stored", "failed"],
    })
      .notNull()
      .default("receiving"),
    /** Why the upload failed, for a person (phase `failed`). */
    error: text("error"),
    fileId: uuid("file_id").references(() => files.id, { onDelete: "set null" }),
    createdBy: uuid("created_by").references(() => users.id, { onDelete: "set null" }),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
    expiresAt: timestamp("expires_at", { withTimezone: true }).notNull(),
  },
  (t) => [
    index("upload_sessions_org_created_idx").on(t.orgId, t.createdAt),
    index("upload_sessions_expires_idx").on(t.expiresAt),
    check(
      "upload_sessions_phase_check",
      sql`${t.phase} in ('receiving','checking','parsing','profiling','stored','failed')`,
    ),
    check("upload_sessions_kind_check", sql`${t.kind} in ('csv','xlsx')`),
    check("upload_sessions_offset_check", sql`${t.offsetBytes} >= 0 and ${t.offsetBytes} <= ${t.sizeBytes}`),
  ],
);

/**
 * How long an organization keeps what piles up (docs/decisions/0014-retention-and-privacy.md).
 * An organization without a row keeps the defaults below; a null means "keep forever". The
 * retention sweep (../retention/sweep.ts) applies it.
 */
export const RETENTION_DEFAULTS = { filesDays: 30, runsDays: null, expiredShareLinksDays: 30 } as const;
export const retentionPolicies = pgTable(
  "retention_policies",
  {
    orgId: uuid("org_id")
      .primaryKey()
      .references(() => organizations.id, { onDelete: "cascade" }),
    /** Uploaded files (original bytes and parsed data) older than this are deleted. */
    filesDays: integer("files_days").default(RETENTION_DEFAULTS.filesDays),
    /** Finished runs (succeeded, failed, canceled) older than this are deleted; never queued or running ones. */
    runsDays: integer("runs_days"),
    /** Share links this long past their expiry or revocation are deleted. */
    expiredShareLinksDays: integer("expired_share_links_days").default(
      RETENTION_DEFAULTS.expiredShareLinksDays,
    ),
    /**
     * Stored content items (issue 17) older than this are deleted; 0 keeps them all; null follows
     * the server's CONTENT_ITEMS_RETENTION_DAYS.
     */
    contentItemsDays: integer("content_items_days"),
    updatedBy: uuid("updated_by").references(() => users.id, { onDelete: "set null" }),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    check("retention_policies_files_days_check", sql`${t.filesDays} between 1 and 3650`),
    check("retention_policies_runs_days_check", sql`${t.runsDays} between 1 and 3650`),
    check("retention_policies_share_links_days_check", sql`${t.expiredShareLinksDays} between 1 and 3650`),
    check("retention_policies_content_items_days_check", sql`${t.contentItemsDays} between 0 and 36500`),
  ],
);

// ── Language models (issue 14; src/llm/) ──────────────────────────────────────────────────────

/**
 * An organization's language-model provider. The key is envelope-encrypted (src/llm/crypto.ts):
 * `keyCiphertext` under a random data key, that key wrapped by master key `masterKeyId`. Only the
 * last four characters (`keyHint`) are ever shown again. The newest unrevoked row is the one used.
 */
export const llmProviders = pgTable(
  "llm_providers",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    orgId: uuid("org_id")
      .notNull()
      .references(() => organizations.id, { onDelete: "cascade" }),
    provider: text("provider").notNull(),
    /** The admin's name for it ("OpenAI – cheap"), to tell two configs of one provider apart. */
    label: text("label"),
    baseUrl: text("base_url"),
    /** `{ default, classify?, draft?, … }`: the model per task. */
    models: jsonb("models").$type<{ default: string } & Record<string, string>>().notNull(),
    keyCiphertext: text("key_ciphertext"),
    wrappedDataKey: text("wrapped_data_key"),
    masterKeyId: text("master_key_id"),
    keyHint: text("key_hint"),
    createdBy: uuid("created_by").references(() => users.id, { onDelete: "set null" }),
    createdAt: createdAt(),
    lastTestedAt: timestamp("last_tested_at", { withTimezone: true }),
    revokedAt: timestamp("revoked_at", { withTimezone: true }),
  },
  (t) => [index("llm_providers_org_idx").on(t.orgId, t.createdAt)],
);

/** Per-organization settings: monthly budget, body storage (audit), price overrides. */
export const llmSettings = pgTable("llm_settings", {
  orgId: uuid("org_id")
    .primaryKey()
    .references(() => organizations.id, { onDelete: "cascade" }),
  /** null: no budget. */
  monthlyBudgetUsd: doublePrecision("monthly_budget_usd"),
  /** Keep prompt and response bodies of calls (with the runs' retention). Off by default. */
  storeBodies: boolean("store_bodies").notNull().default(false),
  /** `{ model: { inputPerMTokUsd, outputPerMTokUsd } }`, over the built-in price table. */
  prices: jsonb("prices")
    .$type<Record<string, { inputPerMTokUsd: number; outputPerMTokUsd: number }>>()
    .notNull()
    .default({}),
  /**
   * `{ task: { providerId, model } }`: a task served by a provider other than the default (the
   * newest), e.g. a cheap model for `classify` on one, a strong one for `draft` on another.
   */
  taskRoutes: jsonb("task_routes")
    .$type<Partial<Record<string, { providerId: string; model: string }>>>()
    .notNull()
    .default({}),
  updatedBy: uuid("updated_by").references(() => users.id, { onDelete: "set null" }),
  updatedAt: updatedAt(),
});

/**
 * An organization's Power BI connection (issue 16 item 5d): a Microsoft Entra app registration
 * (tenant, client id, client secret) allowed into one workspace. The secret is sealed like the LLM
 * keys (decision 0028: a data key per secret, wrapped by LLM_MASTER_KEY, the org id as context).
 */
export const powerBiConnections = pgTable("powerbi_connections", {
  orgId: uuid("org_id")
    .primaryKey()
    .references(() => organizations.id, { onDelete: "cascade" }),
  tenantId: text("tenant_id").notNull(),
  clientId: text("client_id").notNull(),
  groupId: text("group_id").notNull(),
  secretCiphertext: text("secret_ciphertext").notNull(),
  wrappedDataKey: text("wrapped_data_key").notNull(),
  masterKeyId: text("master_key_id").notNull(),
  secretHint: text("secret_hint").notNull(),
  updatedBy: uuid("updated_by").references(() => users.id, { onDelete: "set null" }),
  updatedAt: updatedAt(),
  lastTestedAt: timestamp("last_tested_at", { withTimezone: true }),
});

/** One row per model call (metering and audit): who, which engine and run, tokens, cost, latency. */
export const llmCalls = pgTable(
  "llm_calls",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    orgId: uuid("org_id")
      .notNull()
      .references(() => organizations.id, { onDelete: "cascade" }),
    userId: uuid("user_id").references(() => users.id, { onDelete: "set null" }),
    /** The run that asked (null: a key test); kept when the run is deleted, for usage totals. */
    runId: uuid("run_id"),
    /** The engine (model id) that asked, or "platform" for a key test. */
    engineId: text("engine_id").notNull(),
    provider: text("provider").notNull(),
    model: text("model").notNull(),
    task: text("task").notNull(),
    inputTokens: integer("input_tokens").notNull().default(0),
    outputTokens: integer("output_tokens").notNull().default(0),
    costUsd: doublePrecision("cost_usd").notNull().default(0),
    latencyMs: integer("latency_ms").notNull().default(0),
    cacheHit: boolean("cache_hit").notNull().default(false),
    /** "ok" or the error code the call failed with. */
    status: text("status").notNull(),
    /** SHA-256 of provider, model, prompt, schema and temperature (also the cache key). */
    promptHash: text("prompt_hash").notNull(),
    createdAt: createdAt(),
  },
  (t) => [index("llm_calls_org_created_idx").on(t.orgId, t.createdAt)],
);

/** Prompt and response bodies, only when the org enables it; deleted with their run (retention). */
export const llmCallBodies = pgTable("llm_call_bodies", {
  callId: uuid("call_id")
    .primaryKey()
    .references(() => llmCalls.id, { onDelete: "cascade" }),
  orgId: uuid("org_id")
    .notNull()
    .references(() => organizations.id, { onDelete: "cascade" }),
  runId: uuid("run_id").references(() => runs.id, { onDelete: "cascade" }),
  request: jsonb("request").notNull(),
  response: jsonb("response"),
  createdAt: createdAt(),
});

/** Answers of deterministic calls (temperature 0), per organization; Redis serves them when up. */
export const llmCache = pgTable(
  "llm_cache",
  {
    orgId: uuid("org_id")
      .notNull()
      .references(() => organizations.id, { onDelete: "cascade" }),
    promptHash: text("prompt_hash").notNull(),
    value: jsonb("value").notNull(),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.orgId, t.promptHash] })],
);

/* ------------------------------------------------------------------------------------------- */
/* Content sources (issue 17): followed feeds and pages, their items, fetch history, posts and  */
/* the feedback those posts got. docs/decisions/0038-content-sources-on-the-platform.md.        */

export const CONTENT_SOURCE_KINDS = ["rss", "atom", "json-feed", "sitemap", "page"] as const;

const tsvector = customType<{ data: string }>({ dataType: () => "tsvector" });

/**
 * A followed source of one organization (or of one person in it, `ownerUserId`). Its health is
 * kept on the row: a failing source is backed off (`nextAttemptAt`) and shown failing, never
 * dropped. `leaseUntil` is the ingestion claim: one instance fetches a due source at a time.
 */
export const contentSources = pgTable(
  "content_sources",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    orgId: orgIdColumn(),
    /** Null: the organization's; else followed by this person only. */
    ownerUserId: uuid("owner_user_id").references(() => users.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    url: text("url").notNull(),
    kind: text("kind", { enum: CONTENT_SOURCE_KINDS }).notNull(),
    host: text("host").notNull(),
    domains: jsonb("domains").$type<string[]>().notNull().default([]),
    credibility: doublePrecision("credibility").notNull(),
    tier: text("tier", { enum: ["premium", "standard", "experimental"] })
      .notNull()
      .default("standard"),
    intervalMinutes: integer("interval_minutes").notNull(),
    enabled: boolean("enabled").notNull().default(true),
    /** Validators of the last successful fetch, sent back as a conditional GET. */
    etag: text("etag"),
    lastModified: text("last_modified"),
    /** "new" until the first fetch; then "ok" or "failing". */
    status: text("status", { enum: ["new", "ok", "failing"] })
      .notNull()
      .default("new"),
    consecutiveFailures: integer("consecutive_failures").notNull().default(0),
    failingSince: timestamp("failing_since", { withTimezone: true }),
    lastError: text("last_error"),
    lastAttemptAt: timestamp("last_attempt_at", { withTimezone: true }),
    lastSuccessAt: timestamp("last_success_at", { withTimezone: true }),
    nextAttemptAt: timestamp("next_attempt_at", { withTimezone: true }).notNull().defaultNow(),
    leaseUntil: timestamp("lease_until", { withTimezone: true }),
    createdBy: uuid("created_by").references(() => users.id, { onDelete: "set null" }),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex("content_sources_org_url_key").on(t.orgId, t.url),
    index("content_sources_due_idx").on(t.nextAttemptAt).where(sql`${t.enabled}`),
    check("content_sources_credibility_check", sql`${t.credibility} >= 0 and ${t.credibility} <= 1`),
    check("content_sources_interval_check", sql`${t.intervalMinutes} > 0`),
  ],
);

/**
 * An article from a source. De-duplicated per organization by canonical URL (`urlKey`, unique)
 * and by content hash (a second copy is not stored); a near-copy is stored but points at its
 * original (`duplicateOfId`) and is left out of retrieval. `search` is the full-text index.
 */
export const contentItems = pgTable(
  "content_items",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    orgId: orgIdColumn(),
    sourceId: uuid("source_id")
      .notNull()
      .references(() => contentSources.id, { onDelete: "cascade" }),
    urlKey: text("url_key").notNull(),
    url: text("url").notNull(),
    canonicalUrl: text("canonical_url"),
    title: text("title").notNull(),
    text: text("text").notNull(),
    author: text("author"),
    publishedAt: timestamp("published_at", { withTimezone: true }).notNull(),
    /** False when the source gave no date and the fetch time stands in. */
    datedBySource: boolean("dated_by_source").notNull(),
    contentHash: text("content_hash").notNull(),
    duplicateOfId: uuid("duplicate_of_id"),
    duplicateSimilarity: doublePrecision("duplicate_similarity"),
    /**
     * Whether the item's MinHash LSH bands are in content_item_bands (decision 0047). False for
     * items stored before them or by a path that does not compute them: they get theirs at their
     * organization's next store.
     */
    banded: boolean("banded").notNull().default(false),
    fetchedAt: timestamp("fetched_at", { withTimezone: true }).notNull().defaultNow(),
    search: tsvector("search")
      .notNull()
      .generatedAlwaysAs(
        (): SQL =>
          sql`setweight(to_tsvector('english', coalesce(${contentItems.title}, '')), 'A') || setweight(to_tsvector('english', left(coalesce(${contentItems.text}, ''), 100000)), 'B')`,
      ),
  },
  (t) => [
    uniqueIndex("content_items_org_url_key").on(t.orgId, t.urlKey),
    index("content_items_org_hash_idx").on(t.orgId, t.contentHash),
    index("content_items_org_published_idx").on(t.orgId, t.publishedAt),
    index("content_items_source_idx").on(t.sourceId, t.publishedAt),
    index("content_items_search_idx").using("gin", t.search),
    index("content_items_unbanded_idx").on(t.orgId, t.publishedAt).where(sql`not ${t.banded}`),
  ],
);

/**
 * An item's MinHash LSH band hashes (the engine's lshBands: the band's number and the
 * organization hashed in), one row each: a newcomer's near-copy candidates are the items sharing
 * one (decision 0047). Deleted with the item.
 */
export const contentItemBands = pgTable(
  "content_item_bands",
  {
    orgId: orgIdColumn(),
    hash: integer("hash").notNull(),
    itemId: uuid("item_id")
      .notNull()
      .references(() => contentItems.id, { onDelete: "cascade" }),
  },
  (t) => [
    primaryKey({ columns: [t.orgId, t.hash, t.itemId] }),
    index("content_item_bands_item_idx").on(t.itemId),
  ],
);

/** One fetch of one source: what came back, for the source's history. */
export const contentFetches = pgTable(
  "content_fetches",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    orgId: orgIdColumn(),
    sourceId: uuid("source_id")
      .notNull()
      .references(() => contentSources.id, { onDelete: "cascade" }),
    startedAt: timestamp("started_at", { withTimezone: true }).notNull(),
    durationMs: integer("duration_ms").notNull(),
    /** ok, not-modified (304) or failed. */
    outcome: text("outcome", { enum: ["ok", "not-modified", "failed"] }).notNull(),
    error: text("error"),
    itemsNew: integer("items_new").notNull().default(0),
    itemsDuplicate: integer("items_duplicate").notNull().default(0),
    itemsNearDuplicate: integer("items_near_duplicate").notNull().default(0),
    skipped: jsonb("skipped").$type<{ url: string; reason: string }[]>().notNull().default([]),
  },
  (t) => [index("content_fetches_source_idx").on(t.sourceId, t.startedAt)],
);

/** A draft a person published (from a content-intel run, or written elsewhere), for feedback. */
export const contentPosts = pgTable(
  "content_posts",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    orgId: orgIdColumn(),
    /** The writer: feedback and learning are per person. */
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    runId: uuid("run_id").references(() => runs.id, { onDelete: "set null" }),
    variantKind: text("variant_kind").notNull(),
    text: text("text").notNull(),
    domains: jsonb("domains").$type<string[]>().notNull().default([]),
    publishedAt: timestamp("published_at", { withTimezone: true }).notNull(),
    hourLocal: integer("hour_local"),
    /** The LinkedIn post URN (urn:li:share:… / urn:li:ugcPost:…) or its URL, as analytics exports name it. */
    externalId: text("external_id"),
    predicted: doublePrecision("predicted"),
    /**
     * The text's claim and voice check when it was recorded (as on content_publications): []
     * clean, the flags the writer accepted, null when not checked (no run to check against).
     */
    flags: jsonb("flags").$type<DraftFlagRow[] | null>(),
    createdAt: createdAt(),
  },
  (t) => [
    index("content_posts_user_idx").on(t.orgId, t.userId, t.publishedAt),
    uniqueIndex("content_posts_org_external_key").on(t.orgId, t.externalId),
  ],
);

/** How a post did, as recorded (by hand or from an analytics export); the latest row counts. */
export const contentFeedback = pgTable(
  "content_feedback",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    orgId: orgIdColumn(),
    postId: uuid("post_id")
      .notNull()
      .references(() => contentPosts.id, { onDelete: "cascade" }),
    impressions: integer("impressions").notNull(),
    reactions: integer("reactions").notNull(),
    comments: integer("comments").notNull(),
    reposts: integer("reposts").notNull(),
    origin: text("origin", { enum: ["manual", "import"] }).notNull(),
    fileId: uuid("file_id"),
    recordedBy: uuid("recorded_by").references(() => users.id, { onDelete: "set null" }),
    recordedAt: timestamp("recorded_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index("content_feedback_post_idx").on(t.postId, t.recordedAt),
    check(
      "content_feedback_counts_check",
      sql`${t.impressions} >= 1 and ${t.reactions} >= 0 and ${t.comments} >= 0 and ${t.reposts} >= 0`,
    ),
  ],
);

// ── LinkedIn publishing (issue 17 item 5; src/linkedin/, decision 0044) ──────────────────────

/** A sealed token: the envelope of llm/crypto.ts (ciphertext, wrapped data key, master key id). */
export interface SealedToken {
  keyCiphertext: string;
  wrappedDataKey: string;
  masterKeyId: string;
}

/**
 * A person's LinkedIn authorization in one organization: the member it acts as and the tokens,
 * sealed with the LLM keys' envelope encryption bound to `linkedin:{orgId}:{userId}` (a row copied
 * to another person or organization does not decrypt).
 */
export const linkedinConnections = pgTable(
  "linkedin_connections",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    orgId: orgIdColumn(),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    /** urn:li:person:{sub}, from /v2/userinfo. */
    memberUrn: text("member_urn").notNull(),
    memberName: text("member_name"),
    scope: text("scope").notNull(),
    accessToken: jsonb("access_token").$type<SealedToken>().notNull(),
    accessExpiresAt: timestamp("access_expires_at", { withTimezone: true }).notNull(),
    refreshToken: jsonb("refresh_token").$type<SealedToken>(),
    refreshExpiresAt: timestamp("refresh_expires_at", { withTimezone: true }),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [uniqueIndex("linkedin_connections_org_user_key").on(t.orgId, t.userId)],
);

/**
 * An authorization in flight: the hash of the `state` sent to LinkedIn, bound to the person and
 * organization that asked; the callback deletes it (single use) and refuses it once expired.
 */
export const linkedinOauthStates = pgTable(
  "linkedin_oauth_states",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    orgId: orgIdColumn(),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    stateHash: text("state_hash").notNull(),
    expiresAt: timestamp("expires_at", { withTimezone: true }).notNull(),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex("linkedin_oauth_states_hash_key").on(t.stateHash)],
);

/**
 * A draft sent (or to be sent) to LinkedIn. `scheduled` rows are claimed by the publisher with
 * SKIP LOCKED and moved to `publishing` in the same statement, so each is posted once across
 * instances; `published` ones name the URN and the content post recorded for feedback.
 */
/** A draft flag as stored (contracts `DraftFlag`). */
export interface DraftFlagRow {
  kind: "unsupported-claim" | "too-long" | "too-many-hashtags" | "banned-word" | "unknown-citation";
  message: string;
  text?: string;
  start?: number;
  end?: number;
}

export const contentPublications = pgTable(
  "content_publications",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    orgId: orgIdColumn(),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    runId: uuid("run_id").references(() => runs.id, { onDelete: "set null" }),
    variantKind: text("variant_kind").notNull(),
    text: text("text").notNull(),
    domains: jsonb("domains").$type<string[]>().notNull().default([]),
    hourLocal: integer("hour_local"),
    predicted: doublePrecision("predicted"),
    status: text("status", {
      enum: ["scheduled", "publishing", "published", "failed", "cancelled"],
    }).notNull(),
    scheduledAt: timestamp("scheduled_at", { withTimezone: true }),
    /** A `publishing` row whose lease passed was interrupted (see the publisher). */
    leaseUntil: timestamp("lease_until", { withTimezone: true }),
    attempts: integer("attempts").notNull().default(0),
    publishedAt: timestamp("published_at", { withTimezone: true }),
    urn: text("urn"),
    postId: uuid("post_id").references(() => contentPosts.id, { onDelete: "set null" }),
    error: text("error"),
    /**
     * The text's claim and voice check when it was accepted: [] clean, flags when the writer
     * published it anyway, null when there was nothing to check against (no run).
     */
    flags: jsonb("flags").$type<DraftFlagRow[] | null>(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    index("content_publications_due_idx").on(t.status, t.scheduledAt),
    index("content_publications_user_idx").on(t.orgId, t.userId, t.createdAt),
  ],
);

// ── Dashboard conversations (issue 16; src/conversations/) ────────────────────────────────────

/**
 * A conversation in a project with the dashboard assistant: its messages, the files attached to
 * them, and the dashboard plan's revisions. `currentRevision` is the plan revision shown (undo
 * moves it back; null until the first plan); `lastActivityAt` orders the list.
 */
export const conversations = pgTable(
  "conversations",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    orgId: orgIdColumn(),
    projectId: uuid("project_id")
      .notNull()
      .references(() => projects.id, { onDelete: "cascade" }),
    title: text("title").notNull(),
    currentRevision: integer("current_revision"),
    createdBy: uuid("created_by").references(() => users.id, { onDelete: "set null" }),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
    lastActivityAt: timestamp("last_activity_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index("conversations_project_activity_idx").on(t.projectId, t.lastActivityAt),
    index("conversations_org_idx").on(t.orgId),
  ],
);

/**
 * The uploaded files a conversation reads, at most 10 (checked when attaching, under a lock on the
 * conversation). `tableName` is how plans and queries name the file: unique in the conversation.
 * The link goes when the file does (retention), never the other way round.
 */
export const conversationFiles = pgTable(
  "conversation_files",
  {
    orgId: orgIdColumn(),
    conversationId: uuid("conversation_id")
      .notNull()
      .references(() => conversations.id, { onDelete: "cascade" }),
    fileId: uuid("file_id")
      .notNull()
      .references(() => files.id, { onDelete: "cascade" }),
    tableName: text("table_name").notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    primaryKey({ columns: [t.conversationId, t.fileId] }),
    uniqueIndex("conversation_files_table_key").on(t.conversationId, t.tableName),
  ],
);

/**
 * One message. A user message starts a dashboard-planner run; its reply is stored `pending` with
 * that run and settled (content, plan revision) once the run is final — by the instance that sees
 * it finish, or by the next read after a restart.
 */
export const conversationMessages = pgTable(
  "conversation_messages",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    orgId: orgIdColumn(),
    conversationId: uuid("conversation_id")
      .notNull()
      .references(() => conversations.id, { onDelete: "cascade" }),
    seq: integer("seq").notNull(),
    role: text("role", { enum: ["user", "assistant", "system"] }).notNull(),
    content: text("content").notNull(),
    status: text("status", { enum: ["done", "pending", "failed"] })
      .notNull()
      .default("done"),
    runId: uuid("run_id").references(() => runs.id, { onDelete: "set null" }),
    /** The files attached with this message (ids; the conversation's links hold the rest). */
    fileIds: jsonb("file_ids").$type<string[]>().notNull().default([]),
    /** The plan revision this reply made, if it made one. */
    planRevision: integer("plan_revision"),
    createdBy: uuid("created_by").references(() => users.id, { onDelete: "set null" }),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex("conversation_messages_seq_key").on(t.conversationId, t.seq),
    index("conversation_messages_run_idx").on(t.runId),
    check("conversation_messages_role_check", sql`${t.role} in ('user','assistant','system')`),
    check("conversation_messages_status_check", sql`${t.status} in ('done','pending','failed')`),
  ],
);

/**
 * Every plan a conversation had, never updated: the plan, the tables it was planned on (profiles
 * and the file each table reads), the Power BI project spec the engine derived from it, and the
 * diff from the revision it was made from.
 */
export const planRevisions = pgTable(
  "plan_revisions",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    orgId: orgIdColumn(),
    conversationId: uuid("conversation_id")
      .notNull()
      .references(() => conversations.id, { onDelete: "cascade" }),
    revision: integer("revision").notNull(),
    /** The revision it was made from (an edit's base, or undo's target); null for a first plan. */
    baseRevision: integer("base_revision"),
    plan: jsonb("plan").$type<unknown>().notNull(),
    /** `[{ table, fileId, profile }]`: what the plan's table names read. */
    tables: jsonb("tables").$type<unknown[]>().notNull(),
    powerBiSpec: jsonb("power_bi_spec").$type<unknown>().notNull(),
    diff: jsonb("diff").$type<unknown[]>().notNull().default([]),
    note: text("note").notNull().default(""),
    runId: uuid("run_id").references(() => runs.id, { onDelete: "set null" }),
    createdBy: uuid("created_by").references(() => users.id, { onDelete: "set null" }),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex("plan_revisions_conversation_revision_key").on(t.conversationId, t.revision)],
);
