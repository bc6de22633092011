import { execFile } from "node:child_process";
import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { beforeAll, describe, expect, it } from "vitest";
import { EXIT, main } from "../src/main.ts";

const BIN = path.resolve(import.meta.dirname, "../bin/modelworks.js");
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "mw-cli-"));
});

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { out: (s: string) => void out.push(s), err: (s: string) => void err.push(s) }, out, err };
}

describe("modelworks run", () => {
  it("runs the engine in-process and writes the output file", async () => {
    const inFile = path.join(dir, "in.json");
    const outFile = path.join(dir, "out.json");
    await writeFile(inFile, JSON.stringify({ terms: [{ mean: 3, sd: 4 }], samples: 30_000, seed: 5 }));
    const c = capture();
    const code = await main(["run", "test-montecarlo-sum", "--in", inFile, "--out", outFile], c.io);
    expect(code).toBe(EXIT.ok);
    const output = JSON.parse(await readFile(outFile, "utf8"));
    expect(output.analyticMean).toBe(3);
    expect(output.analyticSd).toBe(4);
    expect(Math.abs(output.mean - 3)).toBeLessThan(0.1);
    expect(c.out).toEqual([]);
    expect(c.err.join("")).toMatch(/100%\s+30,000 of 30,000 samples/);
  });

  it("exits 3 naming each invalid field", async () => {
    const inFile = path.join(dir, "bad.json");
    await writeFile(inFile, JSON.stringify({ terms: [{ mean: 1, sd: -2 }], samples: 0 }));
    const c = capture();
    expect(await main(["run", "test-montecarlo-sum", "--in", inFile], c.io)).toBe(EXIT.invalidInput);
    expect(c.err.join("")).toBe(
      "modelworks: the input does not satisfy test-montecarlo-sum@1.0.0:\n" +
        "  terms.0.sd: must be 0 or more\n" +
        "  samples: Too small: expected number to be >=1\n",
    );
  });

  it.each([
    [["run"], /name the model/],
    [["run", "test-montecarlo-sum"], /--in <input.json> is required/],
    [["run", "no-such-model", "--in", "x.json"], /no model "no-such-model"/],
    [["run", "test-montecarlo-sum", "--in", "/nonexistent/in.json"], /cannot read \/nonexistent\/in.json/],
    [["run", "test-montecarlo-sum", "--bogus"], /Unknown option '--bogus'/],
    [["frobnicate"], /unknown command "frobnicate"/],
  ])("exits 2 with a readable message for %j", async (argv, message) => {
    const c = capture();
    expect(await main(argv, c.io)).toBe(EXIT.usage);
    expect(c.err.join("")).toMatch(message);
  });
});

describe("modelworks models", () => {
  it("lists internal models only with --all", async () => {
    const plain = capture();
    await main(["models", "--json"], plain.io);
    const tif = {
      id: "tif",
      version: "1.0.0",
      title: "Austin TIF development model (prototype-exact)",
      summary: expect.any(String),
    };
    expect(JSON.parse(plain.out.join(""))).toEqual([tif]);
    const all = capture();
    await main(["models", "--json", "--all"], all.io);
    expect(JSON.parse(all.out.join(""))).toEqual([
      {
        id: "test-montecarlo-sum",
        version: "1.0.0",
        title: "Test: Monte Carlo sum",
        summary: expect.any(String),
      },
      tif,
    ]);
  });
});

describe("the installed binary", () => {
  it("runs as a process, prints JSON to stdout and exits non-zero on bad input", async () => {
    const inFile = path.join(dir, "bin-in.json");
    await writeFile(inFile, JSON.stringify({ terms: [{ mean: 1, sd: 0 }], samples: 10 }));
    const { stdout } = await promisify(execFile)(BIN, [
      "run",
      "test-montecarlo-sum",
      "--in",
      inFile,
      "--quiet",
    ]);
    expect(JSON.parse(stdout)).toMatchObject({ mean: 1, sd: 0, samples: 10 });
    await writeFile(inFile, "{ not json");
    const failed = await promisify(execFile)(BIN, ["run", "test-montecarlo-sum", "--in", inFile]).catch(
      (e) => e,
    );
    expect(failed.code).toBe(EXIT.usage);
    expect(failed.stderr).toMatch(/cannot read .*bin-in.json/);
  });

  it("refuses to start a worker on the embedded database", async () => {
    const failed = await promisify(execFile)(BIN, ["worker"], {
      env: { ...process.env, DATABASE_URL: "", REDIS_URL: "" },
    }).catch((e) => e);
    expect(failed.code).toBe(2);
    expect(failed.stderr).toMatch(/set DATABASE_URL/);
  });
});
