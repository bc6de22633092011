import { createHash } from "node:crypto";
import { LLM_TASKS, LlmError, type LlmTask, type LlmUsage, renderPrompt } from "@modelworks/model-kit";
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
import {
  activeProviderRow,
  configOf,
  findProvider,
  getLlmSettings,
  type LlmSettingsValue,
  type ProviderRow,
} from "./store.ts";
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

/** Which provider serves an organization (or one of its tasks), and whose it is. */
export interface ResolvedProvider {
  cfg: ProviderConfig;
  source: "organization" | "platform";
  /** The organization's provider config (null: the platform's). */
  providerId?: string | null;
  /** Chosen by a per-task route in the settings rather than the default provider. */
  routed?: boolean;
}

/** How one task would be served, for the status page: never throws, names a problem instead. */
export interface TaskResolution {
  source: "organization" | "platform" | "built-in";
  providerId: string | null;
  provider: string | null;
  model: string | null;
  routed: boolean;
  problem: { code: string; message: string } | null;
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

  /**
   * The organization's default provider: its newest unrevoked config, else the platform's, else
   * null (built-in). Throws LlmError `llm_key_unreadable` when its stored key cannot be opened.
   */
  async resolve(orgId: string): Promise<ResolvedProvider | null> {
    const row = await activeProviderRow(this.o.db, orgId);
    if (row) return { cfg: configOf(this.o.ring, row), source: "organization", providerId: row.id };
    return this.o.platform ? { cfg: this.o.platform, source: "platform", providerId: null } : null;
  }

  /**
   * Who serves `task`: the provider and model its route names (when that config is still
   * unrevoked — a revoked one falls through), else the default provider with its model for the
   * task, else the platform's, else null (built-in).
   */
  async resolveTask(
    orgId: string,
    task: LlmTask,
    settings?: LlmSettingsValue,
  ): Promise<ResolvedProvider | null> {
    const route = (settings ?? (await getLlmSettings(this.o.db, orgId))).taskRoutes[task];
    if (route) {
      const row = await findProvider(this.o.db, orgId, route.providerId);
      if (row && !row.revokedAt) {
        const cfg = configOf(this.o.ring, row);
        return {
          cfg: { ...cfg, models: { default: route.model } },
          source: "organization",
          providerId: row.id,
          routed: true,
        };
      }
    }
    return this.resolve(orgId);
  }

  /** Every task's resolution, for the status endpoint (a problem is reported, not thrown). */
  async describeTasks(orgId: string): Promise<Record<LlmTask, TaskResolution>> {
    const settings = await getLlmSettings(this.o.db, orgId);
    const out = {} as Record<LlmTask, TaskResolution>;
    for (const task of LLM_TASKS) {
      try {
        const r = await this.resolveTask(orgId, task, settings);
        out[task] = r
          ? {
              source: r.source,
              providerId: r.providerId ?? null,
              provider: r.cfg.provider,
              model: modelForTask(r.cfg.models, task),
              routed: r.routed ?? false,
              problem: null,
            }
          : {
              source: "built-in",
              providerId: null,
              provider: null,
              model: null,
              routed: false,
              problem: null,
            };
      } catch (err) {
        if (!(err instanceof LlmError)) throw err;
        const route = settings.taskRoutes[task];
        out[task] = {
          source: "organization",
          providerId: route?.providerId ?? null,
          provider: null,
          model: route?.model ?? null,
          routed: route !== undefined,
          problem: { code: err.code, message: err.message },
        };
      }
    }
    return out;
  }

  /**
   * Whether runs get `ctx.llm.available`: some provider is configured. Keys are not opened here:
   * an unreadable one makes the calls fail with `llm_key_unreadable` (the run fails with that
   * reason) instead of hiding the misconfiguration behind the built-in path.
   */
  async available(orgId: string): Promise<boolean> {
    return this.o.platform !== null || (await activeProviderRow(this.o.db, orgId)) !== null;
  }

  /** A stored config for a key test; `llm_key_unreadable` when its key cannot be opened. */
  configOfRow(row: ProviderRow): ProviderConfig {
    return configOf(this.o.ring, row);
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
    const settings = await getLlmSettings(this.o.db, scope.orgId);
    let resolved: ResolvedProvider | null;
    try {
      resolved = opts.provider ?? (await this.resolveTask(scope.orgId, req.task, settings));
    } catch (err) {
      if (!(err instanceof LlmError)) throw err;
      // No provider answered, so there is no call to meter; the failure is counted and logged.
      this.errors.inc({ code: err.code });
      this.o.log.warn({ orgId: scope.orgId, runId: scope.runId, code: err.code }, "llm call not made");
      return { ok: false, code: err.code, message: err.message };
    }
    if (!resolved) return { ok: false, code: "llm_unavailable", message: "No language model is configured." };
    const { cfg } = resolved;
    const model = modelForTask(cfg.models, req.task);
    const hash = promptHash(cfg, model, req);
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
