import type { LlmDocument, LlmErrorCode, LlmTask, LlmUsage } from "@modelworks/model-kit";

/**
 * The `ctx.llm` RPC between an engine thread and the main process, which alone holds keys,
 * budgets, the cache and the database (docs/decisions/0027-llm-providers.md). Messages travel the
 * run's existing channels: thread port → engine host → IPC → server (`llm-call`), and back
 * (`llm-text` while a text streams, then one `llm-result`). All plain, structured-cloneable data:
 * the zod schema travels as JSON Schema and is checked again with the original in the thread.
 */
export interface LlmWireRequest {
  kind: "object" | "text";
  task: LlmTask;
  system?: string | undefined;
  prompt: string;
  data?: LlmDocument[] | undefined;
  temperature?: number | undefined;
  maxOutputTokens?: number | undefined;
  cache?: boolean | undefined;
  /** For `object`: the schema as JSON Schema (zod's `toJSONSchema`). */
  jsonSchema?: Record<string, unknown> | undefined;
  schemaName?: string | undefined;
  /** The engine wants text deltas (`onText`). */
  stream?: boolean | undefined;
}

export type LlmWireResult =
  | {
      ok: true;
      value: unknown;
      generatedBy: { provider: string; model: string };
      usage: LlmUsage;
      cached: boolean;
    }
  | { ok: false; code: LlmErrorCode | "llm_canceled"; message: string };

/** Thread → server. */
export type LlmCallMessage = { type: "llm-call"; callId: number; request: LlmWireRequest };
/** Server → thread. */
export type LlmReplyMessage =
  | { type: "llm-text"; callId: number; delta: string }
  | { type: "llm-result"; callId: number; result: LlmWireResult };
