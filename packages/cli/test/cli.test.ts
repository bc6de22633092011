import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
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

describe("modelworks run --format", () => {
  const golden = JSON.parse(
    readFileSync(
      path.resolve(import.meta.dirname, "../../engines/tif/test/fixtures/golden_cases.json"),
      "utf8",
    ),
  ) as {
    cases: {
      name: string;
      scenario: string;
      inputs: unknown;
      calculate_deal_kwargs: unknown;
      outputs: Record<string, unknown>;
      periods: Record<string, number[]>;
    }[];
  };

  it("reads a prototype case and writes the prototype's result format (tif@1)", async () => {
    const c = golden.cases.find((x) => x.name === "defaults_mixed_tif_lump_sum")!;
    const inFile = path.join(dir, "case.json");
    const outFile = path.join(dir, "result.json");
    await writeFile(
      inFile,
      JSON.stringify({
        scenario: c.scenario,
        inputs: c.inputs,
        calculate_deal_kwargs: c.calculate_deal_kwargs,
      }),
    );
    const code = await main(
      ["run", "tif@1", "--in", inFile, "--format", "prototype", "--out", outFile, "--quiet"],
      capture().io,
    );
    expect(code).toBe(EXIT.ok);
    const result = JSON.parse(await readFile(outFile, "utf8"));
    expect(Math.abs(result.outputs.levered_irr - (c.outputs.levered_irr as number))).toBeLessThan(1e-9);
    for (const [series, values] of Object.entries(c.periods)) {
      expect(result.periods[series]).toHaveLength(values.length);
      const worst = Math.max(...values.map((v, i) => Math.abs(result.periods[series][i] - v)));
      expect(worst, series).toBeLessThanOrEqual(0.01);
    }
  });

  it("runs the capex prototype's request (CX2) and answers in its format: 288,000 AED/yr; CX5 exits 3 naming the field", async () => {
    const fx = (name: string) =>
      JSON.parse(
        readFileSync(
          path.resolve(import.meta.dirname, `../../engines/optimizers/test/fixtures/${name}.json`),
          "utf8",
        ),
      ) as { request: unknown };
    const inFile = path.join(dir, "cx2.json");
    const outFile = path.join(dir, "cx2-out.json");
    await writeFile(inFile, JSON.stringify(fx("CX2_designed").request));
    const code = await main(
      ["run", "capex-phasing", "--in", inFile, "--format", "prototype", "--out", outFile, "--quiet"],
      capture().io,
    );
    expect(code).toBe(EXIT.ok);
    const result = JSON.parse(await readFile(outFile, "utf8"));
    expect(result.expected_annual_noi_uplift).toBeCloseTo(288_000, 6);
    expect(result.schedule).toHaveLength(6);
    const cx5 = path.join(dir, "cx5.json");
    await writeFile(cx5, JSON.stringify(fx("CX5_cash_list_shorter_than_horizon").request));
    const bad = capture();
    expect(await main(["run", "capex-phasing", "--in", cx5, "--format", "prototype"], bad.io)).toBe(
      EXIT.invalidInput,
    );
    expect(bad.err.join("")).toMatch(/monthly_cash_cap: has 1 entry, horizon_months is 12/);
  });

  it("exits 2 for a format the model does not offer, or an unknown version", async () => {
    const inFile = path.join(dir, "any.json");
    await writeFile(inFile, "{}");
    const bad = capture();
    expect(await main(["run", "tif", "--in", inFile, "--format", "excel"], bad.io)).toBe(EXIT.usage);
    expect(bad.err.join("")).toBe('modelworks: tif@2.2.0 has no format "excel"; it offers: prototype\n');
    const none = capture();
    expect(await main(["run", "tif@7", "--in", inFile], none.io)).toBe(EXIT.usage);
    expect(none.err.join("")).toMatch(/no model "tif" version 7\. Known: .*tif \(2\.2\.0, 1\.0\.0\)/);
  });
});

describe("modelworks models", () => {
  it("lists internal models only with --all", async () => {
    const plain = capture();
    await main(["models", "--json"], plain.io);
    const tif = {
      id: "tif",
      version: "2.2.0", // the newest version is listed; tif@1 stays runnable as tif@1
      title: "Austin TIF development model (corrected)",
      summary: expect.any(String),
    };
    const tifAnalyses = [
      ["tif-comparison", "1.2.0", "Austin TIF: market vs mixed income"],
      ["tif-incentive-matrix", "1.1.0", "Austin TIF: incentive matrix and minimum package"],
      ["tif-lump-sum", "1.1.0", "Austin TIF lump-sum calculator"],
      ["tif-solve", "1.1.0", "Austin TIF: what would it take"],
    ].map(([id, version, title]) => ({ id, version, title, summary: expect.any(String) }));
    const tifMonteCarlo = {
      id: "tif-montecarlo",
      version: "1.1.0",
      title: "Austin TIF development model — Monte Carlo (tif@2)",
      summary: expect.any(String),
    };
    const dealPicker = {
      id: "deal-picker",
      version: "3.0.0",
      title: "Deal Picker: which deals to buy with a limited budget",
      summary: expect.any(String),
    };
    const leasingMix = {
      id: "leasing-mix",
      version: "2.0.0",
      title: "Leasing Mix Optimizer",
      summary: expect.any(String),
    };
    const debtStack = {
      id: "debt-stack",
      version: "3.0.0",
      title: "Debt Stack Mixer",
      summary: expect.any(String),
    };
    const capexPhasing = {
      id: "capex-phasing",
      version: "2.0.0",
      title: "Capex Phasing Planner",
      summary: expect.any(String),
    };
    const dashboardPlanner = {
      id: "dashboard-planner",
      version: "1.0.0",
      title: "Dashboard planner: from uploaded data and a conversation to a dashboard and a Power BI project",
      summary: expect.any(String),
    };
    const responseModel = {
      id: "response-model",
      version: "1.0.0",
      title: "Direct-mail response model",
      summary: expect.any(String),
    };
    const contentIntel = {
      id: "content-intel",
      version: "1.0.0",
      title: "Content intelligence: from followed sources to cited post drafts",
      summary: expect.any(String),
    };
    expect(JSON.parse(plain.out.join(""))).toEqual([
      tif,
      ...tifAnalyses,
      tifMonteCarlo,
      dealPicker,
      leasingMix,
      debtStack,
      capexPhasing,
      contentIntel,
      dashboardPlanner,
      responseModel,
    ]);
    const all = capture();
    await main(["models", "--json", "--all"], all.io);
    expect(JSON.parse(all.out.join(""))).toEqual([
      {
        id: "test-montecarlo-sum",
        version: "1.0.0",
        title: "Test: Monte Carlo sum",
        summary: expect.any(String),
      },
      {
        id: "test-llm-brief",
        version: "1.0.0",
        title: "Test: language-model brief",
        summary: expect.any(String),
      },
      {
        id: "test-presentation",
        version: "1.0.0",
        title: "Test: declared presentation",
        summary: expect.any(String),
      },
      tif,
      ...tifAnalyses,
      tifMonteCarlo,
      dealPicker,
      leasingMix,
      debtStack,
      capexPhasing,
      contentIntel,
      dashboardPlanner,
      responseModel,
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
