import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * A local stand-in for language-model providers, speaking their wire protocols so the REAL
 * provider clients (`@ai-sdk/openai`, `@ai-sdk/anthropic`, `@ai-sdk/openai-compatible`) run
 * against it: OpenAI chat completions (`POST /v1/chat/completions`: JSON mode or tool calls,
 * streaming SSE with usage), Anthropic messages (`POST /v1/messages`: text or tool_use,
 * streaming events) and Google Gemini (`POST /v1/models/<m>:generateContent`, and
 * `:streamGenerateContent?alt=sse`). Each request takes the next scripted step (or `fallback`); every request
 * is recorded with its headers and body, so tests can assert what the platform sent.
 */
export type FakeStep =
  /** Answer with this value: an object becomes JSON text or a tool call's arguments, a string is text. */
  | {
      answer: unknown;
      usage?: { input: number; output: number };
      chunkDelayMs?: number;
      /** Wait this long before answering at all (a slow model, streaming or not). */
      delayMs?: number;
    }
  /** Fail with a status (and headers, e.g. Retry-After). */
  | { status: number; headers?: Record<string, string>; body?: unknown }
  /** Answer with text that is not JSON even though JSON was asked for. */
  | { raw: string }
  /**
   * Stream `chunks` pieces of text `chunkDelayMs` apart (for cancel tests: long and slow).
   * Ends with usage unless the client goes away first.
   */
  | { slow: { chunks: number; chunkDelayMs: number; text?: string } };

export interface FakeRequest {
  protocol: "openai" | "anthropic" | "google";
  path: string;
  headers: IncomingMessage["headers"];
  body: Record<string, unknown>;
  at: number;
}

export interface FakeLlmServer {
  url: string;
  /** Requests received, in order. */
  requests: FakeRequest[];
  /** Steps for the next requests, in order. */
  script(...steps: FakeStep[]): void;
  /** The step used when the script is empty; by default echoes what the request asked for. */
  fallback: (req: FakeRequest) => FakeStep;
  /** Streams the server has cut because their client went away. */
  readonly abortedStreams: number;
  /** Valid API keys; others answer 401 (empty: any key). */
  validKeys: Set<string>;
  /** Models the provider serves; others answer 404 (empty: any model). */
  knownModels: Set<string>;
  close(): Promise<void>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function startFakeLlmServer(): Promise<FakeLlmServer> {
  const queue: FakeStep[] = [];
  const requests: FakeRequest[] = [];
  let aborted = 0;
  const state: FakeLlmServer = {
    url: "",
    requests,
    script: (...steps) => void queue.push(...steps),
    fallback: () => ({ answer: { ok: true } }),
    get abortedStreams() {
      return aborted;
    },
    validKeys: new Set(),
    knownModels: new Set(),
    close: async () => {},
  };

  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const path = req.url ?? "";
    const protocol = path.endsWith("/messages")
      ? "anthropic"
      : path.includes("GenerateContent") || path.includes(":generateContent")
        ? "google"
        : "openai";
    let body: Record<string, unknown> = {};
    try {
      body = JSON.parse(Buffer.concat(chunks).toString("utf8") || "{}");
    } catch {
      return json(res, 400, { error: { message: "bad json" } });
    }
    const r: FakeRequest = { protocol, path: req.url ?? "", headers: req.headers, body, at: Date.now() };
    requests.push(r);
    const key =
      protocol === "anthropic"
        ? String(req.headers["x-api-key"] ?? "")
        : protocol === "google"
          ? String(req.headers["x-goog-api-key"] ?? "")
          : String(req.headers.authorization ?? "").replace(/^Bearer /, "");
    if (state.validKeys.size > 0 && !state.validKeys.has(key)) {
      return json(res, 401, { error: { message: "invalid api key", type: "authentication_error" } });
    }
    if (state.knownModels.size > 0 && !state.knownModels.has(String(body.model))) {
      return json(res, 404, {
        error: { message: `The model ${String(body.model)} does not exist`, type: "not_found_error" },
      });
    }
    const step = queue.shift() ?? state.fallback(r);
    res.on("close", () => {
      if (!res.writableFinished) aborted++;
    });
    if ("status" in step) {
      return json(
        res,
        step.status,
        step.body ?? { error: { message: `status ${step.status}` } },
        step.headers,
      );
    }
    if ("answer" in step && step.delayMs) await sleep(step.delayMs);
    const stream = body.stream === true || path.includes(":streamGenerateContent");
    if (protocol === "openai") await openAi(res, body, step, stream);
    else if (protocol === "google") await google(res, step, stream);
    else await anthropic(res, body, step, stream);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
  state.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return state;
}

function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  res.writeHead(status, { "content-type": "application/json", ...headers });
  res.end(JSON.stringify(body));
}

function textOf(step: FakeStep): string {
  if ("raw" in step) return step.raw;
  if ("slow" in step) return step.slow.text ?? "word ";
  if ("answer" in step) return typeof step.answer === "string" ? step.answer : JSON.stringify(step.answer);
  return "";
}

const usageOf = (step: FakeStep) => ("answer" in step && step.usage) || { input: 12, output: 7 };

/** Text pieces to stream: words of the answer, or the slow step's repeated chunk. */
function piecesOf(step: FakeStep): { pieces: string[]; delayMs: number } {
  if ("slow" in step) {
    return {
      pieces: Array.from({ length: step.slow.chunks }, () => step.slow.text ?? "word "),
      delayMs: step.slow.chunkDelayMs,
    };
  }
  return {
    pieces: textOf(step).match(/\S+\s*/g) ?? [""],
    delayMs: ("answer" in step && step.chunkDelayMs) || 0,
  };
}

async function writeSse(res: ServerResponse, events: (() => string)[], delayMs: number) {
  res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
  for (const e of events) {
    if (res.destroyed) return;
    res.write(e());
    if (delayMs) await sleep(delayMs);
  }
  res.end();
}

async function openAi(res: ServerResponse, body: Record<string, unknown>, step: FakeStep, stream: boolean) {
  const model = String(body.model);
  const tools = (body.tools as { function: { name: string } }[] | undefined) ?? [];
  const u = usageOf(step);
  const usage = { prompt_tokens: u.input, completion_tokens: u.output, total_tokens: u.input + u.output };
  const base = { id: "chatcmpl-fake", created: Math.floor(Date.now() / 1000), model };
  if (!stream) {
    const message =
      tools.length > 0
        ? {
            role: "assistant",
            content: null,
            tool_calls: [
              {
                id: "call_1",
                type: "function",
                function: { name: tools[0]!.function.name, arguments: textOf(step) },
              },
            ],
          }
        : { role: "assistant", content: textOf(step) };
    return json(res, 200, {
      ...base,
      object: "chat.completion",
      choices: [{ index: 0, message, finish_reason: tools.length ? "tool_calls" : "stop" }],
      usage,
    });
  }
  const { pieces, delayMs } = piecesOf(step);
  const chunk = (delta: unknown, finish: string | null, extra: object = {}) =>
    `data: ${JSON.stringify({ ...base, object: "chat.completion.chunk", choices: [{ index: 0, delta, finish_reason: finish }], ...extra })}\n\n`;
  await writeSse(
    res,
    [
      () => chunk({ role: "assistant", content: "" }, null),
      ...pieces.map((p) => () => chunk({ content: p }, null)),
      () => chunk({}, "stop", { usage }),
      () => "data: [DONE]\n\n",
    ],
    delayMs,
  );
}

async function anthropic(
  res: ServerResponse,
  body: Record<string, unknown>,
  step: FakeStep,
  stream: boolean,
) {
  const model = String(body.model);
  const tools = (body.tools as { name: string }[] | undefined) ?? [];
  const u = usageOf(step);
  if (!stream) {
    let content: unknown[];
    if (tools.length > 0) {
      let input: unknown;
      try {
        input = JSON.parse(textOf(step));
      } catch {
        input = textOf(step);
      }
      content = [{ type: "tool_use", id: "toolu_1", name: tools[0]!.name, input }];
    } else content = [{ type: "text", text: textOf(step) }];
    return json(res, 200, {
      id: "msg_fake",
      type: "message",
      role: "assistant",
      model,
      content,
      stop_reason: tools.length ? "tool_use" : "end_turn",
      stop_sequence: null,
      usage: { input_tokens: u.input, output_tokens: u.output },
    });
  }
  const { pieces, delayMs } = piecesOf(step);
  const ev = (type: string, data: object) => `event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`;
  await writeSse(
    res,
    [
      () =>
        ev("message_start", {
          message: {
            id: "msg_fake",
            type: "message",
            role: "assistant",
            model,
            content: [],
            stop_reason: null,
            stop_sequence: null,
            usage: { input_tokens: u.input, output_tokens: 1 },
          },
        }),
      () => ev("content_block_start", { index: 0, content_block: { type: "text", text: "" } }),
      ...pieces.map(
        (p) => () => ev("content_block_delta", { index: 0, delta: { type: "text_delta", text: p } }),
      ),
      () => ev("content_block_stop", { index: 0 }),
      () =>
        ev("message_delta", {
          delta: { stop_reason: "end_turn", stop_sequence: null },
          usage: { output_tokens: u.output },
        }),
      () => ev("message_stop", {}),
    ],
    delayMs,
  );
}

async function google(res: ServerResponse, step: FakeStep, stream: boolean) {
  const u = usageOf(step);
  const usageMetadata = {
    promptTokenCount: u.input,
    candidatesTokenCount: u.output,
    totalTokenCount: u.input + u.output,
  };
  const candidate = (text: string, finishReason?: string) => ({
    content: { role: "model", parts: [{ text }] },
    index: 0,
    ...(finishReason ? { finishReason } : {}),
  });
  if (!stream) return json(res, 200, { candidates: [candidate(textOf(step), "STOP")], usageMetadata });
  const { pieces, delayMs } = piecesOf(step);
  await writeSse(
    res,
    pieces.map(
      (p, i) => () =>
        `data: ${JSON.stringify({
          candidates: [candidate(p, i === pieces.length - 1 ? "STOP" : undefined)],
          ...(i === pieces.length - 1 ? { usageMetadata } : {}),
        })}\n\n`,
    ),
    delayMs,
  );
}
