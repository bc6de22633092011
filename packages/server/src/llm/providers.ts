import { createAnthropic } from "@ai-sdk/anthropic";
import { createGoogleGenerativeAI } from "@ai-sdk/google";
import { createOpenAI } from "@ai-sdk/openai";
import { createOpenAICompatible } from "@ai-sdk/openai-compatible";
import { LLM_TASKS, LlmError, type LlmTask } from "@modelworks/model-kit";
import type { LanguageModel } from "ai";

/**
 * Language-model providers through the Vercel AI SDK (docs/decisions/0027-llm-providers.md).
 * A provider config names the provider, an optional base URL (Azure OpenAI, vLLM, LM Studio, a
 * proxy), the key and a model per task; `languageModel` turns it into the SDK's model. Nothing
 * here reads the environment or the database: configs come from `store.ts` or `config.ts`.
 */
// The SDK prints compatibility warnings to the console; the server logs through pino only.
(globalThis as { AI_SDK_LOG_WARNINGS?: boolean }).AI_SDK_LOG_WARNINGS = false;

export const LLM_PROVIDERS = ["openai", "anthropic", "google", "ollama", "openai-compatible"] as const;
export type LlmProvider = (typeof LLM_PROVIDERS)[number];

/** Which model serves each task; `default` serves the tasks not named. */
export type TaskModels = { default: string } & Partial<Record<LlmTask, string>>;

export interface ProviderConfig {
  provider: LlmProvider;
  /** null: the provider's public endpoint (required for openai-compatible). */
  baseUrl: string | null;
  /** null for providers that need none (Ollama, a local vLLM). */
  apiKey: string | null;
  models: TaskModels;
}

/** Ollama's OpenAI-compatible endpoint on its default port. */
export const OLLAMA_DEFAULT_URL = "http://127.0.0.1:11434/v1";

export const isProvider = (p: string): p is LlmProvider => (LLM_PROVIDERS as readonly string[]).includes(p);

export const modelForTask = (models: TaskModels, task: LlmTask): string => models[task] ?? models.default;

/** The SDK model for one task of a config. `fetch` is for tests only. */
export function languageModel(
  cfg: ProviderConfig,
  modelId: string,
  fetch?: typeof globalThis.fetch,
): LanguageModel {
  const key = cfg.apiKey ?? undefined;
  const base = cfg.baseUrl ?? undefined;
  const f = fetch ? { fetch } : {};
  switch (cfg.provider) {
    case "openai":
      // Chat completions, the protocol every OpenAI-compatible server also speaks.
      return createOpenAI({ apiKey: key ?? "", ...(base ? { baseURL: base } : {}), ...f }).chat(modelId);
    case "anthropic":
      return createAnthropic({ apiKey: key ?? "", ...(base ? { baseURL: base } : {}), ...f })(modelId);
    case "google":
      return createGoogleGenerativeAI({ apiKey: key ?? "", ...(base ? { baseURL: base } : {}), ...f })(
        modelId,
      );
    case "ollama":
      return createOpenAICompatible({ name: "ollama", baseURL: base ?? OLLAMA_DEFAULT_URL, ...f })(modelId);
    case "openai-compatible":
      if (!base)
        throw new LlmError("llm_provider_unknown", "An OpenAI-compatible provider needs a base URL.");
      return createOpenAICompatible({
        name: "openai-compatible",
        baseURL: base,
        ...(key ? { apiKey: key } : {}),
        ...f,
      })(modelId);
    default: {
      const never: never = cfg.provider;
      throw new LlmError("llm_provider_unknown", `Unknown language-model provider "${String(never)}".`);
    }
  }
}

/** Checks a config's shape before use: an unknown provider or task names the field. */
export function configIssues(cfg: {
  provider: string;
  baseUrl: string | null;
  models: Record<string, string>;
}): { path: string; message: string }[] {
  const issues: { path: string; message: string }[] = [];
  if (!isProvider(cfg.provider))
    issues.push({ path: "provider", message: `must be one of ${LLM_PROVIDERS.join(", ")}` });
  if (cfg.provider === "openai-compatible" && !cfg.baseUrl)
    issues.push({ path: "baseUrl", message: "is required for an OpenAI-compatible provider" });
  if (!cfg.models.default) issues.push({ path: "models.default", message: "is required" });
  for (const t of Object.keys(cfg.models)) {
    if (t !== "default" && !(LLM_TASKS as readonly string[]).includes(t))
      issues.push({ path: `models.${t}`, message: `is not a task (${LLM_TASKS.join(", ")})` });
  }
  return issues;
}
