import {
  APICallError,
  generateText,
  type LanguageModel,
  NoObjectGeneratedError,
  Output,
  streamText,
} from "ai";
import type { z } from "zod";
import { LlmError, type LlmUsage } from "./llm.ts";

/**
 * The one place a call reaches the Vercel AI SDK (`ai`): structured output through
 * `generateText({ output: Output.object })`, streaming through `streamText`, with timeouts,
 * retries with backoff (honouring Retry-After) on 429, 408 and 5xx, another attempt when the
 * answer does not satisfy its schema, and abort. Shared by the server's providers and by
 * `createTestLlm` (mock models), so engine tests exercise the code path production runs.
 * Not exported from the package root: engines never load the SDK.
 */
export interface SdkCallOptions {
  signal?: AbortSignal;
  /** Per attempt; 0 or absent: none. */
  timeoutMs?: number;
  /** Attempts after transient provider errors (429, 408, 5xx, network) — 1 means no retry. */
  maxAttempts?: number;
  /** Attempts when the answer does not satisfy its schema. */
  maxOutputAttempts?: number;
  /** First backoff delay; doubled each retry. A Retry-After header wins when it is shorter than 60 s. */
  retryBaseMs?: number;
}

export interface SdkPrompt {
  system: string | undefined;
  prompt: string;
  temperature?: number | undefined;
  maxOutputTokens?: number | undefined;
}

export interface SdkResult<T> {
  value: T;
  usage: LlmUsage;
}

const usageOf = (u: { inputTokens?: number | undefined; outputTokens?: number | undefined }): LlmUsage => ({
  inputTokens: u.inputTokens ?? 0,
  outputTokens: u.outputTokens ?? 0,
});

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const t = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(t);
      reject(signal!.reason);
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });

/** The provider's Retry-After (seconds or an HTTP date; `retry-after-ms` first), in ms. */
export function retryAfterMs(err: unknown): number | null {
  const h = APICallError.isInstance(err) ? err.responseHeaders : undefined;
  if (!h) return null;
  const ms = Number.parseFloat(h["retry-after-ms"] ?? "");
  if (Number.isFinite(ms) && ms >= 0) return ms;
  const raw = h["retry-after"];
  if (!raw) return null;
  const s = Number.parseFloat(raw);
  if (Number.isFinite(s) && s >= 0) return s * 1000;
  const at = Date.parse(raw);
  return Number.isNaN(at) ? null : Math.max(0, at - Date.now());
}

function isTransient(err: unknown): boolean {
  if (APICallError.isInstance(err)) return err.isRetryable;
  // fetch's own failures (connection refused or reset) are worth another attempt.
  return err instanceof TypeError && /fetch failed|terminated|ECONN/i.test(String(err.message));
}

/** A provider error in the platform's terms: a bad key is the admin's to fix, the rest is the provider's. */
export function toLlmError(err: unknown): LlmError {
  if (err instanceof LlmError) return err;
  if (APICallError.isInstance(err) && (err.statusCode === 401 || err.statusCode === 403)) {
    return new LlmError("llm_key_invalid", `The provider rejected the API key (HTTP ${err.statusCode}).`);
  }
  if (APICallError.isInstance(err) && err.statusCode === 404) {
    return new LlmError(
      "llm_provider_unknown",
      `The provider does not know this model (HTTP 404): ${err.message}`,
    );
  }
  const status = APICallError.isInstance(err) && err.statusCode ? ` (HTTP ${err.statusCode})` : "";
  return new LlmError(
    "llm_provider_error",
    `The language model provider failed${status}: ${(err as Error).message}`,
  );
}

/**
 * Runs `attempt` with a fresh per-attempt timeout, retrying transient provider errors with
 * exponential backoff. Aborts (the run's cancel) propagate unchanged and at once.
 */
async function withRetries<T>(o: SdkCallOptions, attempt: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const maxAttempts = Math.max(1, o.maxAttempts ?? 3);
  const base = o.retryBaseMs ?? 1000;
  for (let n = 1; ; n++) {
    const signals = [o.signal, o.timeoutMs ? AbortSignal.timeout(o.timeoutMs) : undefined].filter(
      (s): s is AbortSignal => !!s,
    );
    const signal = AbortSignal.any(signals);
    try {
      return await attempt(signal);
    } catch (err) {
      if (o.signal?.aborted) throw o.signal.reason ?? err;
      if (signal.aborted) {
        // Our timeout, not the caller's abort: a slow provider is transient.
        if (n >= maxAttempts)
          throw new LlmError(
            "llm_provider_error",
            `The language model did not answer within ${o.timeoutMs} ms.`,
          );
      } else if (!isTransient(err) || n >= maxAttempts) {
        // An answer that fails its schema is retried by the caller, with its own count.
        throw NoObjectGeneratedError.isInstance(err) ? err : toLlmError(err);
      }
      const after = retryAfterMs(err);
      const backoff = base * 2 ** (n - 1);
      await sleep(after !== null && after < 60_000 ? after : backoff, o.signal);
    }
  }
}

/** A typed object validated by `schema` (again, after the SDK's own check). */
export async function sdkGenerateObject<T>(
  model: LanguageModel,
  p: SdkPrompt & { schema: z.ZodType<T>; schemaName?: string | undefined },
  o: SdkCallOptions = {},
): Promise<SdkResult<T>> {
  const maxOutputAttempts = Math.max(1, o.maxOutputAttempts ?? 2);
  let lastIssue = "";
  const usage: LlmUsage = { inputTokens: 0, outputTokens: 0 };
  for (let n = 1; n <= maxOutputAttempts; n++) {
    try {
      const r = await withRetries(o, (abortSignal) =>
        generateText({
          model,
          system: p.system,
          prompt: p.prompt,
          temperature: p.temperature ?? 0,
          ...(p.maxOutputTokens ? { maxOutputTokens: p.maxOutputTokens } : {}),
          output: Output.object({ schema: p.schema, ...(p.schemaName ? { name: p.schemaName } : {}) }),
          maxRetries: 0,
          abortSignal,
        }),
      );
      const u = usageOf(r.usage);
      usage.inputTokens += u.inputTokens;
      usage.outputTokens += u.outputTokens;
      // Validated again here: what reaches the engine is exactly what its schema says.
      const checked = p.schema.safeParse(r.output);
      if (checked.success) return { value: checked.data, usage };
      lastIssue = checked.error.issues.map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`).join("; ");
    } catch (err) {
      if (!NoObjectGeneratedError.isInstance(err)) throw err;
      if (err.usage) {
        const u = usageOf(err.usage);
        usage.inputTokens += u.inputTokens;
        usage.outputTokens += u.outputTokens;
      }
      lastIssue = err.cause instanceof Error ? err.cause.message : err.message;
    }
  }
  throw Object.assign(
    new LlmError(
      "llm_output_invalid",
      `The model's answer did not satisfy the expected schema after ${maxOutputAttempts} attempts (${lastIssue.slice(0, 300)}).`,
    ),
    { usage },
  );
}

/** Text, streamed to `onText` as it arrives. A retry happens only before any text was streamed. */
export async function sdkGenerateText(
  model: LanguageModel,
  p: SdkPrompt & { onText?: ((delta: string) => void) | undefined },
  o: SdkCallOptions = {},
): Promise<SdkResult<string>> {
  let streamed = false;
  return withRetries(o, async (abortSignal) => {
    let failure: unknown = null;
    const r = streamText({
      model,
      system: p.system,
      prompt: p.prompt,
      temperature: p.temperature ?? 0,
      ...(p.maxOutputTokens ? { maxOutputTokens: p.maxOutputTokens } : {}),
      maxRetries: 0,
      abortSignal,
      onError: ({ error }) => {
        failure ??= error;
      },
    });
    let text = "";
    for await (const part of r.fullStream) {
      if (part.type === "text-delta") {
        text += part.text;
        streamed = true;
        p.onText?.(part.text);
      } else if (part.type === "error") failure ??= part.error;
      else if (part.type === "abort") failure ??= abortSignal.reason ?? new Error("aborted");
    }
    if (failure) {
      // Text already shown cannot be taken back: a failure after it is final.
      if (streamed) throw toLlmError(failure);
      throw failure;
    }
    return { value: text, usage: usageOf(await r.totalUsage) };
  });
}
