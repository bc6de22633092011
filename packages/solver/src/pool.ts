import { availableParallelism } from "node:os";
import { Piscina } from "piscina";
import { type ModelBuilder, type ModelSpec, validateModel } from "./model.ts";
import type { SolveOptions, SolveResult } from "./result.ts";
import type { SolverTask } from "./worker.ts";

export class SolveAbortedError extends Error {
  override readonly name = "SolveAbortedError";
}

export interface SolverPool {
  /**
   * Solves `model` on a worker thread. If `signal` aborts before the solve ends, the thread is
   * terminated (a HiGHS solve cannot be interrupted from outside) and the promise rejects with
   * `SolveAbortedError`; the pool replaces the thread.
   */
  solve(
    model: ModelSpec | ModelBuilder,
    opts?: SolveOptions & { signal?: AbortSignal },
  ): Promise<SolveResult>;
  /** Resolves once every thread has loaded tsx and HiGHS. */
  ready(): Promise<void>;
  close(): Promise<void>;
  readonly threads: number;
}

export function createSolverPool(opts: { threads?: number } = {}): SolverPool {
  const threads = Math.max(1, opts.threads ?? Math.min(4, availableParallelism()));
  // Sources are TypeScript: each thread loads tsx the way the main process does (decision 0001).
  const execArgv = process.execArgv.some((a) => a.includes("tsx"))
    ? process.execArgv
    : [...process.execArgv, "--import", "tsx"];
  const piscina = new Piscina({
    filename: new URL("./worker.ts", import.meta.url).href,
    minThreads: 0,
    maxThreads: threads,
    idleTimeout: 30_000,
    execArgv,
  });
  return {
    threads,
    async solve(model, { signal, ...options } = {}) {
      const spec = "build" in model ? model.build() : model;
      if (!("build" in model)) validateModel(spec);
      signal?.throwIfAborted();
      const task: SolverTask = { spec, options };
      try {
        return (await piscina.run(task, signal ? { signal } : {})) as SolveResult;
      } catch (err) {
        if (signal?.aborted) {
          const reason = signal.reason instanceof Error ? signal.reason.message : String(signal.reason ?? "");
          throw new SolveAbortedError(`Solve aborted${reason ? `: ${reason}` : ""}.`, { cause: err });
        }
        throw err;
      }
    },
    async ready() {
      await Promise.all(Array.from({ length: threads }, () => piscina.run({ warmUp: true })));
    },
    close: () => piscina.destroy(),
  };
}

let defaultPool: SolverPool | undefined;

/** The process-wide pool used by `solve` (created on first use). */
export function getDefaultPool(): SolverPool {
  defaultPool ??= createSolverPool();
  return defaultPool;
}

/** Solves on the process-wide solver pool. See `SolverPool.solve`. */
export function solve(
  model: ModelSpec | ModelBuilder,
  opts: SolveOptions & { signal?: AbortSignal } = {},
): Promise<SolveResult> {
  return getDefaultPool().solve(model, opts);
}

/** Closes the process-wide pool (tests, shutdown). */
export async function closeDefaultPool(): Promise<void> {
  const p = defaultPool;
  defaultPool = undefined;
  await p?.close();
}
