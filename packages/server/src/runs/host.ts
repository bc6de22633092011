import type { LlmReplyMessage } from "../llm/wire.ts";
import type { ThreadMessage, ThreadResult, ThreadTask } from "./thread.ts";
import { createThreadPool } from "./thread-pool.ts";

/**
 * Entry point of an engine host: a child process of the server (`child_process.fork`, see
 * `pool.ts`) that owns the engine thread pool. Threads contain exceptions and out-of-heap, but a
 * V8 fatal error or `process.abort()` in a thread aborts its whole process; here that process is
 * this host, and the server goes on serving. Fan-out helpers are threads of the same pool, so
 * SharedArrayBuffer boards never leave this process.
 *
 * Protocol (IPC with `serialization: "advanced"`, so inputs and outputs are structured-cloned
 * once, never re-serialized): one `run` in and one `done`/`fail` out per task; `msg` carries the
 * run's log lines and its progress (coalesced), `abort` the server's cancel or timeout.
 * argv: <threads> <maxHeapMb>.
 */
export type ToHost =
  | { t: "run"; id: number; task: Omit<ThreadTask, "port" | "helpers">; graceMs: number }
  | { t: "abort"; id: number; reason: string }
  /** Server → a task's thread: answers to its `ctx.llm` calls (src/llm/wire.ts). */
  | { t: "to-thread"; id: number; m: LlmReplyMessage };

export type FromHost =
  | { t: "ready" }
  | { t: "msg"; id: number; m: Exclude<ThreadMessage, { type: "parts" }> }
  | { t: "done"; id: number; result: ThreadResult; lent: { helpers: number; parts: number } }
  | { t: "fail"; id: number; message: string };

const [threads, maxHeapMb] = process.argv.slice(2).map(Number);
if (!process.send || !Number.isInteger(threads) || !Number.isInteger(maxHeapMb)) {
  console.error("engine host: start me with child_process.fork(host.ts, [threads, maxHeapMb])");
  process.exit(2);
}

const PROGRESS_MS = 50;

const pool = createThreadPool(threads!, { maxHeapMb: maxHeapMb! });
const tasks = new Map<number, AbortController>();
const posters = new Map<number, (m: LlmReplyMessage) => void>();
// Helpers lent since the last report: each `done` carries the increment, so counts survive restarts.
const reported = { helpers: 0, parts: 0 };

const send = (m: FromHost) => {
  if (process.connected) process.send!(m);
};

process.on("message", (m: ToHost) => {
  if (m.t === "abort") {
    tasks.get(m.id)?.abort(m.reason);
    return;
  }
  if (m.t === "to-thread") {
    posters.get(m.id)?.(m.m);
    return;
  }
  const controller = new AbortController();
  tasks.set(m.id, controller);
  // Progress goes out at most every PROGRESS_MS, the latest value; a run that ends sooner sends
  // none (its final state says 1). A 0.25 ms TIF run thus costs one message each way.
  let progress: Extract<ThreadMessage, { type: "progress" }> | null = null;
  let progressTimer: NodeJS.Timeout | undefined;
  const flushProgress = () => {
    progressTimer = undefined;
    if (progress) send({ t: "msg", id: m.id, m: progress });
    progress = null;
  };
  pool
    .run(m.task, {
      abort: controller.signal,
      graceMs: m.graceMs,
      bindPost: (post) => void posters.set(m.id, post),
      onMessage: (msg) => {
        if (msg.type !== "progress") return send({ t: "msg", id: m.id, m: msg });
        progress = msg;
        progressTimer ??= setTimeout(flushProgress, PROGRESS_MS);
      },
    })
    .then(
      (result) => {
        const lent = {
          helpers: pool.lent.helpers - reported.helpers,
          parts: pool.lent.parts - reported.parts,
        };
        reported.helpers = pool.lent.helpers;
        reported.parts = pool.lent.parts;
        send({ t: "done", id: m.id, result, lent });
      },
      (err: Error) => send({ t: "fail", id: m.id, message: err.message }),
    )
    .finally(() => {
      clearTimeout(progressTimer);
      tasks.delete(m.id);
      posters.delete(m.id);
    });
});

// Ctrl-C in a terminal signals the whole process group: the server shuts down gracefully and
// finishes its runs, so the host must not die under them. It leaves when the server lets go.
process.on("SIGINT", () => {});
process.on("SIGTERM", () => {});

// The server closed the channel (shutdown) or died: nothing is left to work for.
process.on("disconnect", () => {
  void pool.close().finally(() => process.exit(0));
});

await pool.ready();
send({ t: "ready" });
