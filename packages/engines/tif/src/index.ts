import { defineModel, ModelInputError } from "@modelworks/model-kit";
import { calculateDeal } from "./compat/deal.ts";
import { TIF_CHARTS, TIF_KPIS, TIF_TABLES } from "./descriptors.ts";
import { exampleTitle, GOLDEN_CASE_INPUTS } from "./examples.ts";
import { fromPrototypeCase, parsePrototypeCase } from "./prototype.ts";
import { toPrototypeResult } from "./prototype-output.ts";
import { TifInput, TifOutput } from "./schema.ts";

export { calculateDeal } from "./compat/deal.ts";
export { pyInt, pyRound } from "./compat/rounding.ts";
export { sCurveWeights } from "./compat/schedule.ts";
export { fv, irr, irrRoots, npv, pmt, pv } from "./financial.ts";
export { fromPrototypeCase, type PrototypeCase, parsePrototypeCase } from "./prototype.ts";
export { PROTOTYPE_OUTPUTS, toPrototypeResult } from "./prototype-output.ts";
export { SERIES, type SeriesKey, TifInput, type TifInputRaw, TifOutput } from "./schema.ts";

export const tifV1 = defineModel({
  id: "tif",
  version: "1.0.0",
  title: "Austin TIF development model (prototype-exact)",
  summary:
    "Monthly development pro forma (costs, IDC fixed point, lease-up, permanent loan, property tax with TIF, " +
    "exit) reproducing the Python prototype's calculate_deal exactly, defects included. For new work use tif@2.",
  input: TifInput,
  output: TifOutput,
  // tif@1 keeps the generic result view: its output has no annual summary for the deal view.
  layout: tifLayout(TifInput),
  formats: {
    prototype: {
      title: "The Python prototype's case and result JSON (snake_case, as in its golden fixture)",
      toInput: (raw) => fromPrototypeCase(parsePrototypeCase(raw)),
      fromOutput: (output) => toPrototypeResult(output),
    },
  },
  examples: GOLDEN_CASE_INPUTS.map((c) => ({
    name: c.name.replaceAll("_", "-"),
    title: exampleTitle(c),
    input: fromPrototypeCase(c),
  })),
  tables: TIF_TABLES,
  charts: TIF_CHARTS,
  kpis: TIF_KPIS,
  run(input, ctx) {
    ctx.progress(0, "calculating");
    let out: TifOutput;
    try {
      out = calculateDeal(input);
    } catch (err) {
      if (err instanceof Error && /did not converge/.test(err.message)) {
        throw new ModelInputError([{ path: "(root)", message: err.message }]);
      }
      throw err;
    }
    ctx.progress(1, "done");
    return out;
  },
});
export * from "./analysis/index.ts";
export { mirr } from "./financial.ts";
export { tifMonteCarlo } from "./montecarlo/model.ts";
export { MonteCarloInput, type MonteCarloInputRaw, MonteCarloOutput } from "./montecarlo/schema.ts";
export {
  AmiRentLimitsTable,
  amiLimitsOf,
  DatasetRef,
  PROTOTYPE_AMI_RENT_LIMITS,
  PROTOTYPE_TABLES,
  PROTOTYPE_TAX_RATES,
  type ReferenceTables,
  TaxRateStackTable,
  TIF_REFERENCE_DATASETS,
  tablesFrom,
  taxRatesOf,
} from "./reference-data/index.ts";

import { tifLayout } from "./layout.ts";

export { annualMirr, calculateDealV2 } from "./v2/deal.ts";
export { CONSTRUCTION_EFFICIENCY, TIERS } from "./v2/incentives.ts";
export { fromPrototypeCaseV2, tifV2 } from "./v2/model.ts";
export { TifV2Input, type TifV2InputRaw, TifV2Output } from "./v2/schema.ts";
