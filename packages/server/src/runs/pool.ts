import { MessageChannel } from "node:worker_threads";
import { Piscina } from "piscina";
import type { ThreadMessage, ThreadResult, ThreadTask } from "./thread.ts";

/**
 * A pool of engine worker threads. Sources are TypeScript, so each thread loads tsx the way the
 * main process does (docs/decisions/0001).
 */
export interface EnginePool {
  /**
   * Runs one engine task. `abort` first asks the engine to stop (its AbortSignal); if it has not
   * returned after `graceMs`, the thread is terminated and the promise rejects.
   */
  run(
    task: Omit<ThreadTask, "port">,
    opts: { onMessage: (m: ThreadMessage) => void; abort: AbortSignal; graceMs?: number },
  ): Promise<ThreadResult>;
  /** Resolves once the threads have loaded the engines. */
  ready(): Promise<void>;
  close(): Promise<void>;
  readonly threads: number;
}

export function createEnginePool(threads: number): EnginePool {
  const execArgv = process.execArgv.some((a) => a.includes("tsx"))
    ? process.execArgv
    : [...process.execArgv, "--import", "tsx"];
  const piscina = new Piscina({
    filename: new URL("./thread.ts", import.meta.url).href,
    // All threads start at once and stay: a cold thread spends its first second loading
    // TypeScript and the engines, which must not count against a run's time limit.
    minThreads: threads,
    maxThreads: threads,
    idleTimeout: Number.POSITIVE_INFINITY,
    // Queue in the pool as little as possible: the database queue is the real one.
    maxQueue: threads * 4,
    execArgv,
  });
  return {
    threads,
    async run(task, { onMessage, abort, graceMs = 2_000 }) {
      const { port1, port2 } = new MessageChannel();
      port1.on("message", onMessage);
      const hardStop = new AbortController();
      let timer: NodeJS.Timeout | undefined;
      const onAbort = () => {
        port1.postMessage({ type: "abort", reason: String(abort.reason ?? "aborted") });
        timer = setTimeout(() => hardStop.abort(), graceMs);
      };
      if (abort.aborted) onAbort();
      else abort.addEventListener("abort", onAbort, { once: true });
      try {
        return (await piscina.run(
          { ...task, port: port2 },
          { transferList: [port2], signal: hardStop.signal },
        )) as ThreadResult;
      } finally {
        clearTimeout(timer);
        abort.removeEventListener("abort", onAbort);
        port1.close();
      }
    },
    async ready() {
      await Promise.all(Array.from({ length: threads }, () => piscina.run({ warmUp: true })));
    },
    close: () => piscina.destroy(),
  };
}
