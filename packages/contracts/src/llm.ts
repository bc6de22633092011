import { LLM_TASKS } from "@modelworks/model-kit";
import { z } from "zod";

/** Language-model provider configs, settings and usage (issue 14): `/api/v1/org/llm/...`. */
export const LLM_PROVIDER_NAMES = ["openai", "anthropic", "google", "ollama", "openai-compatible"] as const;

const ModelName = z.string().trim().min(1).max(200);
export const TaskModels = z
  .object({ default: ModelName, ...Object.fromEntries(LLM_TASKS.map((t) => [t, ModelName.optional()])) })
  .strict()
  .describe("The model per task; `default` serves the tasks not named");

export const CreateLlmProviderBody = z
  .object({
    provider: z.enum(LLM_PROVIDER_NAMES),
    baseUrl: z
      .url({ protocol: /^https?$/, message: "expected an http(s) URL" })
      .max(500)
      .nullable()
      .default(null),
    models: TaskModels,
    /** Sent once; stored encrypted; never returned. */
    apiKey: z.string().trim().min(1).max(500).nullable().default(null),
  })
  .strict();

export const LlmProviderDto = z
  .object({
    id: z.uuid(),
    provider: z.string(),
    baseUrl: z.string().nullable(),
    models: z.record(z.string(), z.string()),
    keyHint: z.string().nullable().describe("The key's last four characters"),
    hasKey: z.boolean(),
    createdBy: z.uuid().nullable(),
    createdAt: z.string(),
    lastTestedAt: z.string().nullable(),
    revokedAt: z.string().nullable(),
  })
  .meta({ id: "LlmProvider" });

export const LlmProviderList = z.object({ items: z.array(LlmProviderDto) });
export const LlmProviderListQuery = z.object({ includeRevoked: z.coerce.boolean().default(false) });

export const LlmTestResult = z.object({ ok: z.literal(true), latencyMs: z.number().int() });

export const ModelPrice = z.object({
  inputPerMTokUsd: z.number().min(0).max(10_000),
  outputPerMTokUsd: z.number().min(0).max(10_000),
});

export const LlmSettings = z
  .object({
    monthlyBudgetUsd: z.number().min(0).max(10_000_000).nullable().describe("null: no budget"),
    storeBodies: z.boolean().describe("Keep prompt and response bodies (with the runs' retention)"),
    prices: z.record(ModelName, ModelPrice).describe("USD per million tokens, over the built-in table"),
  })
  .strict()
  .meta({ id: "LlmSettings" });

export const LlmStatus = z.object({
  available: z.boolean(),
  source: z.enum(["organization", "platform", "built-in"]),
  provider: z.string().nullable(),
  models: z.record(z.string(), z.string()).nullable(),
  canStoreKeys: z.boolean(),
});

export const LlmUsageQuery = z.object({
  month: z
    .string()
    .regex(/^\d{4}-(0[1-9]|1[0-2])$/, "expected YYYY-MM")
    .optional()
    .describe("Calendar month (UTC); default: the current one"),
});

const UsageRow = z.object({
  key: z.string().nullable(),
  calls: z.number().int(),
  inputTokens: z.number().int(),
  outputTokens: z.number().int(),
  costUsd: z.number(),
});

export const LlmUsage = z
  .object({
    month: z.string(),
    budgetUsd: z.number().nullable(),
    total: UsageRow,
    cacheHits: z.number().int(),
    errors: z.number().int(),
    byUser: z.array(UsageRow),
    byEngine: z.array(UsageRow),
    byModel: z.array(UsageRow),
  })
  .meta({ id: "LlmUsage" });
