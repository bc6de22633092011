import { defineModel, ModelInputError, runParts } from "@modelworks/model-kit";
import { tifLayout } from "../layout.ts";
import { tablesFrom } from "../reference-data/index.ts";
import { calculateDealV2 } from "../v2/deal.ts";
import { MONTE_CARLO_CHARTS, MONTE_CARLO_TABLES } from "./descriptors.ts";
import { MONTE_CARLO_EXAMPLES } from "./examples.ts";
import { MonteCarloInput, MonteCarloOutput } from "./schema.ts";
import {
  CHUNK_ITERATIONS,
  type Chunk,
  type ChunkResult,
  chunksOf,
  measure,
  type Shared,
  sharedOf,
  simulateChunk,
  summarize,
  tornado,
} from "./simulate.ts";

/** The part's name: how helper threads find `simulateChunk`. */
const PART = "iterations";

export const tifMonteCarlo = defineModel({
  id: "tif-montecarlo",
  version: "1.1.0",
  keyResult: {
    path: "summary.leveredIrr.p50",
    title: "Median levered IRR",
    unit: "fraction/yr",
    format: "percent",
    decimals: 2,
  },
  title: "Austin TIF development model — Monte Carlo (tif@2)",
  summary:
    "Seeded Monte Carlo of a tif@2 deal: uniform, normal, triangular, lognormal or PERT distributions on hard " +
    "cost, soft costs, exit cap, rent growth, vacancy, loan rates and construction and lease-up months; " +
    "percentiles and histogram of the returns, the probability of meeting a target IRR, rank correlations " +
    "and a tornado from re-runs at each input's P10 and P90.",
  input: MonteCarloInput,
  output: MonteCarloOutput,
  layout: tifLayout(MonteCarloInput, { at: "deal", title: "The deal" }),
  view: "tif-montecarlo",
  examples: MONTE_CARLO_EXAMPLES,
  tables: MONTE_CARLO_TABLES,
  charts: MONTE_CARLO_CHARTS,
  parts: { [PART]: (shared: Shared, chunk: Chunk) => simulateChunk(shared, chunk) },
  data: ["austinAmiRentLimits", "austinTaxRates"],
  async run(input, ctx) {
    // The platform's current AMI and tax tables (else the shipped ones), the same in every chunk.
    const tables = tablesFrom(ctx.data);
    let base: ReturnType<typeof measure>;
    try {
      base = measure(calculateDealV2(input.deal, tables));
    } catch (err) {
      if (err instanceof Error && /did not converge/.test(err.message))
        throw new ModelInputError([{ path: "deal", message: err.message }]);
      throw err;
    }
    const shared = sharedOf(input, tables);
    const total = input.iterations.toLocaleString("en-US");
    ctx.progress(0, `0 of ${total} iterations`);
    const chunks = await runParts<Shared, Chunk, ChunkResult>(ctx, {
      part: PART,
      fn: simulateChunk,
      shared,
      items: chunksOf(input.iterations),
      onProgress: (done, n) =>
        ctx.progress(
          (0.97 * done) / n,
          `${Math.min(input.iterations, done * CHUNK_ITERATIONS).toLocaleString("en-US")} of ${total} iterations`,
        ),
    });
    ctx.progress(0.97, "tornado");
    const summary = summarize(input, shared, chunks, base);
    const rows = tornado(shared, base.leveredIrr);
    ctx.progress(1, "done");
    return { ...summary, tornado: rows };
  },
});
