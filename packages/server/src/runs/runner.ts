import { randomUUID } from "node:crypto";
import os from "node:os";
import { catalog } from "@modelworks/catalog";
import type { RunErrorCode } from "@modelworks/contracts/run-status";
import type { PhaseTimingDto } from "@modelworks/contracts/runs";
import { keyResultOf } from "@modelworks/model-kit";
import { sql } from "drizzle-orm";
import type { Db } from "../db/client.ts";
import { queryRows } from "../db/raw.ts";
import type { RunStatus } from "../db/schema.ts";
import type { Logger } from "../domain/actor.ts";
import { DomainError } from "../errors/domain-error.ts";
import type { LlmService } from "../llm/service.ts";
import type { LlmCallMessage, LlmReplyMessage } from "../llm/wire.ts";
import type { ResultCache } from "./cache.ts";
import type { RunEventBus } from "./events.ts";
import { notePhase, type PhaseMark, phaseTimings } from "./phase-timings.ts";
import { EngineCrashedError, type EnginePool } from "./pool.ts";
import type { ThreadResult } from "./thread.ts";

export interface RunnerOptions {
  db: Db;
  bus: RunEventBus;
  cache: ResultCache;
  pool: EnginePool;
  log: Logger;
  /** Answers engines' `ctx.llm` calls (issue 14); absent: every run gets the built-in path. */
  llm?: LlmService;
  /** How long a claim lasts without a heartbeat; a crashed worker's runs are recovered after it. */
  leaseMs: number;
  /** Heartbeat period: also how quickly a cancel request reaches a running engine. */
  heartbeatMs: number;
  /** Most runs of one organization running at once, across all workers. */
  orgConcurrency: number;
  /** Fallback poll period when no wake-up arrives. */
  pollMs: number;
  /**
   * Runs whose work is the platform's own I/O (scoring a stored file into a stored file), by
   * model id: executed here, in process, with the same lease, progress, cancel and timeout as
   * engine runs, instead of in the engine pool (docs/decisions/0037).
   */
  platformTasks?: ReadonlyMap<string, PlatformTask>;
}

/** A run executed by the platform rather than an engine (see `platformTasks`). */
export interface PlatformTask {
  run(
    run: { id: string; orgId: string; createdBy: string | null; input: unknown },
    ctx: { signal: AbortSignal; progress(fraction: number, message?: string): void },
  ): Promise<unknown>;
}

/** A claimed run, as the worker needs it. */
interface ClaimedRun {
  id: string;
  org_id: string;
  model_id: string;
  model_version: string;
  input: unknown;
  input_hash: string;
  attempts: number;
  max_attempts: number;
  timeout_ms: number;
  started_at: Date;
  reference_data: { data: Record<string, unknown> } | null;
  reference_data_key: string | null;
  /** Engine processes (or whole workers) that died with this run in flight. */
  crash_count: number;
  created_by: string | null;
}

type Outcome =
  | { status: "succeeded"; output: unknown }
  | {
      status: "failed";
      error: { code: RunErrorCode; message: string; issues?: { path: string; message: string }[] };
    }
  | { status: "canceled" }
  | { status: "retry"; message: string }
  /** The engine process died with the run in flight; `isolated`: the run was alone in it. */
  | { status: "crashed"; message: string; how: string; isolated: boolean };

/** A run to execute at once on this worker's pool, before it has a row (docs/decisions/0051). */
export interface FastRunRequest {
  orgId: string;
  modelId: string;
  modelVersion: string;
  /** Validated input. */
  input: unknown;
  data: Record<string, unknown>;
  timeoutMs: number;
}

/**
 * What became of a fast run: `finished` is its one final state, to be inserted as it is;
 * `queue` means it must go through the queue after all (a crash of the shared engine process,
 * an infrastructure error, or a model that asked a language model) — nothing of it was stored.
 */
export type FastRunOutcome =
  | {
      kind: "finished";
      status: "succeeded" | "failed";
      /** The output and key result as JSON text, exactly as stored and served. */
      outputJson: string | null;
      keyResultJson: string | null;
      error: { code: RunErrorCode; message: string; issues?: { path: string; message: string }[] } | null;
      startedAt: Date;
      finishedAt: Date;
      /** When each phase the engine reported started and ended (empty: it reported none). */
      phaseTimings?: PhaseTimingDto[];
    }
  | { kind: "queue"; crashed: boolean; reason: string };

/**
 * Most fast runs in flight per engine thread that queued runs leave free (running, or waiting in
 * the pool's queue). The engine pool's queue holds this many per thread (thread-pool.ts), so fast
 * runs never overflow it, whatever the queued runs hold.
 */
export const FAST_DEPTH_PER_THREAD = 8;

/** Weight of the newest run in a model's moving average of engine time. */
const FAST_EWMA_WEIGHT = 0.3;

/** Wake-up key on the event bus: published whenever a run is queued. */
export const QUEUE_WAKE = "queue";
const PROGRESS_WRITE_MS = 250;

/**
 * The worker side of runs: claims queued runs (FOR UPDATE SKIP LOCKED), executes them in the
 * engine pool, renews their lease while they run, and writes exactly one final state. Runs whose
 * worker died (lease expired) are re-queued — or failed with a reason after `max_attempts`.
 * Docs: docs/decisions/0005-run-queue.md.
 */
export class RunWorker {
  readonly owner = `${os.hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  private active = 0;
  private stopped = false;
  private wake: (() => void) | null = null;
  private loopDone: Promise<void> | null = null;
  private unsubscribe: (() => void) | null = null;
  private sweeper: NodeJS.Timeout | null = null;
  private readonly inflight = new Set<Promise<unknown>>();
  /** Engine milliseconds per `model@version` (moving average) of runs that succeeded here. */
  private readonly engineMs = new Map<string, number>();
  /** Models that have run here once (their engine is loaded and compiled). */
  private readonly warm = new Set<string>();
  /** Models seen asking a language model: never fast (the answer is I/O, not a short engine). */
  private readonly callsLlm = new Set<string>();
  /**
   * Models seen reading `ctx.llm` here (asking whether one is available, or calling): their fast
   * runs look up the organization's provider first. Every other warm model has run here without
   * reading it, so its fast runs skip that lookup (a database query per run).
   */
  private readonly readsLlm = new Set<string>();
  /**
   * Queued runs whose task is with the engine pool now (waiting for a thread or running). A queued
   * run spends most of its life in database writes (claim, start, finish) holding no thread; the
   * fast path counts only these against the pool's threads.
   */
  private queuedInPool = 0;
  /** Fast runs on the pool now, in all and by organization. */
  private fastInFlight = 0;
  private readonly fastByOrg = new Map<string, number>();

  constructor(private readonly o: RunnerOptions) {}

  async start(): Promise<void> {
    this.unsubscribe = await this.o.bus.subscribe(QUEUE_WAKE, () => this.kick());
    await this.recoverExpired();
    this.sweeper = setInterval(
      () => void this.recoverExpired().catch((err) => this.o.log.error({ err }, "lease sweep failed")),
      Math.max(500, this.o.leaseMs / 3),
    );
    this.sweeper.unref();
    this.loopDone = this.loop();
  }

  /** Stops claiming, waits for running engines to finish (they keep their leases meanwhile). */
  async stop(): Promise<void> {
    this.stopped = true;
    this.kick();
    if (this.sweeper) clearInterval(this.sweeper);
    this.unsubscribe?.();
    await this.loopDone;
    await Promise.allSettled([...this.inflight]);
  }

  kick() {
    this.wake?.();
  }

  private async loop() {
    while (!this.stopped) {
      try {
        while (!this.stopped && this.active < this.o.pool.threads) {
          const run = await this.claim();
          if (!run) break;
          this.active++;
          const p = this.execute(run)
            .catch((err) => this.o.log.error({ err, runId: run.id }, "run execution failed"))
            .finally(() => {
              this.active--;
              this.inflight.delete(p);
              this.kick();
            });
          this.inflight.add(p);
        }
      } catch (err) {
        this.o.log.error({ err }, "claiming runs failed; retrying");
      }
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, this.o.pollMs);
        this.wake = () => {
          clearTimeout(t);
          resolve();
        };
      });
      this.wake = null;
    }
  }

  /**
   * Takes the oldest runnable run whose organization is under its concurrency limit. The limit
   * is soft: claimers racing at the same instant may each take one more.
   */
  private async claim(): Promise<ClaimedRun | null> {
    const leaseSeconds = this.o.leaseMs / 1000;
    const [row] = await queryRows<ClaimedRun>(
      this.o.db,
      sql`
      update runs set
        status = 'running',
        attempts = attempts + 1,
        lease_owner = ${this.owner},
        lease_expires_at = now() + make_interval(secs => ${leaseSeconds}),
        started_at = coalesce(started_at, now())
      where id = (
        select r.id from runs r
        where r.status = 'queued' and r.available_at <= now()
          and (select count(*) from runs x where x.org_id = r.org_id and x.status = 'running') < ${this.o.orgConcurrency}
        order by r.available_at, r.created_at
        for update skip locked
        limit 1
      )
      returning id, org_id, model_id, model_version, input, input_hash, attempts, max_attempts, timeout_ms, started_at,
        reference_data, reference_data_key, crash_count, created_by`,
    );
    return row ?? null;
  }

  private async execute(run: ClaimedRun) {
    const { db, bus, log } = this.o;
    const abort = new AbortController();
    let abortReason: "canceled" | "timeout" | "lease-lost" | null = null;
    const stop = (why: "canceled" | "timeout" | "lease-lost") => {
      if (abortReason) return;
      abortReason = why;
      abort.abort(why);
    };
    await bus.publish({ runId: run.id, status: "running", progress: 0 });

    const heartbeat = setInterval(async () => {
      try {
        const rows = await queryRows<{ cancel_requested_at: Date | null }>(
          db,
          sql`
          update runs set lease_expires_at = now() + make_interval(secs => ${this.o.leaseMs / 1000})
          where id = ${run.id} and lease_owner = ${this.owner} and status = 'running'
          returning cancel_requested_at`,
        );
        if (rows.length === 0) stop("lease-lost");
        else if (rows[0]!.cancel_requested_at) stop("canceled");
      } catch (err) {
        log.warn({ err, runId: run.id }, "heartbeat failed");
      }
    }, this.o.heartbeatMs);
    // The limit is per attempt: a retry after an infrastructure failure gets the full time again.
    // It starts when the task reaches a ready engine process (a one-shot host takes a moment).
    let timeout: NodeJS.Timeout | undefined;
    const startClock = () => {
      timeout ??= setTimeout(() => stop("timeout"), run.timeout_ms);
    };
    // A run that was in flight when an engine process (or a whole worker) died may be what
    // killed it: it runs alone in a fresh process, so that its next crash is its own.
    const isolated = run.crash_count >= 1;

    let lastWrite = 0;
    let flushTimer: NodeJS.Timeout | undefined;
    let pending: { fraction: number; message?: string | undefined } | null = null;
    const writeProgress = async () => {
      if (!pending) return;
      const p = pending;
      pending = null;
      lastWrite = Date.now();
      await db.execute(sql`
        update runs set progress = ${p.fraction}, progress_message = ${p.message ?? null}
        where id = ${run.id} and lease_owner = ${this.owner} and status = 'running'`);
      await bus.publish({
        runId: run.id,
        status: "running",
        progress: p.fraction,
        message: p.message ?? null,
      });
    };

    // ctx.llm (issue 14): whether a model is configured, and the RPC answering the thread's calls.
    const llm = this.o.llm;
    const llmAvailable = llm ? await llm.available(run.org_id).catch(() => false) : false;
    let postToThread: ((m: LlmReplyMessage) => void) | null = null;
    let lastFraction = 0;
    const texts = coalescedText((text) =>
      bus.publish({ runId: run.id, status: "running", progress: lastFraction, text }).catch(() => {}),
    );
    const answerLlm = (m: LlmCallMessage) => {
      if (!llm) return;
      void llm
        .call(
          { orgId: run.org_id, userId: run.created_by, runId: run.id, engineId: run.model_id },
          m.request,
          {
            signal: abort.signal,
            ...(m.request.stream
              ? {
                  onText: (delta: string) => {
                    postToThread?.({ type: "llm-text", callId: m.callId, delta });
                    texts.push(delta);
                  },
                }
              : {}),
          },
        )
        .catch((err: Error) => {
          // The service answers failures as results; this is the platform's own (database, keyring).
          log.error({ err, runId: run.id }, "a model call failed inside the platform");
          return { ok: false as const, code: "llm_provider_error" as const, message: err.message };
        })
        .then((result) => {
          texts.flush();
          postToThread?.({ type: "llm-result", callId: m.callId, result });
        });
    };

    // Marks taken from the progress this runner sees: only a fallback, for a pool whose results carry
    // none — the engine thread notes its own as the model reports them and they ride on the result.
    let marks: PhaseMark[] = [];
    let endedAt = 0;
    const onProgress = (fraction: number, message?: string) => {
      notePhase(marks, message, Date.now());
      lastFraction = fraction;
      pending = { fraction, message };
      // Leading edge now, trailing edge later: the latest progress always gets written.
      const wait = PROGRESS_WRITE_MS - (Date.now() - lastWrite);
      if (wait <= 0) void writeProgress().catch(() => {});
      else
        flushTimer ??= setTimeout(() => {
          flushTimer = undefined;
          void writeProgress().catch(() => {});
        }, wait);
    };

    let outcome: Outcome;
    const task = this.o.platformTasks?.get(run.model_id);
    if (task) {
      startClock();
      try {
        const output = await task.run(
          { id: run.id, orgId: run.org_id, createdBy: run.created_by, input: run.input },
          { signal: abort.signal, progress: onProgress },
        );
        endedAt = Date.now();
        outcome = abortReason ? outcomeOfAbort(abortReason, run) : { status: "succeeded", output };
      } catch (err) {
        // A refusal the task names (a retired artifact, an unreadable cell) fails the run with
        // its message; anything else is the platform's and is retried.
        const message = (err as Error).message;
        outcome = abortReason
          ? outcomeOfAbort(abortReason, run)
          : err instanceof DomainError
            ? { status: "failed", error: { code: "invalid_input", message } }
            : { status: "retry", message };
      } finally {
        clearInterval(heartbeat);
        clearTimeout(timeout);
        clearTimeout(flushTimer);
      }
      if (abortReason === "lease-lost") {
        log.warn({ runId: run.id }, "lost the lease on a run; leaving it to its new owner");
        return;
      }
      await this.finish(run, outcome, phaseTimings(marks, endedAt || Date.now()));
      return;
    }
    const modelKey = `${run.model_id}@${run.model_version}`;
    let engineStarted = 0;
    this.queuedInPool++;
    let inPool = true;
    const leavePool = () => {
      if (inPool) this.queuedInPool--;
      inPool = false;
    };
    try {
      const result = await this.o.pool.run(
        {
          modelId: run.model_id,
          modelVersion: run.model_version,
          input: run.input,
          data: run.reference_data?.data ?? {},
          llm: llmAvailable,
        },
        {
          abort: abort.signal,
          bindPost: (post) => {
            postToThread = post;
          },
          isolated,
          onStart: () => {
            engineStarted = performance.now();
            startClock();
          },
          onMessage: (m) => {
            if (m.type === "log") {
              log[m.level]({ runId: run.id, model: run.model_id, ...m.fields }, m.msg);
              return;
            }
            if (m.type === "llm-call") {
              this.callsLlm.add(modelKey);
              return answerLlm(m);
            }
            onProgress(m.fraction, m.message);
          },
        },
      );
      leavePool();
      if (result.llmRead) this.readsLlm.add(modelKey);
      endedAt = Date.now();
      if (result.marks) marks = result.marks;
      if (result.ok && !isolated && engineStarted > 0)
        this.learn(modelKey, result.engineMs ?? performance.now() - engineStarted);
      outcome = abortReason ? outcomeOfAbort(abortReason, run) : outcomeOf(result, run);
    } catch (err) {
      // The thread was terminated (after an abort) or crashed, or its whole engine process died:
      // only a thread crash is plainly the platform's fault; a process crash may be the run's.
      outcome = abortReason
        ? outcomeOfAbort(abortReason, run)
        : err instanceof EngineCrashedError
          ? { status: "crashed", message: err.message, how: err.how, isolated }
          : { status: "retry", message: (err as Error).message };
    } finally {
      leavePool();
      clearInterval(heartbeat);
      clearTimeout(timeout);
      clearTimeout(flushTimer);
      texts.flush();
    }
    if (abortReason === "lease-lost") {
      log.warn({ runId: run.id }, "lost the lease on a run; leaving it to its new owner");
      return;
    }
    await this.finish(run, outcome, phaseTimings(marks, endedAt || Date.now()));
  }

  private learn(modelKey: string, ms: number) {
    // A model's first run here pays for loading and compiling it: it proves the engine warm,
    // and its time says nothing about the next run's.
    if (!this.warm.has(modelKey)) {
      this.warm.add(modelKey);
      return;
    }
    const before = this.engineMs.get(modelKey);
    this.engineMs.set(modelKey, before === undefined ? ms : before + FAST_EWMA_WEIGHT * (ms - before));
  }

  /**
   * Whether a run of this model may run at once: the worker is up, the model is warm and short
   * here (its runs succeeded on this pool in at most `maxMs` on average) and never asked a
   * language model, queued runs' tasks do not hold every engine thread (then the pool is busy and
   * the run queues behind them; a queued run between its database writes holds none — counting
   * those once let 8 clients of a 0.3 ms model fall into the queue and stay there, 591 of 994 runs
   * in one bench run), and the organization is under its concurrency limit. Fast runs in
   * flight wait in the pool's own queue for the threads queued runs leave free: at most
   * `maxMs / ms` of them per such thread (capped at FAST_DEPTH_PER_THREAD), so a fast run waits
   * there about `maxMs` at worst — a 1 ms model lets 8 clients per thread run at once, a 25 ms
   * model two. Platform tasks never run here. Fast runs never stop the worker claiming: it claims
   * while fewer queued runs than threads run, whatever the fast path does.
   */
  private mayRunNow(orgId: string, modelKey: string, modelId: string, maxMs: number): boolean {
    if (this.stopped || this.o.platformTasks?.has(modelId) || this.callsLlm.has(modelKey)) return false;
    const ms = this.engineMs.get(modelKey);
    if (ms === undefined || ms > maxMs) return false;
    const free = this.o.pool.threads - this.queuedInPool;
    if (free <= 0) return false;
    const depth = Math.max(1, Math.min(FAST_DEPTH_PER_THREAD, Math.floor(maxMs / Math.max(ms, 0.001))));
    if (this.fastInFlight >= free * depth) return false;
    return (this.fastByOrg.get(orgId) ?? 0) < this.o.orgConcurrency;
  }

  /**
   * The fast path (docs/decisions/0051): runs a short model's run on this worker's pool before
   * any row exists, and answers with its final state for the caller to insert in one statement.
   * Null when the run must be queued instead (see `mayRunNow`). Nothing here writes: a crash
   * before the caller's insert loses a run that was never acknowledged.
   */
  async runNow(req: FastRunRequest, maxMs: number): Promise<FastRunOutcome | null> {
    const modelKey = `${req.modelId}@${req.modelVersion}`;
    if (!this.mayRunNow(req.orgId, modelKey, req.modelId, maxMs)) return null;
    this.fastInFlight++;
    this.fastByOrg.set(req.orgId, (this.fastByOrg.get(req.orgId) ?? 0) + 1);
    const p = this.executeNow(req, modelKey);
    this.inflight.add(p);
    try {
      return await p;
    } finally {
      this.inflight.delete(p);
      this.fastInFlight--;
      const left = (this.fastByOrg.get(req.orgId) ?? 1) - 1;
      if (left > 0) this.fastByOrg.set(req.orgId, left);
      else this.fastByOrg.delete(req.orgId);
      // No wake-up for the claim loop: a fast run holds no row and does not count in `active`,
      // so its end frees nothing a claim waits for. (A claim per fast run was a statement per
      // run: on PGlite's one connection, nearly half the statements at 8 clients; issue 20.)
    }
  }

  private async executeNow(req: FastRunRequest, modelKey: string): Promise<FastRunOutcome> {
    const abort = new AbortController();
    let timedOut = false;
    let askedLlm = false;
    let timeout: NodeJS.Timeout | undefined;
    const startedAt = new Date();
    let engineStarted = 0;
    // A model not seen reading ctx.llm runs without the provider lookup; should this run read it
    // after all, its result is not used (below).
    const lookUp = this.o.llm !== undefined && this.readsLlm.has(modelKey);
    const llmAvailable = lookUp ? await this.o.llm!.available(req.orgId).catch(() => false) : false;
    let result: ThreadResult;
    try {
      result = await this.o.pool.run(
        {
          modelId: req.modelId,
          modelVersion: req.modelVersion,
          input: req.input,
          data: req.data,
          llm: llmAvailable,
          serialize: true,
          // Validated by the API a moment ago (createRun's caller): not parsed again in the thread.
          inputParsed: true,
          // A run no one can follow yet (it has no id): its progress would only be dropped here.
          progress: false,
        },
        {
          abort: abort.signal,
          onStart: () => {
            engineStarted = performance.now();
            timeout = setTimeout(() => {
              timedOut = true;
              abort.abort("timeout");
            }, req.timeoutMs);
          },
          onMessage: (m) => {
            if (m.type === "log") {
              this.o.log[m.level]({ model: req.modelId, fastPath: true, ...m.fields }, m.msg);
            } else if (m.type === "llm-call") {
              // Its answer is I/O the queued path knows how to serve: stop, and queue the run.
              this.callsLlm.add(modelKey);
              askedLlm = true;
              abort.abort("queued: the model asks a language model");
            }
            // No progress comes (`progress: false` above): no one could follow it.
          },
        },
      );
    } catch (err) {
      // The shared engine process died (perhaps of this run: it then runs alone, as a crashed
      // queued run does), or the pool failed: nothing was stored, the queue takes it from here.
      return {
        kind: "queue",
        crashed: err instanceof EngineCrashedError,
        reason: (err as Error).message,
      };
    } finally {
      clearTimeout(timeout);
    }
    const finishedAt = new Date();
    if (askedLlm) return { kind: "queue", crashed: false, reason: "the model asks a language model" };
    if (result.llmRead) this.readsLlm.add(modelKey);
    if (result.llmRead && !lookUp && this.o.llm) {
      // It was told no language model is available without anyone asking: the answer may be
      // wrong for this organization. The engine is pure; the queue runs it again, told the truth.
      return { kind: "queue", crashed: false, reason: "the model reads ctx.llm" };
    }
    if (timedOut) {
      return {
        kind: "finished",
        status: "failed",
        outputJson: null,
        keyResultJson: null,
        error: {
          code: "timeout",
          message: `The run exceeded its time limit of ${Math.round(req.timeoutMs / 1000)} s and was stopped. Reduce the problem size or ask an admin to raise the limit.`,
        },
        startedAt,
        finishedAt,
      };
    }
    if (result.ok) {
      // The thread's own time: a wait in the pool's queue behind other fast runs is not the model's.
      if (engineStarted > 0) this.learn(modelKey, result.engineMs ?? performance.now() - engineStarted);
      const json = result.json ?? { output: JSON.stringify(result.output), keyResult: null };
      return {
        kind: "finished",
        status: "succeeded",
        outputJson: json.output,
        keyResultJson: json.keyResult,
        error: null,
        startedAt,
        finishedAt,
        phaseTimings: phaseTimings(result.marks ?? [], finishedAt.getTime()),
      };
    }
    const outcome = outcomeOf(result, { model_id: req.modelId, model_version: req.modelVersion });
    // A cancel no one asked for cannot come from the engine; anything not final is queued.
    if (outcome.status !== "failed") return { kind: "queue", crashed: false, reason: result.message };
    return {
      kind: "finished",
      status: "failed",
      outputJson: null,
      keyResultJson: null,
      error: outcome.error,
      startedAt,
      finishedAt,
    };
  }

  private async finish(run: ClaimedRun, outcome: Outcome, phases: PhaseTimingDto[] = []) {
    const { db, bus, cache } = this.o;
    const crashed = outcome.status === "crashed" ? 1 : 0;
    if (outcome.status === "crashed" && !outcome.isolated) {
      // It shared the process with other runs, so the crash proves nothing about it yet: run it
      // again at once (the pool is starting a new process), alone. This retry is granted even
      // on the last attempt — at most one, since an isolated run's crash is final.
      await db.execute(sql`
        update runs set status = 'queued', lease_owner = null, lease_expires_at = null,
          crash_count = crash_count + 1, available_at = now(),
          error = ${JSON.stringify({ code: "retrying", message: `${outcome.message} The run will run again, alone.` })}::jsonb
        where id = ${run.id} and lease_owner = ${this.owner} and status = 'running'`);
      this.o.log.warn(
        { runId: run.id, attempt: run.attempts, reason: outcome.message },
        "engine process died with the run in flight; it will run again alone",
      );
      await bus.publish({
        runId: run.id,
        status: "queued",
        progress: 0,
        message: "Running again after an engine crash",
      });
      return;
    }
    if (outcome.status === "crashed") {
      this.o.log.error(
        { runId: run.id, model: run.model_id, reason: outcome.message },
        "the run crashed its engine process while alone in it; failed, not retried",
      );
      outcome = {
        status: "failed",
        error: {
          code: "engine_crashed",
          message: `The model ${run.model_id}@${run.model_version} crashed while running this input: its engine process stopped (${outcome.how}) with this run alone in it, after an earlier crash while it ran. It was not retried again: this is a defect in the model. Quote run id ${run.id} when reporting it.`,
        },
      };
    }
    if (outcome.status === "retry") {
      const exhausted = run.attempts >= run.max_attempts;
      if (!exhausted) {
        const backoffSeconds = 2 ** (run.attempts - 1);
        await db.execute(sql`
          update runs set status = 'queued', lease_owner = null, lease_expires_at = null,
            available_at = now() + make_interval(secs => ${backoffSeconds}),
            error = ${JSON.stringify({ code: "retrying", message: outcome.message })}::jsonb
          where id = ${run.id} and lease_owner = ${this.owner} and status = 'running'`);
        this.o.log.warn(
          { runId: run.id, attempt: run.attempts, backoffSeconds, reason: outcome.message },
          "run will be retried",
        );
        await bus.publish({
          runId: run.id,
          status: "queued",
          progress: 0,
          message: `Retrying in ${backoffSeconds} s`,
        });
        return;
      }
      outcome = {
        status: "failed",
        error: {
          code: "infrastructure",
          message: `The run could not be completed after ${run.attempts} attempts (${outcome.message}). Try again later; if it keeps failing, contact support with the run id.`,
        },
      };
    }
    const timings = phases.length ? JSON.stringify(phases) : null;
    const output = outcome.status === "succeeded" ? JSON.stringify(outcome.output) : null;
    const error = outcome.status === "failed" ? JSON.stringify(outcome.error) : null;
    // Stored once here, so a list of runs shows each run's key result without reading outputs.
    const keyResult =
      outcome.status === "succeeded" ? keyResultJson(run.model_id, run.model_version, outcome.output) : null;
    const rows = await queryRows<{ progress: number }>(
      db,
      sql`
      update runs set status = ${outcome.status},
        output = ${output}::json,
        error = ${error}::jsonb,
        key_result = ${keyResult}::jsonb,
        phase_timings = ${timings}::jsonb,
        progress = case when ${outcome.status} = 'succeeded' then 1 else progress end,
        finished_at = now(), lease_owner = null, lease_expires_at = null,
        crash_count = crash_count + ${crashed}
      where id = ${run.id} and lease_owner = ${this.owner} and status = 'running'
      returning progress`,
    );
    if (rows.length === 0) return; // someone else finished it (lease expired meanwhile)
    // Platform tasks read and write stored files: their results are not reusable by input hash.
    if (outcome.status === "succeeded" && !this.o.platformTasks?.has(run.model_id)) {
      await cache.set(
        {
          orgId: run.org_id,
          modelId: run.model_id,
          modelVersion: run.model_version,
          inputHash: run.input_hash,
          referenceDataKey: run.reference_data_key,
        },
        run.id,
      );
    }
    await bus.publish({ runId: run.id, status: outcome.status as RunStatus, progress: rows[0]!.progress });
  }

  /**
   * Runs whose lease ran out belong to a worker that died: queue them again, or give up with a
   * reason. The death counts as a crash of the run (the input may be what killed the worker), so
   * it next runs alone in its own engine process; a run that was already alone after a crash and
   * whose worker died again is failed, so one input cannot take down instance after instance.
   * (Expressions read the row's values from before this update.)
   */
  async recoverExpired(): Promise<void> {
    const rows = await queryRows<{ id: string; status: RunStatus; progress: number }>(
      this.o.db,
      sql`
      update runs set
        status = case
          when cancel_requested_at is not null then 'canceled'
          when attempts >= max_attempts or crash_count >= 1 then 'failed'
          else 'queued' end,
        error = case
          when cancel_requested_at is not null then error
          when attempts >= max_attempts then jsonb_build_object(
            'code', 'worker_lost',
            'message', 'The worker running this model stopped unexpectedly ' || attempts || ' times; the run was given up. Try again, or contact support with the run id.')
          when crash_count >= 1 then jsonb_build_object(
            'code', 'engine_crashed',
            'message', 'The model ' || model_id || '@' || model_version || ' crashed while running this input: the worker running it stopped unexpectedly ' || (crash_count + 1) || ' times, the last time with this run alone in its engine process. The run was not retried again. Quote run id ' || id || ' when reporting it.')
          else error end,
        crash_count = crash_count + 1,
        finished_at = case when cancel_requested_at is not null or attempts >= max_attempts or crash_count >= 1 then now() else null end,
        available_at = now(),
        lease_owner = null,
        lease_expires_at = null
      where status = 'running' and lease_expires_at < now()
      returning id, status, progress`,
    );
    for (const r of rows) {
      this.o.log.warn({ runId: r.id, status: r.status }, "recovered a run from a lost worker");
      await this.o.bus.publish({ runId: r.id, status: r.status, progress: r.progress });
    }
    if (rows.some((r) => r.status === "queued")) this.kick();
  }
}

function outcomeOf(result: ThreadResult, run: Pick<ClaimedRun, "model_id" | "model_version">): Outcome {
  if (result.ok) return { status: "succeeded", output: result.output };
  switch (result.kind) {
    case "input":
      return {
        status: "failed",
        error: {
          code: "invalid_input",
          message: result.message,
          ...(result.issues ? { issues: result.issues } : {}),
        },
      };
    case "canceled":
      return { status: "canceled" };
    case "resource":
      return { status: "failed", error: { code: "resource_limit", message: result.message } };
    case "llm":
      // A model call the engine did not fall back from: the run fails with the call's reason.
      return {
        status: "failed",
        error: { code: result.code ?? "llm_provider_error", message: result.message },
      };
    case "output":
      return {
        status: "failed",
        error: {
          code: "model_bug",
          message: `The model ${run.model_id}@${run.model_version} produced an invalid result; this is a defect in the model, not your input. Quote the run id when reporting it.`,
        },
      };
    case "model":
      return { status: "failed", error: { code: "model_error", message: result.message } };
    default:
      return result.kind satisfies never;
  }
}

function outcomeOfAbort(reason: "canceled" | "timeout" | "lease-lost", run: ClaimedRun): Outcome {
  if (reason === "timeout") {
    return {
      status: "failed",
      error: {
        code: "timeout",
        message: `The run exceeded its time limit of ${Math.round(run.timeout_ms / 1000)} s and was stopped. Reduce the problem size or ask an admin to raise the limit.`,
      },
    };
  }
  return { status: "canceled" };
}

/** Streamed model text goes out as run events at most every TEXT_EVENT_MS, joined. */
const TEXT_EVENT_MS = 100;
function coalescedText(publish: (text: string) => void) {
  let buf = "";
  let timer: NodeJS.Timeout | undefined;
  const flush = () => {
    clearTimeout(timer);
    timer = undefined;
    if (buf) publish(buf);
    buf = "";
  };
  return {
    push(delta: string) {
      buf += delta;
      timer ??= setTimeout(flush, TEXT_EVENT_MS);
    },
    flush,
  };
}

/** The run's key result as JSON for the `key_result` column (null when the model declares none). */
function keyResultJson(modelId: string, version: string, output: unknown): string | null {
  const model = catalog.find(modelId, version);
  const key = model ? keyResultOf(model, output) : null;
  return key ? JSON.stringify(key) : null;
}
