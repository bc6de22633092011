import { MessageChannel } from "node:worker_threads";
import { stopBoard } from "@modelworks/model-kit";
import { Piscina } from "piscina";
import type { LlmReplyMessage } from "../llm/wire.ts";
import type { PartsReply, PartsRequest, ThreadMessage, ThreadResult, ThreadTask } from "./thread.ts";

/**
 * A pool of engine worker threads. Sources are TypeScript, so each thread loads tsx the way the
 * main process does (docs/decisions/0001). It lives inside an engine host process (`host.ts`);
 * the server talks to it through `pool.ts`, never directly, so that a V8 fatal error in a thread
 * takes down only the host.
 */
/** How a task is run and stopped; the engine pool (`pool.ts`) adds isolation to it. */
export interface TaskOptions {
  onMessage: (m: Exclude<ThreadMessage, PartsRequest>) => void;
  abort: AbortSignal;
  graceMs?: number;
  /** Called once with a way to message the run's thread (answers to its `ctx.llm` calls). */
  bindPost?: (post: (m: LlmReplyMessage) => void) => void;
}

export interface ThreadPool {
  /**
   * Runs one engine task. `abort` first asks the engine to stop (its AbortSignal); if it has not
   * returned after `graceMs`, the thread is terminated and the promise rejects. The run may
   * borrow the pool's other threads for its model's parts (model-kit `runParts`); helpers are
   * ordinary pool tasks, so a busy pool simply lends none.
   */
  run(task: Omit<ThreadTask, "port" | "helpers">, opts: TaskOptions): Promise<ThreadResult>;
  /** Resolves once the threads have loaded the engines. */
  ready(): Promise<void>;
  close(): Promise<void>;
  readonly threads: number;
  /** Helpers lent to runs so far, and the parts they did (fan-out, for metrics and tests). */
  readonly lent: { helpers: number; parts: number };
}

export interface ThreadPoolOptions {
  /** Old-generation heap limit of each thread; a thread that reaches it is stopped (resource_limit). */
  maxHeapMb: number;
}

/** Node's error when a worker thread reaches its `resourceLimits`. */
const OUT_OF_MEMORY = "ERR_WORKER_OUT_OF_MEMORY";

export function createThreadPool(threads: number, { maxHeapMb }: ThreadPoolOptions): ThreadPool {
  const execArgv = process.execArgv.some((a) => a.includes("tsx"))
    ? process.execArgv
    : [...process.execArgv, "--import", "tsx"];
  // Room for every fast run the worker lets in (FAST_DEPTH_PER_THREAD per thread, runner.ts)
  // beside the queued runs, which never exceed one per thread.
  const maxQueue = threads * 8;
  const piscina = new Piscina({
    filename: new URL("./thread.ts", import.meta.url).href,
    // All threads start at once and stay: a cold thread spends its first second loading
    // TypeScript and the engines, which must not count against a run's time limit.
    minThreads: threads,
    maxThreads: threads,
    idleTimeout: Number.POSITIVE_INFINITY,
    // Queued runs never wait here (the worker claims one per free thread: the database queue is
    // the real one); only short fast runs do (docs/decisions/0051).
    maxQueue,
    execArgv,
    // A runaway engine hits this limit and loses its thread (ERR_WORKER_OUT_OF_MEMORY) instead
    // of growing the host until the machine swaps or the kernel kills it.
    resourceLimits: { maxOldGenerationSizeMb: maxHeapMb },
  });
  const lent = { helpers: 0, parts: 0 };
  return {
    threads,
    lent,
    async run(task, { onMessage, abort, graceMs = 2_000, bindPost }) {
      const { port1, port2 } = new MessageChannel();
      const boards = new Set<Int32Array>();
      let open = true;
      const reply = (m: PartsReply) => {
        if (open) port1.postMessage(m);
      };
      const startHelper = ({ type: _t, id, ...parts }: PartsRequest) => {
        boards.add(parts.board);
        // A full queue lends no helper: the run does the work itself.
        if (piscina.queueSize >= maxQueue) {
          reply({ type: "parts-result", id, ok: true, pairs: [] });
          return;
        }
        lent.helpers++;
        piscina.run({ parts }).then(
          (r: ThreadResult) => {
            if (!r.ok) return reply({ type: "parts-result", id, ok: false, message: r.message });
            const pairs = r.output as [number, unknown][];
            lent.parts += pairs.length;
            reply({ type: "parts-result", id, ok: true, pairs });
          },
          (err: Error) => reply({ type: "parts-result", id, ok: false, message: err.message }),
        );
      };
      port1.on("message", (m: ThreadMessage) => (m.type === "parts" ? startHelper(m) : onMessage(m)));
      bindPost?.((m) => {
        if (open) port1.postMessage(m);
      });
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
          { ...task, port: port2, helpers: threads - 1 },
          { transferList: [port2], signal: hardStop.signal },
        )) as ThreadResult;
      } catch (err) {
        // Out of heap is the run's own doing and would happen again: a final answer, not a crash.
        if ((err as { code?: string }).code === OUT_OF_MEMORY && !hardStop.signal.aborted)
          return {
            ok: false,
            kind: "resource",
            message: `The model ran out of memory: it reached the engine's heap limit of ${maxHeapMb} MB and was stopped. The run was not retried; reduce the problem size, or ask an admin to raise ENGINE_MAX_HEAP_MB.`,
          };
        throw err;
      } finally {
        clearTimeout(timer);
        abort.removeEventListener("abort", onAbort);
        // If the run's thread was terminated mid-fan-out, its helpers must not work on.
        for (const b of boards) stopBoard(b);
        open = false;
        port1.close();
      }
    },
    async ready() {
      await Promise.all(Array.from({ length: threads }, () => piscina.run({ warmUp: true })));
    },
    close: () => piscina.destroy(),
  };
}
