import { createHash } from "node:crypto";
import { LlmError, type LlmUsage, renderPrompt } from "@modelworks/model-kit";
import { sdkGenerateObject, sdkGenerateText } from "@modelworks/model-kit/llm-sdk";
import { and, eq, gte, sql } from "drizzle-orm";
import type { Logger } from "pino";
import { Counter, Histogram, type Metric } from "prom-client";
import { z } from "zod";
import type { Db } from "../db/client.ts";
import { llmCallBodies, llmCalls } from "../db/schema.ts";
import type { LlmCache } from "./cache.ts";
import type { Keyring } from "./crypto.ts";
import { costUsd } from "./prices.ts";
import { languageModel, modelForTask, type ProviderConfig } from "./providers.ts";
import { activeProviderRow, configOf, getLlmSettings } from "./store.ts";
import type { LlmWireRequest, LlmWireResult } from "./wire.ts";

/** Who asks: the organization, the person (null for none), the run and the engine. */
export interface LlmScope {
  orgId: string;
  userId: string | null;
  runId: string | null;
  /** The engine's model id, or "platform" for the platform's own calls (key tests). */
  engineId: string;
}

export interface LlmServiceOptions {
  db: Db;
  /** null: no master key, so organizations cannot store keys (the platform key still works). */
  ring: Keyring | null;
  /** LLM_PROVIDER / LLM_API_KEY / LLM_BASE_URL / LLM_MODEL: where an organization has none. */
  platform: ProviderConfig | null;
  cache: LlmCache;
  log: Logger;
  timeoutMs: number;
  maxAttempts: number;
  retryBaseMs: number;
  /** Tests only: the fetch the provider clients use. */
  fetch?: typeof globalThis.fetch;
}

/** Which provider serves an organization, and whose it is. */
export interface ResolvedProvider {
  cfg: ProviderConfig;
  source: "organization" | "platform";
}

/** The hash that names a call for the cache and the audit trail (never the key, never the org). */
export function promptHash(cfg: ProviderConfig, model: string, req: LlmWireRequest): string {
  const { system, prompt } = renderPrompt(req);
  const canonical = JSON.stringify([
    cfg.provider,
    cfg.baseUrl,
    model,
    req.kind,
    system ?? null,
    prompt,
    req.jsonSchema ?? null,
    req.schemaName ?? null,
    req.temperature ?? 0,
    req.maxOutputTokens ?? null,
  ]);
  return createHash("sha256").update(canonical).digest("hex");
}

/**
 * Language models as a platform service: resolves an organization's provider (its own, else the
 * platform's, else none — the built-in path), enforces its monthly budget, answers identical
 * deterministic calls from its cache, calls the provider with timeouts, retries and abort,
 * validates structured output, and records every call (tokens, cost, latency, status, prompt
 * hash; bodies only when the org enables it). Shared by the API (key tests) and run workers
 * (engines' `ctx.llm`, through the RPC in ../runs).
 */
export class LlmService {
  readonly metrics: Metric[];
  private readonly calls: Counter<"provider" | "model" | "task" | "status" | "cache_hit">;
  private readonly tokens: Counter<"provider" | "model" | "direction">;
  private readonly latency: Histogram<"provider" | "model">;
  private readonly errors: Counter<"code">;

  constructor(private readonly o: LlmServiceOptions) {
    this.calls = new Counter({
      name: "llm_calls_total",
      help: "Language-model calls, by provider, model, task, status (ok or error code) and cache hit.",
      labelNames: ["provider", "model", "task", "status", "cache_hit"],
      registers: [],
    });
    this.tokens = new Counter({
      name: "llm_tokens_total",
      help: "Tokens sent (input) and received (output), by provider and model; cache hits spend none.",
      labelNames: ["provider", "model", "direction"],
      registers: [],
    });
    this.latency = new Histogram({
      name: "llm_call_duration_seconds",
      help: "Latency of language-model calls that reached the provider, in seconds.",
      labelNames: ["provider", "model"],
      buckets: [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120],
      registers: [],
    });
    this.errors = new Counter({
      name: "llm_errors_total",
      help: "Failed language-model calls, by error code.",
      labelNames: ["code"],
      registers: [],
    });
    this.metrics = [this.calls, this.tokens, this.latency, this.errors];
  }

  get canStoreKeys(): boolean {
    return this.o.ring !== null;
  }

  get keyring(): Keyring | null {
    return this.o.ring;
  }

  async resolve(orgId: string): Promise<ResolvedProvider | null> {
    const row = await activeProviderRow(this.o.db, orgId);
    if (row && this.o.ring) return { cfg: configOf(this.o.ring, row), source: "organization" };
    return this.o.platform ? { cfg: this.o.platform, source: "platform" } : null;
  }

  async available(orgId: string): Promise<boolean> {
    return (await this.resolve(orgId)) !== null;
  }

  /** Spent this calendar month (UTC), in USD. */
  async monthSpendUsd(orgId: string): Promise<number> {
    const [r] = await this.o.db
      .select({ usd: sql<number>`coalesce(sum(${llmCalls.costUsd}), 0)::float8` })
      .from(llmCalls)
      .where(and(eq(llmCalls.orgId, orgId), gte(llmCalls.createdAt, sql`date_trunc('month', now())`)));
    return Number(r?.usd ?? 0);
  }

  /**
   * One call for an engine or the platform. Never throws: a failure is `{ok: false, code}`,
   * which the thread turns back into an LlmError for the engine.
   */
  async call(
    scope: LlmScope,
    req: LlmWireRequest,
    opts: { signal?: AbortSignal; onText?: (delta: string) => void; provider?: ResolvedProvider } = {},
  ): Promise<LlmWireResult> {
    const resolved = opts.provider ?? (await this.resolve(scope.orgId));
    if (!resolved) return { ok: false, code: "llm_unavailable", message: "No language model is configured." };
    const { cfg } = resolved;
    const model = modelForTask(cfg.models, req.task);
    const hash = promptHash(cfg, model, req);
    const settings = await getLlmSettings(this.o.db, scope.orgId);
    const started = Date.now();
    const record = async (status: string, usage: LlmUsage, cacheHit: boolean, value?: unknown) => {
      const cost = cacheHit ? 0 : costUsd(model, usage, settings.prices);
      const [row] = await this.o.db
        .insert(llmCalls)
        .values({
          orgId: scope.orgId,
          userId: scope.userId,
          runId: scope.runId,
          engineId: scope.engineId,
          provider: cfg.provider,
          model,
          task: req.task,
          inputTokens: cacheHit ? 0 : usage.inputTokens,
          outputTokens: cacheHit ? 0 : usage.outputTokens,
          costUsd: cost,
          latencyMs: Date.now() - started,
          cacheHit,
          status,
          promptHash: hash,
        })
        .returning({ id: llmCalls.id });
      if (settings.storeBodies) {
        const { system, prompt } = renderPrompt(req);
        await this.o.db.insert(llmCallBodies).values({
          callId: row!.id,
          orgId: scope.orgId,
          runId: scope.runId,
          request: { system: system ?? null, prompt, schema: req.jsonSchema ?? null, task: req.task },
          response: value === undefined ? null : { value },
        });
      }
      const labels = { provider: cfg.provider, model };
      this.calls.inc({ ...labels, task: req.task, status, cache_hit: String(cacheHit) });
      if (!cacheHit) {
        this.tokens.inc({ ...labels, direction: "input" }, usage.inputTokens);
        this.tokens.inc({ ...labels, direction: "output" }, usage.outputTokens);
      }
      if (status !== "ok") this.errors.inc({ code: status });
      this.o.log.info(
        {
          orgId: scope.orgId,
          runId: scope.runId,
          engine: scope.engineId,
          provider: cfg.provider,
          model,
          status,
          cacheHit,
          ...usage,
        },
        "llm call",
      );
    };
    const generatedBy = { provider: cfg.provider, model };

    try {
      if (settings.monthlyBudgetUsd !== null) {
        const spent = await this.monthSpendUsd(scope.orgId);
        if (spent >= settings.monthlyBudgetUsd) {
          throw new LlmError(
            "llm_budget_exhausted",
            `The organization's monthly language-model budget of ${settings.monthlyBudgetUsd} USD is spent (${spent.toFixed(4)} USD this month). An admin can raise it in the LLM settings.`,
          );
        }
      }
      const cacheable = req.cache !== false && (req.temperature ?? 0) === 0;
      if (cacheable) {
        const hit = await this.o.cache.get(scope.orgId, hash);
        if (hit) {
          if (req.kind === "text" && typeof hit.value === "string") opts.onText?.(hit.value);
          await record("ok", hit.usage, true, hit.value);
          return { ok: true, value: hit.value, generatedBy, usage: hit.usage, cached: true };
        }
      }
      const lm = languageModel(cfg, model, this.o.fetch);
      const { system, prompt } = renderPrompt(req);
      const callOpts = {
        ...(opts.signal ? { signal: opts.signal } : {}),
        timeoutMs: this.o.timeoutMs,
        maxAttempts: this.o.maxAttempts,
        retryBaseMs: this.o.retryBaseMs,
      };
      const base = { system, prompt, temperature: req.temperature, maxOutputTokens: req.maxOutputTokens };
      const t0 = Date.now();
      const r =
        req.kind === "object"
          ? await sdkGenerateObject(
              lm,
              { ...base, schema: schemaFrom(req.jsonSchema), schemaName: req.schemaName },
              callOpts,
            )
          : await sdkGenerateText(lm, { ...base, onText: opts.onText }, callOpts);
      this.latency.observe(generatedBy, (Date.now() - t0) / 1000);
      if (cacheable) await this.o.cache.set(scope.orgId, hash, { value: r.value, usage: r.usage });
      await record("ok", r.usage, false, r.value);
      return { ok: true, value: r.value, generatedBy, usage: r.usage, cached: false };
    } catch (err) {
      if (opts.signal?.aborted) {
        await record("canceled", { inputTokens: 0, outputTokens: 0 }, false).catch(() => {});
        return { ok: false, code: "llm_canceled", message: "The run was canceled during a model call." };
      }
      const e = err instanceof LlmError ? err : new LlmError("llm_provider_error", (err as Error).message);
      // Tokens spent on answers that failed their schema still cost money.
      const usage = (err as { usage?: LlmUsage }).usage ?? { inputTokens: 0, outputTokens: 0 };
      await record(e.code, usage, false).catch((recErr) =>
        this.o.log.error({ err: recErr }, "recording an llm call failed"),
      );
      return { ok: false, code: e.code, message: e.message };
    }
  }

  /**
   * "Send a one-token request": proves a config (URL, key, model) works before it is saved.
   * Throws LlmError (llm_key_invalid, llm_provider_unknown, llm_provider_error). Nothing is recorded
   * but the call's metering row, under the engine id "platform".
   */
  async test(scope: Omit<LlmScope, "engineId" | "runId">, cfg: ProviderConfig): Promise<void> {
    const r = await this.call(
      { ...scope, engineId: "platform", runId: null },
      { kind: "text", task: "classify", prompt: "Reply with OK.", maxOutputTokens: 1, cache: false },
      { provider: { cfg, source: "organization" } },
    );
    if (!r.ok) throw new LlmError(r.code === "llm_canceled" ? "llm_provider_error" : r.code, r.message);
  }
}

/** The engine's schema, rebuilt from its JSON Schema: the server checks answers before they travel back. */
function schemaFrom(json: Record<string, unknown> | undefined): z.ZodType<unknown> {
  if (!json) throw new LlmError("llm_output_invalid", "A structured call needs a schema.");
  return z.fromJSONSchema(json as Parameters<typeof z.fromJSONSchema>[0]) as z.ZodType<unknown>;
}
