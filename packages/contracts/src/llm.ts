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
    /** The admin's name for this config, to tell two of one provider apart. */
    label: z.string().trim().min(1).max(100).nullable().default(null),
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
    label: z.string().nullable(),
    baseUrl: z.string().nullable(),
    models: z.record(z.string(), z.string()),
    keyHint: z.string().nullable().describe("The key's last four characters"),
    hasKey: z.boolean(),
    keyReadable: z
      .boolean()
      .describe("false: the key is wrapped by a master key the server no longer has (llm_key_unreadable)"),
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

/** A task served by a chosen provider and model instead of the default provider's. */
export const LlmTaskRoute = z
  .object({ providerId: z.uuid(), model: ModelName })
  .strict()
  .meta({ id: "LlmTaskRoute" });

export const LlmTaskRoutes = z
  .partialRecord(z.enum(LLM_TASKS), LlmTaskRoute)
  .describe("Per task: which provider and model serve it; tasks not named use the default provider");

export const LlmSettings = z
  .object({
    monthlyBudgetUsd: z.number().min(0).max(10_000_000).nullable().describe("null: no budget"),
    storeBodies: z.boolean().describe("Keep prompt and response bodies (with the runs' retention)"),
    prices: z.record(ModelName, ModelPrice).describe("USD per million tokens, over the built-in table"),
    taskRoutes: LlmTaskRoutes.default({}),
  })
  .strict()
  .meta({ id: "LlmSettings" });

const LlmSource = z.enum(["organization", "platform", "built-in"]);

/** Why the configured provider cannot serve (a catalogue code and what to do), instead of a 500. */
export const LlmProblem = z.object({ code: z.string(), message: z.string() });

export const LlmTaskStatus = z.object({
  source: LlmSource,
  /** The organization's provider config serving the task (null: platform or built-in). */
  providerId: z.uuid().nullable(),
  provider: z.string().nullable(),
  model: z.string().nullable(),
  /** Set by a per-task route (rather than the default provider). */
  routed: z.boolean(),
  problem: LlmProblem.nullable(),
});

export const LlmStatus = z.object({
  available: z.boolean(),
  source: LlmSource,
  provider: z.string().nullable(),
  models: z.record(z.string(), z.string()).nullable(),
  canStoreKeys: z.boolean(),
  /** The default provider cannot serve, e.g. `llm_key_unreadable`. */
  problem: LlmProblem.nullable(),
  tasks: z.record(z.enum(LLM_TASKS), LlmTaskStatus),
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
