import { readFile, writeFile } from "node:fs/promises";
import { parseArgs } from "node:util";
import { catalog } from "@modelworks/catalog";
import {
  type AnyModel,
  createContext,
  executeModel,
  findFormat,
  ModelInputError,
  parseInput,
} from "@modelworks/model-kit";
import { runBatch } from "./batch.ts";
import { readCsvFile } from "./csv.ts";
import { scoreFile } from "./score.ts";

/** Exit codes, so scripts can tell a bad input from a broken engine. */
export const EXIT = {
  ok: 0,
  error: 1,
  usage: 2,
  invalidInput: 3,
  modelError: 4,
  /** `run --batch`: at least one line failed (each failure is in its answer line). */
  batchFailures: 5,
} as const;

const USAGE = `Usage:
  modelworks run <model> --in input.json [--data file.csv] [--out output.json] [--version x.y.z] [--quiet]
      Runs a model in this process (no server). Output JSON goes to --out or stdout;
      progress goes to stderr.
      --data customers.csv fills the input's \`records\` with the file's rows (response-model).
  modelworks score <model.json> --data new.csv --out scored.csv [--batch-size n] [--quiet]
      Scores a customer file with a fitted response model (a run's output or its \`artifact\`),
      streaming: customer_id, probability, points, decile (10 = best), tier.
  modelworks run <model> --batch [--version x.y.z] [--format f] [--quiet]
      Runs many inputs in one process: NDJSON on stdin, one {"input": {...}, "id"?: ...} per
      line; one answer per line on stdout, in order: {"line": n, "id"?, "ok": true, "output"}
      or {"line": n, "id"?, "ok": false, "error": {"code": ...}}. Blank lines are skipped.
      Exit 0 when every line succeeded, 5 when any failed.
  modelworks models [--json] [--all]
      Lists the hosted models (--all includes internal test models).
  modelworks worker
      Starts an engine worker against DATABASE_URL (and REDIS_URL): it claims queued runs
      and executes them. Configuration as for the server (see README).
`;

export interface Io {
  out: (s: string) => void;
  err: (s: string) => void;
  /** `run --batch` reads its lines here (default: process stdin). */
  stdin?: AsyncIterable<string | Uint8Array>;
  /** `run --batch` writes through this and waits for it (default: `out`). */
  outAsync?: (s: string) => Promise<void>;
}
let stdoutErrorsHandled = false;
const stdio: Io = {
  out: (s) => process.stdout.write(s),
  err: (s) => process.stderr.write(s),
  get stdin() {
    return process.stdin;
  },
  // Waiting for each write's callback keeps a slow reader from piling up output; a closed one
  // (`| head`) fails the write, which the batch reports instead of crashing on the stream's
  // unhandled 'error' event.
  outAsync: (s) => {
    if (!stdoutErrorsHandled) process.stdout.on("error", () => {});
    stdoutErrorsHandled = true;
    return new Promise((resolve, reject) =>
      process.stdout.write(s, (err) => (err ? reject(err) : resolve())),
    );
  },
};

export async function main(argv: string[], io: Io = stdio): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case "run":
        return await runCommand(rest, io);
      case "models":
        return modelsCommand(rest, io);
      case "score":
        return await scoreCommand(rest, io);
      case "worker":
        return await workerCommand();
      case undefined:
      case "help":
      case "--help":
      case "-h":
        io.out(USAGE);
        return command ? EXIT.ok : EXIT.usage;
      default:
        io.err(`modelworks: unknown command "${command}"\n\n${USAGE}`);
        return EXIT.usage;
    }
  } catch (err) {
    if (err instanceof UsageError) {
      io.err(`modelworks: ${err.message}\n\n${USAGE}`);
      return EXIT.usage;
    }
    throw err;
  }
}

class UsageError extends Error {}

type ParseOptions = NonNullable<NonNullable<Parameters<typeof parseArgs>[0]>["options"]>;

function parse(args: string[], options: ParseOptions) {
  try {
    return parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

async function runCommand(args: string[], io: Io): Promise<number> {
  const { values, positionals } = parse(args, {
    in: { type: "string" },
    data: { type: "string" },
    out: { type: "string" },
    version: { type: "string" },
    format: { type: "string" },
    quiet: { type: "boolean", default: false },
    batch: { type: "boolean", default: false },
  });
  const [spec] = positionals;
  if (!spec) throw new UsageError("run: name the model, e.g. `modelworks run deal-picker --in input.json`");
  if (values.batch && (values.in || values.out)) {
    throw new UsageError("run --batch reads NDJSON from stdin and writes to stdout; drop --in/--out");
  }
  if (!values.in && !values.batch) throw new UsageError("run: --in <input.json> is required (or --batch)");
  const [modelId, atVersion] = spec.split("@") as [string, string | undefined];
  const version = (values.version as string | undefined) ?? atVersion;
  const model = findVersion(modelId, version);
  if (!model) {
    const known = catalog.list({ includeInternal: true }).map(
      (m) =>
        `${m.id} (${catalog
          .versions(m.id)
          .map((v) => v.version)
          .join(", ")})`,
    );
    io.err(
      `modelworks: no model "${modelId}"${version ? ` version ${version}` : ""}. Known: ${known.join("; ")}\n`,
    );
    return EXIT.usage;
  }
  const found = values.format ? findFormat(model, values.format as string) : undefined;
  if (found?.missing) {
    io.err(`modelworks: ${found.missing}\n`);
    return EXIT.usage;
  }
  const format = found?.format;
  if (values.batch) {
    try {
      const summary = await runBatch({
        model,
        format,
        stdin: io.stdin ?? process.stdin,
        write: io.outAsync ?? io.out,
        log: values.quiet ? undefined : io.err,
      });
      return summary.failed ? EXIT.batchFailures : EXIT.ok;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EPIPE") throw err;
      io.err("modelworks: stdout was closed; batch stopped\n");
      return EXIT.error;
    }
  }
  let document: unknown;
  try {
    document = JSON.parse(await readFile(values.in as string, "utf8"));
  } catch (err) {
    io.err(`modelworks: cannot read ${values.in}: ${(err as Error).message}\n`);
    return EXIT.usage;
  }
  if (values.data) {
    if (!document || typeof document !== "object" || Array.isArray(document)) {
      io.err(`modelworks: --data needs --in to hold a JSON object (the rest of the input)\n`);
      return EXIT.usage;
    }
    try {
      const doc = document as Record<string, unknown>;
      doc.records = await readCsvFile(values.data as string);
      // The file replaces a bundled sample the document may name (response-model's examples do).
      delete doc.sampleData;
    } catch (err) {
      io.err(`modelworks: cannot read ${values.data}: ${(err as Error).message}\n`);
      return EXIT.usage;
    }
  }
  const started = performance.now();
  let lastShown = -1;
  try {
    const input = parseInput(model, format ? format.toInput(document) : document);
    const output = await executeModel(
      model,
      input,
      createContext({
        onProgress: (f, message) => {
          const pct = Math.floor(f * 100);
          if (values.quiet || pct === lastShown) return;
          lastShown = pct;
          io.err(`${String(pct).padStart(3)}%${message ? `  ${message}` : ""}\n`);
        },
      }),
    );
    const json = `${JSON.stringify(format ? format.fromOutput(output, input) : output, null, 2)}\n`;
    if (values.out) await writeFile(values.out as string, json);
    else io.out(json);
    if (!values.quiet) {
      io.err(
        `${model.id}@${model.version} finished in ${((performance.now() - started) / 1000).toFixed(2)} s\n`,
      );
    }
    return EXIT.ok;
  } catch (err) {
    if (err instanceof ModelInputError) {
      io.err(`modelworks: the input does not satisfy ${model.id}@${model.version}:\n`);
      for (const i of err.issues) io.err(`  ${i.path}: ${i.message}\n`);
      return EXIT.invalidInput;
    }
    io.err(`modelworks: ${model.id}@${model.version} failed: ${(err as Error).message}\n`);
    return EXIT.modelError;
  }
}

async function scoreCommand(args: string[], io: Io): Promise<number> {
  const { values, positionals } = parse(args, {
    data: { type: "string" },
    out: { type: "string" },
    "batch-size": { type: "string" },
    quiet: { type: "boolean", default: false },
  });
  const [modelFile] = positionals;
  if (!modelFile || !values.data || !values.out)
    throw new UsageError("score: `modelworks score <model.json> --data new.csv --out scored.csv`");
  const batchSize = values["batch-size"] === undefined ? undefined : Number(values["batch-size"]);
  if (batchSize !== undefined && !(Number.isInteger(batchSize) && batchSize >= 1 && batchSize <= 1_000_000))
    throw new UsageError("score: --batch-size must be a whole number from 1 to 1,000,000");
  const outcome = await scoreFile({
    modelFile,
    dataFile: values.data as string,
    outFile: values.out as string,
    ...(batchSize ? { batchSize } : {}),
    onBatch: (rows) => {
      if (!values.quiet) io.err(`${rows.toLocaleString("en-US")} rows scored\n`);
    },
  });
  if (!outcome.ok) {
    if (outcome.kind === "invalid") {
      io.err(`modelworks: ${modelFile} is not a fitted response model:\n`);
      for (const m of outcome.messages) io.err(`  ${m}\n`);
      return EXIT.invalidInput;
    }
    io.err(`modelworks: ${outcome.messages.join("; ")}\n`);
    return EXIT.usage;
  }
  if (!values.quiet)
    io.err(
      `scored ${outcome.rows.toLocaleString("en-US")} rows in ${outcome.seconds.toFixed(2)} s → ${values.out}\n`,
    );
  return EXIT.ok;
}

function modelsCommand(args: string[], io: Io): number {
  const { values } = parse(args, {
    json: { type: "boolean", default: false },
    all: { type: "boolean", default: false },
  });
  const models = catalog.list({ includeInternal: values.all as boolean });
  if (values.json) {
    io.out(
      `${JSON.stringify(
        models.map((m) => ({ id: m.id, version: m.version, title: m.title, summary: m.summary })),
        null,
        2,
      )}\n`,
    );
    return EXIT.ok;
  }
  if (models.length === 0) io.out("No models are hosted yet (use --all to include internal test models).\n");
  for (const m of models) io.out(`${m.id.padEnd(24)} ${m.version.padEnd(10)} ${m.title}\n`);
  return EXIT.ok;
}

/** A worker process: claims and executes queued runs until SIGTERM/SIGINT. */
async function workerCommand(): Promise<number> {
  const { runWorkerProcess } = await import("@modelworks/server/worker");
  return runWorkerProcess();
}

/** An exact version, or the newest whose version starts with a partial one (`1` → `1.x.y`). */
function findVersion(id: string, version: string | undefined): AnyModel | undefined {
  if (!version) return catalog.find(id);
  return catalog.find(id, version) ?? catalog.versions(id).find((m) => m.version.startsWith(`${version}.`));
}
