import { spawn } from "node:child_process";
import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { defineModel } from "@modelworks/model-kit";
import { beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { generateDeals } from "../../engines/optimizers/src/deal-picker/generate.ts";
import { runBatch } from "../src/batch.ts";
import { EXIT, main } from "../src/main.ts";

const BIN = path.resolve(import.meta.dirname, "../bin/modelworks.js");
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "mw-cli-batch-"));
});

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { out: (s: string) => void out.push(s), err: (s: string) => void err.push(s) }, out, err };
}

/** The output of a single `modelworks run` of the same input (the code path `run --in` takes). */
async function singleRun(model: string, input: unknown): Promise<Record<string, unknown>> {
  const name = `${model}-${Math.random().toString(36).slice(2)}`;
  const inFile = path.join(dir, `${name}.json`);
  const outFile = path.join(dir, `${name}.out.json`);
  await writeFile(inFile, JSON.stringify(input));
  expect(await main(["run", model, "--in", inFile, "--out", outFile, "--quiet"], capture().io)).toBe(EXIT.ok);
  return JSON.parse(await readFile(outFile, "utf8"));
}

/** A real `modelworks` child process; `feed` writes its stdin (and must end it). */
function child(args: string[], feed: (stdin: NodeJS.WritableStream, stdout: Lines) => Promise<void>) {
  const p = spawn(process.execPath, [BIN, ...args], { stdio: ["pipe", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  const lines = new Lines();
  p.stdout.setEncoding("utf8").on("data", (s: string) => {
    stdout += s;
    lines.push(s);
  });
  p.stderr.setEncoding("utf8").on("data", (s: string) => {
    stderr += s;
  });
  const exit = new Promise<number | null>((resolve) => p.on("close", (code) => resolve(code)));
  return feed(p.stdin, lines).then(async () => ({ code: await exit, stdout, stderr }));
}

/** Complete stdout lines as they arrive, so a test can wait for one before writing the next input. */
class Lines {
  private buf = "";
  private waiting: (() => void)[] = [];
  readonly done: string[] = [];
  push(s: string) {
    this.buf += s;
    const parts = this.buf.split("\n");
    this.buf = parts.pop()!;
    this.done.push(...parts);
    for (const w of this.waiting.splice(0)) w();
  }
  async next(count: number): Promise<string[]> {
    while (this.done.length < count) await new Promise<void>((r) => this.waiting.push(r));
    return this.done.slice(0, count);
  }
}

const withoutTiming = (o: Record<string, unknown>) => {
  const { solveMs, ...rest } = o; // wall time of the solve: the one field that differs run to run
  expect(typeof solveMs).toBe("number");
  return rest;
};

describe("modelworks run --batch (a real child process)", () => {
  it("answers every line in order — good, invalid input, malformed JSON, blank, bad envelope — and exits 5", async () => {
    const dealsA = generateDeals(12, 1);
    const dealsB = generateDeals(15, 2);
    const stdinText = [
      JSON.stringify({ id: "a", input: dealsA }),
      "",
      JSON.stringify({ input: { budget: -5, deals: [] } }),
      '{"id": "b", "input": {"budget": 1',
      JSON.stringify({ id: 9, input: dealsB }),
      JSON.stringify({ input: dealsA, extra: 1 }),
      "   ",
    ].join("\n");
    const { code, stdout, stderr } = await child(["run", "deal-picker", "--batch"], async (stdin) => {
      stdin.end(`${stdinText}\n`);
    });
    expect(code).toBe(EXIT.batchFailures);
    // Pure NDJSON: every line of stdout is one JSON answer, nothing else (progress is on stderr).
    expect(stdout.endsWith("\n")).toBe(true);
    const answers = stdout
      .slice(0, -1)
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(answers.map((a) => [a.line, a.id, a.ok])).toEqual([
      [1, "a", true],
      [3, undefined, false],
      [4, undefined, false],
      [5, 9, true],
      [6, undefined, false],
    ]);
    expect(answers[1].error).toEqual({
      code: "invalid_input",
      issues: [
        { path: "budget", message: "the budget must be more than 0" },
        { path: "deals", message: "give at least one deal" },
      ],
    });
    expect(answers[2].error.code).toBe("invalid_json");
    expect(answers[2].error.message).toMatch(/JSON/);
    expect(answers[4].error).toEqual({
      code: "invalid_line",
      message: 'unknown key "extra"; a line is {"input": {…}, "id"?: …}',
    });
    // The same numbers as one `run` per input (solveMs, a wall time, aside).
    expect(withoutTiming(answers[0].output)).toEqual(withoutTiming(await singleRun("deal-picker", dealsA)));
    expect(withoutTiming(answers[3].output)).toEqual(withoutTiming(await singleRun("deal-picker", dealsB)));
    expect(answers[0].output.kpis.assetsSelected).toBeGreaterThan(0);
    expect(stderr).toMatch(/deal-picker@3\.0\.0 batch: 5 lines, 2 ok, 3 failed in \d+\.\d\d s\n$/);
  }, 120_000);

  it("streams: answers a line before the next is written, and exits 0 when every line succeeds", async () => {
    const first = { terms: [{ mean: 3, sd: 4 }], samples: 2_000, seed: 5 };
    const second = { terms: [{ mean: -1, sd: 2 }], samples: 500, seed: 11 };
    let beforeSecond: string[] = [];
    const { code, stdout, stderr } = await child(
      ["run", "test-montecarlo-sum", "--batch"],
      async (stdin, lines) => {
        stdin.write(`${JSON.stringify({ id: "first", input: first })}\n`);
        // Stdin is still open: a batch that read all of it before answering would hang here.
        beforeSecond = await lines.next(1);
        stdin.end(`${JSON.stringify({ id: "second", input: second })}\r\n`);
      },
    );
    expect(code).toBe(EXIT.ok);
    expect(beforeSecond).toHaveLength(1);
    const answers = stdout
      .trimEnd()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(answers.map((a) => [a.line, a.id, a.ok])).toEqual([
      [1, "first", true],
      [2, "second", true],
    ]);
    expect(JSON.parse(beforeSecond[0]!)).toEqual(answers[0]);
    expect(answers[0].output).toEqual(await singleRun("test-montecarlo-sum", first));
    expect(answers[1].output).toEqual(await singleRun("test-montecarlo-sum", second));
    expect(answers[1].output.analyticMean).toBe(-1);
    expect(stderr).toMatch(/2 lines, 2 ok, 0 failed/);
  }, 60_000);
});

describe("modelworks run --batch (in process)", () => {
  it("decodes lines split anywhere across chunks, even inside a UTF-8 character", async () => {
    const text = `${JSON.stringify({ id: "café ☃", input: { terms: [{ mean: 1, sd: 0 }], samples: 1 } })}\n`;
    const bytes = Buffer.from(text.repeat(3));
    async function* chunks() {
      // 7-byte chunks: lines, numbers and the multi-byte é and ☃ all get cut.
      for (let i = 0; i < bytes.length; i += 7) yield bytes.subarray(i, i + 7);
    }
    const c = capture();
    const code = await main(["run", "test-montecarlo-sum", "--batch", "--quiet"], {
      ...c.io,
      stdin: chunks(),
    });
    expect(code).toBe(EXIT.ok);
    const answers = c.out
      .join("")
      .trimEnd()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(answers.map((a) => [a.line, a.id, a.output.mean])).toEqual([
      [1, "café ☃", 1],
      [2, "café ☃", 1],
      [3, "café ☃", 1],
    ]);
    expect(c.err).toEqual([]); // --quiet
  });

  it("reports a model that throws as model_error and goes on to the next line", async () => {
    const model = defineModel({
      id: "halver",
      version: "1.0.0",
      title: "Halver",
      summary: "Halves an even number; fails on odd ones",
      input: z.object({ n: z.number().int() }).strict(),
      output: z.object({ half: z.number() }),
      examples: [],
      run: ({ n }) => {
        if (n % 2) throw new Error(`${n} is odd`);
        return { half: n / 2 };
      },
    });
    const out: string[] = [];
    const log: string[] = [];
    const summary = await runBatch({
      model,
      stdin: [
        '{"input":{"n":4}}\n{"input":{"n":3}}\n{"input":{"n":"x"}}\n',
        '{"id":"last","input":{"n":10}}',
      ],
      write: (s) => void out.push(s),
      log: (s) => void log.push(s),
    });
    expect(summary).toEqual({ lines: 4, ok: 2, failed: 2 });
    expect(out.map((l) => JSON.parse(l))).toEqual([
      { line: 1, ok: true, output: { half: 2 } },
      { line: 2, ok: false, error: { code: "model_error", message: "3 is odd" } },
      {
        line: 3,
        ok: false,
        error: { code: "invalid_input", issues: [{ path: "n", message: expect.any(String) }] },
      },
      { line: 4, id: "last", ok: true, output: { half: 5 } },
    ]);
    expect(log.join("")).toMatch(/^halver@1\.0\.0 batch: 4 lines, 2 ok, 2 failed/);
  });

  it("stops with exit 1 when stdout is closed (EPIPE) instead of crashing", async () => {
    const c = capture();
    let writes = 0;
    const line = `${JSON.stringify({ input: { terms: [{ mean: 1, sd: 0 }], samples: 1 } })}\n`;
    const code = await main(["run", "test-montecarlo-sum", "--batch", "--quiet"], {
      ...c.io,
      stdin: (async function* () {
        for (let i = 0; i < 5; i++) yield line;
      })(),
      outAsync: async () => {
        if (++writes === 2) throw Object.assign(new Error("write EPIPE"), { code: "EPIPE" });
      },
    });
    expect(code).toBe(EXIT.error);
    expect(writes).toBe(2); // nothing more is run once the reader is gone
    expect(c.err.join("")).toBe("modelworks: stdout was closed; batch stopped\n");
  });

  it.each([
    [["run", "test-montecarlo-sum", "--batch", "--in", "x.json"], /drop --in\/--out/],
    [["run", "test-montecarlo-sum", "--batch", "--out", "y.json"], /drop --in\/--out/],
    [["run", "no-such-model", "--batch"], /no model "no-such-model"/],
  ])("exits 2 for %j without reading stdin", async (argv, message) => {
    const c = capture();
    async function* never(): AsyncGenerator<string> {
      yield* [];
      throw new Error("stdin must not be read");
    }
    expect(await main(argv, { ...c.io, stdin: never() })).toBe(EXIT.usage);
    expect(c.err.join("")).toMatch(message);
    expect(c.out).toEqual([]);
  });
});
