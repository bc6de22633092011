import { type ModelLlm, unavailableLlm } from "./llm.ts";
import type { FanOut } from "./parallel.ts";

/** What a running engine may use: nothing else reaches it (no database, HTTP or files). */
export interface ModelLogger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
}

/**
 * Read-only data an engine may ask for (market data, reference tables…), provided by the
 * platform. Engines declare what they need by augmenting this interface.
 */
// biome-ignore lint/suspicious/noEmptyInterface: extended by declaration merging in engines
export interface DataConnectors {}

export interface ModelContext {
  /** Reports progress: `fraction` in [0, 1], rising; the platform throttles and publishes it. */
  progress(fraction: number, message?: string): void;
  /** Aborted when the run is canceled or times out; long loops should call `throwIfAborted()`. */
  signal: AbortSignal;
  log: ModelLogger;
  data: Partial<DataConnectors>;
  /**
   * Helper threads for the model's declared `parts`, when the platform has them (its engine
   * pool); absent in the CLI and tests. Engines do not call it directly: `runParts` uses it or
   * falls back to this thread.
   */
  fanOut?: FanOut;
  /**
   * Language models through the platform (keys, budgets, cache, audit stay there): see llm.ts.
   * `available` is false when no provider is configured — take the built-in path (`withBuiltIn`).
   */
  llm: ModelLlm;
}

const silent: ModelLogger = { debug() {}, info() {}, warn() {} };

/** A context for running an engine directly (tests, CLI): progress goes to `onProgress`. */
export function createContext(
  opts: {
    signal?: AbortSignal;
    onProgress?: (fraction: number, message?: string) => void;
    log?: ModelLogger;
    data?: Partial<DataConnectors>;
    fanOut?: FanOut;
    /** Default: unavailable (the built-in path); tests pass `createTestLlm(...)`. */
    llm?: ModelLlm;
  } = {},
): ModelContext {
  return {
    progress: (fraction, message) => opts.onProgress?.(Math.min(1, Math.max(0, fraction)), message),
    signal: opts.signal ?? new AbortController().signal,
    log: opts.log ?? silent,
    data: opts.data ?? {},
    llm: opts.llm ?? unavailableLlm,
    ...(opts.fanOut ? { fanOut: opts.fanOut } : {}),
  };
}
