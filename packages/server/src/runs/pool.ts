import { type ChildProcess, fork } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { FromHost, ToHost } from "./host.ts";
import type { PartsRequest, ThreadMessage, ThreadResult, ThreadTask } from "./thread.ts";
import type { TaskOptions, ThreadPool } from "./thread-pool.ts";

/**
 * The server's engines: a pool of worker threads inside an engine host child process
 * (`host.ts`). Threads keep CPU-bound models off the API's event loop and cap their heap; the
 * process boundary contains what threads cannot — a V8 fatal error or `process.abort()` kills the
 * host, every task in flight there rejects with `EngineCrashedError`, a new host starts, and the
 * API never stops serving. Design and cost: docs/decisions/0017-engine-isolation.md.
 */
export interface EnginePool extends Omit<ThreadPool, "run"> {
  /**
   * Runs one engine task as `ThreadPool.run` does, in the shared host — or, with `isolated`, alone
   * in a fresh one-shot host (a run suspected of crashing hosts: docs/decisions/0005). `onStart` is
   * called when the task reaches a ready host — time spent starting a host is not the run's.
   * Rejects with `EngineCrashedError` when the host dies with the task in flight, and with
   * `EngineStartError` when no host could be started.
   */
  run(
    task: Omit<ThreadTask, "port" | "helpers">,
    opts: TaskOptions & { isolated?: boolean; onStart?: () => void },
  ): Promise<ThreadResult>;
}

export interface EnginePoolOptions {
  /** Heap limit of each engine thread (ENGINE_MAX_HEAP_MB). */
  maxHeapMb?: number;
  /** Told about every unexpected host exit (for the log), with the number of tasks it took down. */
  onHostExit?: (e: { code: number | null; signal: NodeJS.Signals | null; inFlight: number }) => void;
}

export const DEFAULT_MAX_HEAP_MB = 1024;

/** The engine process died while the task was in flight: its own fault, or a neighbour's. */
export class EngineCrashedError extends Error {
  /** How it ended: "signal SIGABRT" or "exit code 134". */
  readonly how: string;
  constructor(
    readonly exitCode: number | null,
    readonly signal: NodeJS.Signals | null,
  ) {
    const how = signal ? `signal ${signal}` : `exit code ${exitCode}`;
    super(`The engine process stopped unexpectedly (${how}).`);
    this.name = "EngineCrashedError";
    this.how = how;
  }
}

/** The engine host died before it was ready: a broken installation, not a run's fault. */
export class EngineStartError extends Error {
  constructor(exitCode: number | null, signal: NodeJS.Signals | null) {
    super(`The engine process failed to start (${signal ? `signal ${signal}` : `exit code ${exitCode}`}).`);
    this.name = "EngineStartError";
  }
}

/** The host had already exited when a task came for it (the task never started). */
class HostGoneError extends Error {}

const HOST_ENTRY = fileURLToPath(new URL("./host.ts", import.meta.url));
/** Engines need no credentials: variables that look like secrets stay in the server. */
const SECRET_ENV = /SECRET|PASSWORD|TOKEN|_KEY|CREDENTIAL|DATABASE_URL|REDIS_URL/i;
const CLOSE_GRACE_MS = 10_000;

type Pending = {
  onMessage: (m: Exclude<ThreadMessage, PartsRequest>) => void;
  resolve: (r: ThreadResult) => void;
  reject: (e: Error) => void;
};

/** One engine host process and the tasks in flight in it. */
class EngineHost {
  readonly ready: Promise<void>;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; inFlight: number }>;
  closing = false;
  private readonly child: ChildProcess;
  private readonly pending = new Map<number, Pending>();
  private nextId = 0;
  /** Said `ready`: it loaded the engines (an exit before that is a start failure). */
  isReady = false;
  /** Set when the process has exited: the error its tasks got. */
  dead: Error | null = null;

  /** `onExit` is called synchronously on exit, before the tasks in flight are rejected. */
  constructor(
    threads: number,
    maxHeapMb: number,
    lent: { helpers: number; parts: number },
    onExit?: (host: EngineHost) => void,
  ) {
    const execArgv = process.execArgv.some((a) => a.includes("tsx"))
      ? process.execArgv
      : [...process.execArgv, "--import", "tsx"];
    const env: NodeJS.ProcessEnv = {};
    for (const [k, v] of Object.entries(process.env)) if (!SECRET_ENV.test(k)) env[k] = v;
    this.child = fork(HOST_ENTRY, [String(threads), String(maxHeapMb)], {
      execArgv,
      env,
      serialization: "advanced",
      // stdout/stderr are the server's: a V8 fatal error's report lands in its log.
      stdio: ["ignore", "inherit", "inherit", "ipc"],
    });
    let markReady!: () => void;
    let failStart!: (e: Error) => void;
    this.ready = new Promise<void>((resolve, reject) => {
      markReady = resolve;
      failStart = reject;
    });
    this.ready.catch(() => {}); // observed by run()/ready(); not an unhandled rejection here
    this.child.on("message", (m: FromHost) => {
      if (m.t === "ready") {
        this.isReady = true;
        markReady();
        return;
      }
      const p = this.pending.get(m.id);
      if (!p) return;
      if (m.t === "msg") p.onMessage(m.m);
      else if (m.t === "done") {
        lent.helpers += m.lent.helpers;
        lent.parts += m.lent.parts;
        p.resolve(m.result);
      } else p.reject(new Error(m.message));
    });
    // A send to a host that is dying: its exit rejects the task.
    this.child.on("error", () => {});
    this.exited = new Promise((resolve) => {
      this.child.once("exit", (code, signal) => {
        const inFlight = this.pending.size;
        const error =
          this.closing && inFlight === 0
            ? new Error("The engine pool was closed.")
            : this.isReady
              ? new EngineCrashedError(code, signal)
              : new EngineStartError(code, signal);
        this.dead = error;
        onExit?.(this);
        failStart(error);
        for (const p of [...this.pending.values()]) p.reject(error);
        resolve({ code, signal, inFlight });
      });
    });
  }

  async run(
    task: Omit<ThreadTask, "port" | "helpers">,
    opts: Parameters<EnginePool["run"]>[1],
  ): Promise<ThreadResult> {
    await this.ready;
    // Nothing was sent to a host that is already gone; the pool retries on its successor.
    if (this.dead) throw new HostGoneError();
    const { abort } = opts;
    if (abort.aborted) return { ok: false, kind: "canceled", message: String(abort.reason ?? "aborted") };
    const id = this.nextId++;
    const onAbort = () => this.send({ t: "abort", id, reason: String(abort.reason ?? "aborted") });
    try {
      return await new Promise<ThreadResult>((resolve, reject) => {
        this.pending.set(id, { onMessage: opts.onMessage, resolve, reject });
        opts.bindPost?.((m) => this.send({ t: "to-thread", id, m }));
        abort.addEventListener("abort", onAbort, { once: true });
        this.send({ t: "run", id, task, graceMs: opts.graceMs ?? 2_000 });
        opts.onStart?.();
      });
    } finally {
      this.pending.delete(id);
      abort.removeEventListener("abort", onAbort);
    }
  }

  private send(m: ToHost) {
    try {
      if (this.child.connected) this.child.send(m);
    } catch {
      // the channel closed under us; the exit handler rejects the task
    }
  }

  /** Closes the channel (the host drains its threads and exits); SIGKILL if it lingers. */
  async close(): Promise<void> {
    this.closing = true;
    if (this.child.exitCode === null && this.child.signalCode === null) {
      if (this.child.connected) this.child.disconnect();
      const timer = setTimeout(() => this.child.kill("SIGKILL"), CLOSE_GRACE_MS);
      await this.exited;
      clearTimeout(timer);
    }
  }
}

export function createEnginePool(threads: number, opts: EnginePoolOptions = {}): EnginePool {
  const maxHeapMb = opts.maxHeapMb ?? DEFAULT_MAX_HEAP_MB;
  const lent = { helpers: 0, parts: 0 };
  const oneShots = new Set<EngineHost>();
  let closed = false;
  let failedStarts = 0;

  /** Starts a host (after `delayMs`) and replaces it whenever it dies unexpectedly. */
  const launch = (delayMs: number): Promise<EngineHost> => {
    const started = new Promise<void>((r) => (delayMs > 0 ? setTimeout(r, delayMs).unref() : r())).then(
      () => {
        if (closed) throw new Error("The engine pool was closed.");
        // Replaced synchronously on exit, so no task is handed to a dead host meanwhile.
        return new EngineHost(threads, maxHeapMb, lent, (h) => {
          if (closed || h.closing) return;
          // A host that dies before it is ready would die again at once: back off, up to 30 s.
          failedStarts = h.isReady ? 0 : failedStarts + 1;
          current = launch(failedStarts === 0 ? 0 : Math.min(30_000, 250 * 2 ** failedStarts));
          void h.exited.then((exit) => opts.onHostExit?.(exit));
        });
      },
    );
    started.catch(() => {});
    return started;
  };
  let current = launch(0);

  return {
    threads,
    lent,
    async run(task, runOpts) {
      if (!runOpts.isolated) {
        for (;;) {
          try {
            return await (await current).run(task, runOpts);
          } catch (err) {
            if (!(err instanceof HostGoneError) || closed) throw err;
          }
        }
      }
      // One thread: a suspect run shares its process with nothing, not even a fan-out helper.
      const h = new EngineHost(1, maxHeapMb, lent);
      oneShots.add(h);
      try {
        return await h.run(task, runOpts).catch((err) => {
          throw err instanceof HostGoneError ? h.dead : err;
        });
      } finally {
        oneShots.delete(h);
        await h.close();
      }
    },
    async ready() {
      await (await current).ready;
    },
    async close() {
      closed = true;
      const h = await current.catch(() => null);
      await Promise.all([h?.close(), ...[...oneShots].map((o) => o.close())]);
    },
  };
}
