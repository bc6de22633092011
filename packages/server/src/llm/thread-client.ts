import {
  type LlmAnswer,
  LlmError,
  type LlmObjectRequest,
  type LlmTextRequest,
  ModelCanceledError,
  type ModelLlm,
  unavailableLlm,
} from "@modelworks/model-kit";
import { z } from "zod";
import type { LlmCallMessage, LlmReplyMessage, LlmWireRequest } from "./wire.ts";

/**
 * `ctx.llm` inside an engine thread: each call goes to the main process as an `llm-call` message
 * (./wire.ts) and resolves with its `llm-result`; text deltas arrive as `llm-text`. The engine's
 * zod schema is sent as JSON Schema and the answer is checked against the original here, so what
 * reaches the engine is exactly what its schema allows. The run's abort rejects calls in flight.
 */
export interface ThreadLlm {
  llm: ModelLlm;
  /** Feed every `llm-text` / `llm-result` message from the port here. */
  receive(m: LlmReplyMessage): void;
}

export function createThreadLlm(
  available: boolean,
  post: (m: LlmCallMessage) => void,
  signal: AbortSignal,
): ThreadLlm {
  if (!available) return { llm: unavailableLlm, receive() {} };
  let nextId = 0;
  const waiting = new Map<
    number,
    { resolve: (m: Extract<LlmReplyMessage, { type: "llm-result" }>) => void; onText?: (d: string) => void }
  >();

  const send = (request: LlmWireRequest, onText?: (d: string) => void) => {
    if (signal.aborted) return Promise.reject(new ModelCanceledError());
    const callId = nextId++;
    return new Promise<Extract<LlmReplyMessage, { type: "llm-result" }>>((resolve, reject) => {
      const onAbort = () => {
        waiting.delete(callId);
        reject(new ModelCanceledError());
      };
      signal.addEventListener("abort", onAbort, { once: true });
      waiting.set(callId, {
        resolve: (m) => {
          signal.removeEventListener("abort", onAbort);
          resolve(m);
        },
        ...(onText ? { onText } : {}),
      });
      post({ type: "llm-call", callId, request });
    });
  };

  const unwrap = <T>(
    m: Extract<LlmReplyMessage, { type: "llm-result" }>,
    check: (v: unknown) => T,
  ): LlmAnswer<T> => {
    const r = m.result;
    if (!r.ok) {
      if (r.code === "llm_canceled") throw new ModelCanceledError(r.message);
      throw new LlmError(r.code, r.message);
    }
    return { value: check(r.value), generatedBy: r.generatedBy, usage: r.usage, cached: r.cached };
  };

  const base = (req: LlmTextRequest | LlmObjectRequest<unknown>) => ({
    task: req.task,
    system: req.system,
    prompt: req.prompt,
    data: req.data ? req.data.map((d) => ({ name: d.name, text: d.text })) : undefined,
    temperature: req.temperature,
    maxOutputTokens: req.maxOutputTokens,
    cache: req.cache,
  });

  return {
    llm: {
      available: true,
      async generateObject<T>(req: LlmObjectRequest<T>) {
        const jsonSchema = z.toJSONSchema(req.schema, { io: "output", unrepresentable: "any" }) as Record<
          string,
          unknown
        >;
        const m = await send({ ...base(req), kind: "object", jsonSchema, schemaName: req.schemaName });
        return unwrap(m, (v) => {
          const parsed = req.schema.safeParse(v);
          if (!parsed.success)
            throw new LlmError(
              "llm_output_invalid",
              `The model's answer did not satisfy the schema: ${parsed.error.message}`,
            );
          return parsed.data;
        });
      },
      async generateText(req: LlmTextRequest) {
        const m = await send({ ...base(req), kind: "text", stream: !!req.onText }, req.onText);
        return unwrap(m, (v) => String(v));
      },
    },
    receive(m) {
      const w = waiting.get(m.callId);
      if (!w) return;
      if (m.type === "llm-text") w.onText?.(m.delta);
      else {
        waiting.delete(m.callId);
        w.resolve(m);
      }
    },
  };
}
