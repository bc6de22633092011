import { simulateReadableStream } from "ai";
import { MockLanguageModelV3 } from "ai/test";
import { type LlmAnswer, type LlmObjectRequest, type LlmTask, type ModelLlm, renderPrompt } from "./llm.ts";
import { sdkGenerateObject, sdkGenerateText } from "./llm-sdk.ts";

/**
 * `ctx.llm` for engine unit tests: the AI SDK's mock language model behind the same SDK calls the
 * server makes (llm-sdk.ts), so schema validation, prompt rendering (data blocks) and streaming
 * behave as in production — without a provider, a key or a network. Import from
 * `@modelworks/model-kit/testing`; engines' own code never does.
 */
export interface TestLlmCall {
  kind: "object" | "text";
  task: LlmTask;
  /** What the model received, after the platform wrapped `data`. */
  system: string | undefined;
  prompt: string;
}

export interface TestLlmOptions {
  /**
   * The model's answer: for `generateObject` any JSON value (sent as the model's JSON text, so a
   * value the schema rejects exercises the invalid-output path), for `generateText` a string
   * (streamed word by word). A string for `generateObject` is sent verbatim (malformed JSON).
   */
  answer: (call: TestLlmCall) => unknown;
  provider?: string;
  model?: string;
  /** Tokens reported per call (default 10 in, 5 out). */
  usage?: { inputTokens: number; outputTokens: number };
}

export interface TestLlm extends ModelLlm {
  /** Every call the engine made, in order. */
  readonly calls: TestLlmCall[];
}

export function createTestLlm(opts: TestLlmOptions): TestLlm {
  const provider = opts.provider ?? "test";
  const modelId = opts.model ?? "mock-model";
  const tokens = opts.usage ?? { inputTokens: 10, outputTokens: 5 };
  const usage = {
    inputTokens: { total: tokens.inputTokens, noCache: tokens.inputTokens, cacheRead: 0, cacheWrite: 0 },
    outputTokens: { total: tokens.outputTokens, text: tokens.outputTokens, reasoning: 0 },
  };
  const finishReason = { unified: "stop" as const, raw: "stop" };
  const calls: TestLlmCall[] = [];
  const generatedBy = { provider, model: modelId };

  const mock = (call: TestLlmCall) =>
    new MockLanguageModelV3({
      provider,
      modelId,
      doGenerate: async () => {
        const a = opts.answer(call);
        const text = typeof a === "string" ? a : JSON.stringify(a);
        return { content: [{ type: "text", text }], finishReason, usage, warnings: [] };
      },
      doStream: async () => {
        const text = String(opts.answer(call));
        const words = text.match(/\S+\s*/g) ?? [];
        return {
          stream: simulateReadableStream({
            chunks: [
              { type: "text-start" as const, id: "t" },
              ...words.map((delta) => ({ type: "text-delta" as const, id: "t", delta })),
              { type: "text-end" as const, id: "t" },
              { type: "finish" as const, finishReason, usage },
            ],
          }),
        };
      },
    });

  return {
    available: true,
    calls,
    async generateObject<T>(req: LlmObjectRequest<T>): Promise<LlmAnswer<T>> {
      const { system, prompt } = renderPrompt(req);
      const call: TestLlmCall = { kind: "object", task: req.task, system, prompt };
      calls.push(call);
      const r = await sdkGenerateObject(
        mock(call),
        { system, prompt, schema: req.schema, schemaName: req.schemaName, temperature: req.temperature },
        { maxAttempts: 1, maxOutputAttempts: 1 },
      );
      return { value: r.value, generatedBy, usage: r.usage, cached: false };
    },
    async generateText(req) {
      const { system, prompt } = renderPrompt(req);
      const call: TestLlmCall = { kind: "text", task: req.task, system, prompt };
      calls.push(call);
      const r = await sdkGenerateText(
        mock(call),
        { system, prompt, temperature: req.temperature, onText: req.onText },
        { maxAttempts: 1 },
      );
      return { value: r.value, generatedBy, usage: r.usage, cached: false };
    },
  };
}
