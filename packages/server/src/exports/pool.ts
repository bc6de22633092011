import { Piscina } from "piscina";
import { DomainError } from "../errors/domain-error.ts";
import type { ExportFile } from "./index.ts";
import type { ExportResult, ExportTask } from "./thread.ts";

/**
 * Export rendering off the event loop: a small piscina pool of threads (EXPORT_THREADS) that
 * start on the first export and stop after 5 idle minutes. A full queue answers 503 rather
 * than letting downloads pile up behind one another.
 */
/** Longest one export may render before its thread is stopped. */
export const RENDER_TIMEOUT_MS = 120_000;

export interface ExportPool {
  render(task: ExportTask): Promise<ExportFile>;
  close(): Promise<void>;
}

export function createExportPool(threads: number, timeoutMs = RENDER_TIMEOUT_MS): ExportPool {
  const execArgv = process.execArgv.some((a) => a.includes("tsx"))
    ? process.execArgv
    : [...process.execArgv, "--import", "tsx"];
  const piscina = new Piscina({
    filename: new URL("./thread.ts", import.meta.url).href,
    minThreads: 0,
    maxThreads: threads,
    idleTimeout: 5 * 60_000,
    maxQueue: threads * 16,
    execArgv,
  });
  return {
    async render(task) {
      let result: ExportResult;
      try {
        result = (await piscina.run(task, { signal: AbortSignal.timeout(timeoutMs) })) as ExportResult;
      } catch (err) {
        if (err instanceof Error && err.name === "AbortError") {
          // piscina terminated the thread (and starts another): nothing is left half-rendered.
          throw new DomainError("export_timeout", "The export took too long to prepare and was stopped.");
        }
        if (err instanceof Error && /queue is at limit/i.test(err.message)) {
          throw new DomainError(
            "export_busy",
            "Too many exports are being prepared; retry in a moment.",
            undefined,
            {
              "retry-after": "5",
            },
          );
        }
        throw err;
      }
      if (!result.ok) throw new DomainError(result.code, result.detail, result.errors);
      return {
        body: Buffer.from(result.body.buffer, result.body.byteOffset, result.body.byteLength),
        contentType: result.contentType,
        fileName: result.fileName,
      };
    },
    close: () => piscina.destroy(),
  };
}
