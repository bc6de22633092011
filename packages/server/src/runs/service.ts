import { randomUUID } from "node:crypto";
import { FINISHED_RUN_STATUSES } from "@modelworks/contracts/run-status";
import { type AnyModel, findFormat, keyResultOf, ModelInputError, parseInput } from "@modelworks/model-kit";
import { and, eq, sql } from "drizzle-orm";
import type { Db } from "../db/client.ts";
import { queryRows } from "../db/raw.ts";
import { runs } from "../db/schema.ts";
import type { AppDeps } from "../deps.ts";
import type { Actor, Logger } from "../domain/actor.ts";
import { DomainError, unprocessable } from "../errors/domain-error.ts";
import type { ReferenceSnapshot } from "../reference-data/service.ts";
import { inputHash } from "./canonical.ts";
import { type BatchedInsert, batchedInsert, withParams } from "./insert-batch.ts";
import { type FastRunOutcome, QUEUE_WAKE } from "./runner.ts";

export type RunRow = typeof runs.$inferSelect;
/**
 * A recorded run; `outputJson` is set when it was stored finished by the fast path: its output
 * exactly as stored, for the response to carry without serializing it again.
 */
export type CreatedRun = RunRow & { outputJson?: string };
/** Finished statuses (contracts' FINISHED_RUN_STATUSES), as a set for the API's checks. */
export const TERMINAL: ReadonlySet<string> = new Set(FINISHED_RUN_STATUSES);

/**
 * An input that `validateInput` accepted for a model (its parsed form, defaults filled in). The
 * brand makes a caller of `createRun` validate first; it is not validated again there.
 */
declare const validated: unique symbol;
export type ValidInput = { readonly [validated]: true };

/** A run to record in the actor's organization. */
export interface NewRun {
  model: AnyModel;
  /** The input as `validateInput` returned it for this model. */
  input: ValidInput;
  projectId?: string | null;
  scenarioId?: string | null;
  scenarioRevision?: number | null;
  sweepId?: string | null;
  useCache: boolean;
  /**
   * Reference tables resolved beforehand (a sweep resolves once for all its points, outside its
   * transaction); resolved here when omitted and the model declares `data`.
   */
  referenceData?: ReferenceSnapshot | null;
  /**
   * The caller waits for the result: a short run of a warm model may execute at once on this
   * process's idle engine pool and be stored finished (docs/decisions/0051). Only with `db` not
   * inside a transaction of the caller's (the run is executed before its row is written).
   */
  runNow?: boolean;
}

/** A model's field issues placed under a request path: `terms.0.sd` → `body.input.terms.0.sd`. */
function underPath(issues: { path: string; message: string }[], path: string) {
  return issues.map((i) => ({ path: i.path === "(root)" ? path : `${path}.${i.path}`, message: i.message }));
}

/** Validates a model input, naming each bad field under `path` (422). */
export function validateInput(model: AnyModel, raw: unknown, path: string): ValidInput {
  try {
    return parseInput(model, raw) as ValidInput;
  } catch (err) {
    if (err instanceof ModelInputError) {
      throw new DomainError(
        "input_invalid",
        `The input does not satisfy ${model.id}@${model.version}.`,
        underPath(err.issues, path),
      );
    }
    throw err;
  }
}

/** Converts an input written in one of the model's formats (e.g. `prototype`) into its own input. */
export function inputFromFormat(model: AnyModel, name: string, raw: unknown): unknown {
  const { format, missing } = findFormat(model, name);
  if (!format) throw unprocessable([{ path: "body.format", message: missing }]);
  try {
    return format.toInput(raw);
  } catch (err) {
    if (err instanceof ModelInputError) {
      throw new DomainError("input_invalid", err.message, underPath(err.issues, "body.input"));
    }
    throw unprocessable([
      { path: "body.input", message: `is not a valid ${name} document: ${(err as Error).message}` },
    ]);
  }
}

/**
 * Records a run. A cache hit is recorded as already succeeded (marked `cacheHit`, pointing at the
 * run it copies); otherwise the row is inserted `queued` — inserting it *is* enqueuing it, so no
 * run can be accepted and lost between API and queue.
 */
export async function createRun(
  deps: AppDeps,
  db: Db,
  actor: Actor,
  log: Logger,
  n: NewRun,
): Promise<CreatedRun> {
  const input = n.input;
  const hash = inputHash(input);
  const refdata = await referenceDataFor(deps, log, n.model, n.referenceData);
  const common = {
    orgId: actor.orgId,
    projectId: n.projectId ?? null,
    scenarioId: n.scenarioId ?? null,
    scenarioRevision: n.scenarioRevision ?? null,
    sweepId: n.sweepId ?? null,
    modelId: n.model.id,
    modelVersion: n.model.version,
    input,
    inputHash: hash,
    createdBy: actor.userId,
    createdByApiKey: actor.keyId ?? null,
    timeoutMs: n.model.timeoutMs ?? deps.config.RUN_TIMEOUT_SECONDS * 1000,
    maxAttempts: deps.config.RUN_MAX_ATTEMPTS,
    referenceData: refdata ? { datasets: refdata.datasets, data: refdata.data } : null,
    referenceDataKey: refdata?.key ?? null,
  };
  if (n.useCache) {
    const hit = await deps.cache.get(
      {
        orgId: actor.orgId,
        modelId: n.model.id,
        modelVersion: n.model.version,
        inputHash: hash,
        referenceDataKey: common.referenceDataKey,
      },
      db,
    );
    if (hit) {
      const now = new Date();
      const [row] = await db
        .insert(runs)
        .values({
          ...common,
          status: "succeeded",
          progress: 1,
          output: hit.output,
          keyResult: keyResultOf(n.model, hit.output),
          cacheHit: true,
          cachedFromRunId: hit.runId,
          startedAt: now,
          finishedAt: now,
        })
        .returning();
      return row!;
    }
  }
  const worker = n.runNow && deps.config.RUN_FAST_PATH ? deps.localWorker?.current : null;
  const fast = worker
    ? await worker.runNow(
        {
          orgId: actor.orgId,
          modelId: n.model.id,
          modelVersion: n.model.version,
          input,
          data: refdata?.data ?? {},
          timeoutMs: common.timeoutMs,
        },
        deps.config.RUN_FAST_PATH_MAX_MS,
      )
    : null;
  if (fast?.kind === "finished") return insertFinished(db, common, fast, deps, log);
  if (fast?.kind === "queue") {
    log.warn({ model: n.model.id, reason: fast.reason }, "fast run queued after all");
    // A crash of the shared engine process counts as the run's first, as on the queued path:
    // it runs next alone in a fresh process.
    if (fast.crashed) {
      const [row] = await db
        .insert(runs)
        .values({ ...common, crashCount: 1 })
        .returning();
      return row!;
    }
  }
  const [row] = await db.insert(runs).values(common).returning();
  return row!;
}

type RunValues = {
  orgId: string;
  projectId: string | null;
  scenarioId: string | null;
  scenarioRevision: number | null;
  sweepId: string | null;
  modelId: string;
  modelVersion: string;
  input: unknown;
  inputHash: string;
  createdBy: string | null;
  createdByApiKey: string | null;
  timeoutMs: number;
  maxAttempts: number;
  referenceData: RunRow["referenceData"];
  referenceDataKey: string | null;
};

/** `insertFinished`'s statement; $n is the n-th of its values. */
const INSERT_FINISHED = `insert into runs (id, org_id, project_id, scenario_id, scenario_revision, sweep_id,
  model_id, model_version, input, input_hash, status, progress, output, error, key_result, created_by,
  created_by_api_key, created_at, started_at, finished_at, timeout_ms, attempts, max_attempts,
  reference_data, reference_data_key, phase_timings)
values ($1, $2, $3, $4, $5, $6, $7, $8, $9::jsonb, $10, $11, $12, $13::json, $14::jsonb, $15::jsonb, $16,
  $17, $18, $19, $20, $21, $22, $23, $24::jsonb, $25, $26::jsonb)`;

/** PGlite only: the fast path's inserts of one event-loop turn, one statement (insert-batch.ts). */
const finishedInserts = new WeakMap<Db, BatchedInsert>();
function finishedInsertsOn(db: Db): BatchedInsert {
  let batch = finishedInserts.get(db);
  if (!batch) {
    batch = batchedInsert(db, INSERT_FINISHED);
    finishedInserts.set(db, batch);
  }
  return batch;
}

/**
 * Stores a fast run finished, in one statement with nothing to read back (on PGlite, shared with
 * the fast runs that finished in the same event-loop turn: insert-batch.ts): the id and times are
 * made here, and the output goes in as the JSON text the engine thread wrote. Until this
 * commits the run was never acknowledged, so a crash before it loses nothing anyone was told of.
 */
async function insertFinished(
  db: Db,
  v: RunValues,
  f: Extract<FastRunOutcome, { kind: "finished" }>,
  deps: AppDeps,
  log: Logger,
): Promise<CreatedRun> {
  const id = randomUUID();
  const attempts = 1;
  const progress = f.status === "succeeded" ? 1 : 0;
  const error = f.error ? JSON.stringify(f.error) : null;
  const values = [
    id,
    v.orgId,
    v.projectId,
    v.scenarioId,
    v.scenarioRevision,
    v.sweepId,
    v.modelId,
    v.modelVersion,
    JSON.stringify(v.input),
    v.inputHash,
    f.status,
    progress,
    f.outputJson,
    error,
    f.keyResultJson,
    v.createdBy,
    v.createdByApiKey,
    f.startedAt,
    f.startedAt,
    f.finishedAt,
    v.timeoutMs,
    attempts,
    v.maxAttempts,
    v.referenceData ? JSON.stringify(v.referenceData) : null,
    v.referenceDataKey,
    f.phaseTimings?.length ? JSON.stringify(f.phaseTimings) : null,
  ];
  const pool = deps.database.pool;
  if (pool && db === deps.database.db) {
    // A named statement: each connection parses and plans it once, not once per run.
    await pool.query({ name: "runs_insert_finished", text: INSERT_FINISHED, values });
  } else if (deps.database.kind === "pglite" && db === deps.database.db) {
    // Embedded: concurrent fast runs share one statement and one commit (decision 0056).
    await finishedInsertsOn(db).insert(values);
  } else {
    await queryRows(db, withParams(INSERT_FINISHED, values));
  }
  if (f.status === "succeeded" && f.outputJson !== null) {
    // Not awaited: the stored row is the result; the entry (its id) only spares a later run.
    void deps.cache
      .set(
        {
          orgId: v.orgId,
          modelId: v.modelId,
          modelVersion: v.modelVersion,
          inputHash: v.inputHash,
          referenceDataKey: v.referenceDataKey,
        },
        id,
      )
      .catch((err) => log.warn({ err, runId: id }, "result cache write failed"));
  }
  return {
    ...v,
    id,
    status: f.status,
    progress,
    progressMessage: null,
    output: null,
    outputJson: f.outputJson ?? undefined,
    error: f.error,
    keyResult: f.keyResultJson ? JSON.parse(f.keyResultJson) : null,
    cacheHit: false,
    cachedFromRunId: null,
    createdAt: f.startedAt,
    startedAt: f.startedAt,
    finishedAt: f.finishedAt,
    attempts,
    crashCount: 0,
    availableAt: f.startedAt,
    leaseOwner: null,
    leaseExpiresAt: null,
    cancelRequestedAt: null,
    phaseTimings: f.phaseTimings?.length ? f.phaseTimings : null,
  };
}

/**
 * The reference tables a run of `model` reads, resolved now — before the engine thread runs, so
 * the engine stays pure — and stored on the run: the record of which editions it used.
 */
export async function referenceDataFor(
  deps: AppDeps,
  log: Logger,
  model: AnyModel,
  given?: ReferenceSnapshot | null,
): Promise<ReferenceSnapshot | null> {
  if (given !== undefined) return given;
  if (!model.data?.length) return null;
  return deps.referenceData.resolve(model.data, log);
}

/** Tells workers that runs are waiting (after the inserting transaction has committed). */
export async function wakeWorkers(deps: AppDeps) {
  await deps.bus.publish({ runId: QUEUE_WAKE, status: "queued", progress: 0 });
}

/**
 * Cancels a run: a queued run ends at once; a running one is flagged and its worker stops the
 * engine at its next heartbeat. A finished run cannot be canceled (409).
 */
export async function cancelRun(deps: AppDeps, orgId: string, id: string): Promise<RunRow | null> {
  const { db } = deps.database;
  const [queued] = await db
    .update(runs)
    .set({ status: "canceled", cancelRequestedAt: new Date(), finishedAt: new Date() })
    .where(and(eq(runs.orgId, orgId), eq(runs.id, id), eq(runs.status, "queued")))
    .returning();
  if (queued) {
    await deps.bus.publish({ runId: id, status: "canceled", progress: queued.progress });
    return queued;
  }
  const [running] = await db
    .update(runs)
    .set({ cancelRequestedAt: sql`coalesce(${runs.cancelRequestedAt}, now())` })
    .where(and(eq(runs.orgId, orgId), eq(runs.id, id), eq(runs.status, "running")))
    .returning();
  if (running) return running;
  const [row] = await db
    .select()
    .from(runs)
    .where(and(eq(runs.orgId, orgId), eq(runs.id, id)));
  if (!row) return null;
  throw new DomainError(
    "run_finished",
    `The run has already ${row.status === "canceled" ? "been canceled" : row.status}.`,
  );
}

/** Resolves when the run reaches a final state or `seconds` pass; returns the latest row. */
export async function waitForRun(deps: AppDeps, orgId: string, id: string, seconds: number): Promise<RunRow> {
  const { db } = deps.database;
  const read = async () =>
    (
      await db
        .select()
        .from(runs)
        .where(and(eq(runs.orgId, orgId), eq(runs.id, id)))
    )[0]!;
  let done!: () => void;
  const finished = new Promise<void>((resolve) => {
    done = resolve;
  });
  const unsubscribe = await deps.bus.subscribe(id, (e) => {
    if (TERMINAL.has(e.status)) done();
  });
  try {
    const first = await read();
    if (TERMINAL.has(first.status) || seconds <= 0) return first;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([finished, new Promise<void>((r) => (timer = setTimeout(r, seconds * 1000)))]);
    clearTimeout(timer);
    return read();
  } finally {
    unsubscribe();
  }
}
