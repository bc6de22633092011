import type { MessagePort } from "node:worker_threads";
import { catalog } from "@modelworks/catalog";
import {
  createContext,
  executeModel,
  ModelCanceledError,
  ModelInputError,
  ModelOutputError,
} from "@modelworks/model-kit";

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
}

export type ThreadMessage =
  | { type: "progress"; fraction: number; message?: string | undefined }
  | {
      type: "log";
      level: "debug" | "info" | "warn";
      msg: string;
      fields?: Record<string, unknown> | undefined;
    };

export type ThreadResult =
  | { ok: true; output: unknown }
  | {
      ok: false;
      kind: "input" | "canceled" | "output" | "model";
      message: string;
      issues?: { path: string; message: string }[];
    };

export default async function runTask(task: ThreadTask | { warmUp: true }): Promise<ThreadResult> {
  // Loading this module (engines, zod) is the warm-up; nothing else to do.
  if ("warmUp" in task) return { ok: true, output: null };
  const { port } = task;
  const controller = new AbortController();
  port.on("message", (m: { type?: string; reason?: string }) => {
    if (m?.type === "abort") controller.abort(new ModelCanceledError(m.reason));
  });
  const post = (m: ThreadMessage) => port.postMessage(m);
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
        onProgress: (fraction, message) => post({ type: "progress", fraction, message }),
        log: {
          debug: (msg, fields) => post({ type: "log", level: "debug", msg, fields }),
          info: (msg, fields) => post({ type: "log", level: "info", msg, fields }),
          warn: (msg, fields) => post({ type: "log", level: "warn", msg, fields }),
        },
      }),
    );
    return { ok: true, output };
  } catch (err) {
    if (err instanceof ModelInputError)
      return { ok: false, kind: "input", message: err.message, issues: err.issues };
    if (err instanceof ModelCanceledError || controller.signal.aborted) {
      return { ok: false, kind: "canceled", message: (err as Error).message };
    }
    if (err instanceof ModelOutputError)
      return { ok: false, kind: "output", message: err.message, issues: err.issues };
    return { ok: false, kind: "model", message: err instanceof Error ? err.message : String(err) };
  } finally {
    port.close();
  }
}
