import { openSync, readSync } from "node:fs";
import type { MessagePort } from "node:worker_threads";
import { catalog } from "@modelworks/catalog";
import {
  createContext,
  executeModel,
  type FanOut,
  keyResultOf,
  LlmError,
  type LlmErrorCode,
  ModelCanceledError,
  ModelInputError,
  ModelOutputError,
  workParts,
} from "@modelworks/model-kit";
import { createThreadLlm } from "../llm/thread-client.ts";
import type { LlmCallMessage, LlmReplyMessage } from "../llm/wire.ts";
import { notePhase, type PhaseMark } from "./phase-timings.ts";
import { warmUpEngines } from "./warm-up.ts";

/**
 * Entry point of an engine worker thread (piscina). Engines are CPU-bound and synchronous in
 * places; running them here keeps the API's event loop free. Progress and log lines go back over
 * `port`; an `{type:"abort"}` message aborts the engine's signal (cooperative cancellation —
 * the pool terminates the thread if the engine does not stop in time).
 */
export interface ThreadTask {
  modelId: string;
  modelVersion: string;
  input: unknown;
  /** Reference tables resolved by the platform before the run (`ctx.data`); plain, cloneable data. */
  data: Record<string, unknown>;
  port: MessagePort;
  /** Threads the run may borrow for its model's parts (fan-out); 0 or absent: none. */
  helpers?: number;
  /** A language model is configured for the run's organization (`ctx.llm.available`; issue 14). */
  llm?: boolean;
  /**
   * Answer with the output already as JSON text (and its key result), not as an object: the fast
   * path (docs/decisions/0051) stores and serves those bytes, so the API's event loop neither
   * clones the object across two boundaries nor stringifies it again.
   */
  serialize?: boolean;
  /**
   * The input is the model's parsed input, validated by the API of this deployment just before
   * (the fast path): the thread does not parse it again. Queued runs' stored inputs are parsed.
   */
  inputParsed?: boolean;
  /**
   * False: no one can follow this run's progress (the fast path: the run has no id until it is
   * stored finished), so the thread posts none — each message woke the engine host's event loop
   * for nothing, 4–10 times per small optimization. Phases are still noted for the run's phase
   * timings. Absent: progress is posted.
   */
  progress?: boolean;
}

/** A helper's task: work the run's board of parts (model-kit `workParts`). */
export interface PartsTask {
  parts: {
    modelId: string;
    modelVersion: string;
    part: string;
    shared: unknown;
    items: readonly unknown[];
    board: Int32Array;
  };
}

/** Run thread → pool: start a helper. Pool → run thread: what it did (`pairs`), or why it failed. */
export type PartsRequest = { type: "parts"; id: number } & PartsTask["parts"];
export type PartsReply =
  | { type: "parts-result"; id: number; ok: true; pairs: [number, unknown][] }
  | { type: "parts-result"; id: number; ok: false; message: string };

export type ThreadMessage =
  | { type: "progress"; fraction: number; message?: string | undefined }
  | {
      type: "log";
      level: "debug" | "info" | "warn";
      msg: string;
      fields?: Record<string, unknown> | undefined;
    }
  | PartsRequest
  /** `ctx.llm` asks the main process (src/llm/wire.ts). */
  | LlmCallMessage;

export type ThreadResult = (
  | {
      ok: true;
      output: unknown;
      /** With `serialize`: the output and key result as JSON text (`output` is then null). */
      json?: { output: string; keyResult: string | null };
      /**
       * Milliseconds the model took in this thread (validation and serialization included), not
       * counting any wait in the pool's queue, the messages, or (on Linux) the time the thread
       * was ready but waited for a CPU: what decides whether it is short, on a busy machine too.
       */
      engineMs?: number;
    }
  | {
      ok: false;
      /** `resource`: the thread reached its heap limit (set by the pool, not by the thread). */
      kind: "input" | "canceled" | "output" | "model" | "resource" | "llm";
      message: string;
      /** For `llm`: why the model call failed (llm_budget_exhausted, llm_output_invalid…). */
      code?: LlmErrorCode;
      issues?: { path: string; message: string }[];
    }
) & {
  /**
   * The model read `ctx.llm` (whether a language model is available, or a call): its answer may
   * depend on the organization's provider, so the fast path looks that up for its runs
   * (docs/decisions/0051). False: the run's result would be the same with or without one.
   */
  llmRead?: boolean;
  /** When each distinct progress message was posted, noted by the thread itself (phase-timings.ts). */
  marks?: PhaseMark[];
};

/**
 * Milliseconds this thread has so far spent runnable but waiting for a CPU (Linux's
 * /proc/thread-self/schedstat, second field); null where there is no such file. A loaded machine
 * makes every run's wall time longer; this is the part that is the machine's, not the model's.
 */
let schedstatFd: number | null | undefined;
const schedstatBytes = Buffer.alloc(128);
function runQueueWaitMs(): number | null {
  // Opened once per thread and re-read from offset 0 (proc files are regenerated on each read):
  // ~5 µs a reading, where readFileSync's open, fstat, read and close took ~24 µs — two readings
  // per run, next to a fast TIF run's ~1.1 ms in the engine host (issue 20). /proc/thread-self resolves to the opening thread, and
  // only this thread reads this fd. A thread the pool replaces does not leak it: workers track
  // raw fds and close them when they exit (Node's `trackUnmanagedFds`, on by default; piscina
  // keeps the default), terminated threads included (checked: 20 terminated workers, no fd left).
  if (schedstatFd === undefined) {
    try {
      schedstatFd = openSync("/proc/thread-self/schedstat", "r");
    } catch {
      schedstatFd = null;
    }
  }
  if (schedstatFd === null) return null;
  try {
    const n = readSync(schedstatFd, schedstatBytes, 0, schedstatBytes.length, 0);
    return Number(schedstatBytes.toString("latin1", 0, n).split(" ")[1]) / 1e6;
  } catch {
    schedstatFd = null;
    return null;
  }
}

/** A clock of the model's own time in this thread (see `runQueueWaitMs`). */
function modelClock(): () => number {
  const started = performance.now();
  const waited = runQueueWaitMs();
  return () => {
    const wall = performance.now() - started;
    const now = waited === null ? null : runQueueWaitMs();
    return now === null || waited === null ? wall : Math.max(0, wall - (now - waited));
  };
}

export default async function runTask(
  task: ThreadTask | PartsTask | { warmUp: true },
): Promise<ThreadResult> {
  if ("warmUp" in task || "parts" in task) return runTaskOf(task);
  // Any property of ctx.llm read by the model (`available`, a call) is recorded.
  const read = { llm: false };
  // Phase marks are taken here, as the model reports them: progress travels on the task's port
  // and the result on the pool's channel, and a result can overtake the last progress messages
  // (seen under load: a content run with phases 3–5 missing), so marks taken downstream can miss
  // the end of a run.
  const marks: PhaseMark[] = [];
  const result = await runTaskOf(task, read, marks);
  return { ...result, llmRead: read.llm, ...(marks.length ? { marks } : {}) };
}

async function runTaskOf(
  task: ThreadTask | PartsTask | { warmUp: true },
  read: { llm: boolean } = { llm: false },
  marks: PhaseMark[] = [],
): Promise<ThreadResult> {
  // Loading this module (engines, zod) is the warm-up, with what the engines load for every run.
  if ("warmUp" in task) {
    await warmUpEngines(catalog.list({ includeInternal: true }).flatMap((m) => catalog.versions(m.id)));
    return { ok: true, output: null };
  }
  if ("parts" in task) return runHelper(task);
  const { port } = task;
  const controller = new AbortController();
  const waiting = new Map<
    number,
    { resolve: (p: [number, unknown][]) => void; reject: (e: Error) => void }
  >();
  const threadLlm = createThreadLlm(!!task.llm, (m) => port.postMessage(m), controller.signal);
  port.on("message", (m: { type?: string; reason?: string } | PartsReply | LlmReplyMessage) => {
    if (m?.type === "llm-text" || m?.type === "llm-result") threadLlm.receive(m as LlmReplyMessage);
    if (m?.type === "abort") controller.abort(new ModelCanceledError((m as { reason?: string }).reason));
    if (m?.type === "parts-result") {
      const r = m as PartsReply;
      const w = waiting.get(r.id);
      waiting.delete(r.id);
      if (r.ok) w?.resolve(r.pairs);
      else w?.reject(new Error(r.message));
    }
  });
  const post = (m: ThreadMessage) => port.postMessage(m);
  let nextId = 0;
  const fanOut: FanOut | undefined = task.helpers
    ? {
        helpers: task.helpers,
        startHelpers: ({ part, shared, items, board, count }) =>
          Array.from({ length: count }, () => {
            const id = nextId++;
            const done = new Promise<[number, unknown][]>((resolve, reject) =>
              waiting.set(id, { resolve, reject }),
            );
            post({
              type: "parts",
              id,
              modelId: task.modelId,
              modelVersion: task.modelVersion,
              part,
              shared,
              items,
              board,
            });
            return done;
          }),
      }
    : undefined;
  const elapsed = modelClock();
  try {
    const model = catalog.find(task.modelId, task.modelVersion);
    if (!model)
      return {
        ok: false,
        kind: "model",
        message: `Model ${task.modelId}@${task.modelVersion} is not installed on this worker.`,
      };
    const output = await executeModel(
      model,
      task.input,
      createContext({
        signal: controller.signal,
        data: task.data,
        llm: new Proxy(threadLlm.llm, {
          get(target, property, receiver) {
            read.llm = true;
            return Reflect.get(target, property, receiver);
          },
        }),
        onProgress: (fraction, message) => {
          notePhase(marks, message, Date.now());
          if (task.progress !== false) post({ type: "progress", fraction, message });
        },
        log: {
          debug: (msg, fields) => post({ type: "log", level: "debug", msg, fields }),
          info: (msg, fields) => post({ type: "log", level: "info", msg, fields }),
          warn: (msg, fields) => post({ type: "log", level: "warn", msg, fields }),
        },
        ...(fanOut ? { fanOut } : {}),
      }),
      { inputParsed: task.inputParsed === true },
    );
    if (task.serialize) {
      const key = keyResultOf(model, output);
      const json = { output: JSON.stringify(output), keyResult: key ? JSON.stringify(key) : null };
      return { ok: true, output: null, json, engineMs: elapsed() };
    }
    return { ok: true, output, engineMs: elapsed() };
  } catch (err) {
    if (err instanceof ModelInputError)
      return { ok: false, kind: "input", message: err.message, issues: err.issues };
    if (err instanceof ModelCanceledError || controller.signal.aborted) {
      return { ok: false, kind: "canceled", message: (err as Error).message };
    }
    if (err instanceof LlmError) return { ok: false, kind: "llm", code: err.code, message: err.message };
    if (err instanceof ModelOutputError)
      return { ok: false, kind: "output", message: err.message, issues: err.issues };
    return { ok: false, kind: "model", message: err instanceof Error ? err.message : String(err) };
  } finally {
    port.close();
  }
}

/** A helper thread: claims parts from the run's board until none is left (or the run stops it). */
function runHelper({ parts: t }: PartsTask): ThreadResult {
  const fn = catalog.find(t.modelId, t.modelVersion)?.parts?.[t.part];
  if (!fn) {
    return {
      ok: false,
      kind: "model",
      message: `Model ${t.modelId}@${t.modelVersion} has no part "${t.part}" on this worker.`,
    };
  }
  try {
    return { ok: true, output: workParts(fn, t.shared, t.items, t.board) };
  } catch (err) {
    return { ok: false, kind: "model", message: err instanceof Error ? err.message : String(err) };
  }
}
