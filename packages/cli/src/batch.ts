import { StringDecoder } from "node:string_decoder";
import {
  type AnyModel,
  createContext,
  executeModel,
  type findFormat,
  type InputIssue,
  ModelInputError,
  parseInput,
} from "@modelworks/model-kit";

type Format = NonNullable<ReturnType<typeof findFormat>["format"]>;

/**
 * `modelworks run <model> --batch`: NDJSON in on stdin, NDJSON out on stdout, one model loaded
 * for the whole batch (issue 20: each CLI process costs 0.2–2.4 s before its first solve).
 *
 * Each input line is an envelope `{"input": {…}, "id"?: string | number}` — never a bare input,
 * so a model whose input has its own `id` or `input` field cannot be misread. Each answer line is
 * `{"line": n, "id"?: …, "ok": true, "output": …}` or `{"line": n, "id"?: …, "ok": false,
 * "error": {…}}`, in input order. `line` is the 1-based physical line of stdin; blank lines are
 * skipped (no answer) but still counted, so `line` always points into the input file.
 */

export type BatchError =
  | { code: "invalid_json"; message: string }
  | { code: "invalid_line"; message: string }
  | { code: "invalid_input"; issues: InputIssue[] }
  | { code: "model_error"; message: string };

export type BatchResult =
  | { line: number; id?: string | number; ok: true; output: unknown }
  | { line: number; id?: string | number; ok: false; error: BatchError };

export interface BatchSummary {
  lines: number;
  ok: number;
  failed: number;
}

/**
 * Splits a byte/string stream into lines as it arrives (UTF-8 split across chunks is decoded
 * whole; `\r\n` is accepted). Pulls one chunk at a time, so a consumer that awaits each line
 * holds only the current chunk and line in memory however long the stream is.
 */
export async function* splitLines(
  chunks: AsyncIterable<string | Uint8Array> | Iterable<string | Uint8Array>,
): AsyncGenerator<string> {
  const decoder = new StringDecoder("utf8");
  let rest = "";
  for await (const chunk of chunks) {
    rest += typeof chunk === "string" ? chunk : decoder.write(Buffer.from(chunk));
    let nl = rest.indexOf("\n");
    while (nl !== -1) {
      yield stripCr(rest.slice(0, nl));
      rest = rest.slice(nl + 1);
      nl = rest.indexOf("\n");
    }
  }
  rest += decoder.end();
  if (rest !== "") yield stripCr(rest); // a last line without its newline
}

const stripCr = (s: string) => (s.endsWith("\r") ? s.slice(0, -1) : s);

/** Answers one NDJSON line; never throws for anything the line or the model does. */
export async function runLine(
  model: AnyModel,
  format: Format | undefined,
  line: number,
  text: string,
): Promise<BatchResult> {
  let envelope: unknown;
  try {
    envelope = JSON.parse(text);
  } catch (err) {
    return { line, ok: false, error: { code: "invalid_json", message: (err as Error).message } };
  }
  const checked = checkEnvelope(envelope);
  const idPart = checked.id === undefined ? {} : { id: checked.id };
  if ("problem" in checked) {
    return { line, ...idPart, ok: false, error: { code: "invalid_line", message: checked.problem } };
  }
  try {
    // The same path as a single `run`: format → parse → executeModel → format.
    const input = parseInput(model, format ? format.toInput(checked.input) : checked.input);
    const output = await executeModel(model, input, createContext());
    return { line, ...idPart, ok: true, output: format ? format.fromOutput(output, input) : output };
  } catch (err) {
    if (err instanceof ModelInputError) {
      return { line, ...idPart, ok: false, error: { code: "invalid_input", issues: err.issues } };
    }
    const message = err instanceof Error ? err.message : String(err);
    return { line, ...idPart, ok: false, error: { code: "model_error", message } };
  }
}

function checkEnvelope(
  v: unknown,
): { input: unknown; id?: string | number } | { problem: string; id?: string | number } {
  if (typeof v !== "object" || v === null || Array.isArray(v)) {
    return { problem: 'a line must be a JSON object {"input": {…}, "id"?: …}' };
  }
  const o = v as Record<string, unknown>;
  const id = typeof o.id === "string" || typeof o.id === "number" ? o.id : undefined;
  if (o.id !== undefined && id === undefined) return { problem: '"id" must be a string or a number' };
  const extra = Object.keys(o).filter((k) => k !== "id" && k !== "input");
  if (extra.length) {
    return {
      problem: `unknown key${extra.length > 1 ? "s" : ""} ${extra.map((k) => `"${k}"`).join(", ")}; a line is {"input": {…}, "id"?: …}`,
      id,
    };
  }
  if (!("input" in o)) return { problem: 'missing "input"; a line is {"input": {…}, "id"?: …}', id };
  return { input: o.input, id };
}

/**
 * Runs every line of `stdin` through the model, one after another, writing each answer before
 * reading on. `write` is awaited, so a slow reader of stdout slows the batch instead of growing
 * a buffer. `log` gets progress and the summary (stderr), never results.
 */
export async function runBatch(opts: {
  model: AnyModel;
  format?: Format;
  stdin: AsyncIterable<string | Uint8Array> | Iterable<string | Uint8Array>;
  write: (s: string) => Promise<void> | void;
  log?: (s: string) => void;
  progressEveryMs?: number;
}): Promise<BatchSummary> {
  const { model, format, log } = opts;
  const every = opts.progressEveryMs ?? 2000;
  const started = performance.now();
  let lastLog = started;
  let physical = 0;
  const sum: BatchSummary = { lines: 0, ok: 0, failed: 0 };
  for await (const text of splitLines(opts.stdin)) {
    physical++;
    if (text.trim() === "") continue;
    const result = await runLine(model, format, physical, text);
    sum.lines++;
    if (result.ok) sum.ok++;
    else sum.failed++;
    await opts.write(`${JSON.stringify(result)}\n`);
    const now = performance.now();
    if (log && now - lastLog >= every) {
      lastLog = now;
      log(`${sum.lines.toLocaleString("en")} lines, ${sum.failed.toLocaleString("en")} failed\n`);
    }
  }
  log?.(
    `${model.id}@${model.version} batch: ${sum.lines.toLocaleString("en")} lines, ${sum.ok.toLocaleString("en")} ok, ` +
      `${sum.failed.toLocaleString("en")} failed in ${((performance.now() - started) / 1000).toFixed(2)} s\n`,
  );
  return sum;
}
