import { defineModel, ModelInputError } from "@modelworks/model-kit";
import { ANNUAL_CHARTS, ANNUAL_TABLE, TIF_CHARTS, TIF_KPIS, TIF_TABLES } from "../descriptors.ts";
import { exampleTitle, GOLDEN_CASE_INPUTS } from "../examples.ts";
import { tifLayout } from "../layout.ts";
import { fromPrototypeCase, type PrototypeCase, parsePrototypeCase } from "../prototype.ts";
import { toPrototypeResult } from "../prototype-output.ts";
import { tablesFrom } from "../reference-data/index.ts";
import { calculateDealV2 } from "./deal.ts";
import { TifV2Input, type TifV2InputRaw, TifV2Output } from "./schema.ts";

/**
 * A prototype case → tif@2 input: tif@1's reader, minus the two fields the prototype accepted and
 * ignored and tif@2 removed (`idc_leaseup_months`, `selected_tier`). The prototype never applied
 * incentives in calculate_deal, so an imported case has none.
 */
export function fromPrototypeCaseV2(c: PrototypeCase): TifV2InputRaw {
  const { idcLeaseupMonths: _idc, selectedTier: _tier, ...rest } = fromPrototypeCase(c);
  return rest as TifV2InputRaw;
}

const periodsTable = TIF_TABLES[0]!;

export const tifV2 = defineModel({
  id: "tif",
  version: "2.2.0",
  title: "Austin TIF development model (corrected)",
  summary:
    "Monthly development pro forma (costs, IDC fixed point, lease-up, permanent loan, property tax with TIF, " +
    "exit) with the prototype's defects fixed: interest counted once, debt repaid once, mezzanine and " +
    "preferred funded and repaid, trailing-NOI exit, TIF lump sum as a source of funds, SMART fee waiver and " +
    "interest buydown applied, every IRR root and the MIRR reported.",
  input: TifV2Input,
  output: TifV2Output,
  layout: tifLayout(TifV2Input),
  view: "tif-deal",
  formats: {
    prototype: {
      title:
        "The Python prototype's case and result JSON (snake_case, as in its golden fixture); tif@2's numbers " +
        "under the prototype's names",
      toInput: (raw) => fromPrototypeCaseV2(parsePrototypeCase(raw)),
      fromOutput: (output) => toPrototypeResult(output),
    },
  },
  examples: GOLDEN_CASE_INPUTS.map((c) => ({
    name: c.name.replaceAll("_", "-"),
    title: exampleTitle(c),
    input: fromPrototypeCaseV2(c),
  })),
  tables: [
    {
      ...periodsTable,
      columns: [
        ...periodsTable.columns,
        { key: "tifLumpSumDraw", title: "TIF lump sum spent", unit: "USD", format: "currency", decimals: 2 },
        { key: "mezzanineNetCf", title: "Mezzanine net flow", unit: "USD", format: "currency", decimals: 2 },
        {
          key: "preferredNetCf",
          title: "Preferred equity net flow",
          unit: "USD",
          format: "currency",
          decimals: 2,
        },
      ],
    },
    ...TIF_TABLES.slice(1),
    ANNUAL_TABLE,
  ],
  charts: [...TIF_CHARTS, ...ANNUAL_CHARTS],
  kpis: TIF_KPIS,
  data: ["austinAmiRentLimits", "austinTaxRates"],
  run(input, ctx) {
    ctx.progress(0, "calculating");
    let out: TifV2Output;
    try {
      out = calculateDealV2(input, tablesFrom(ctx.data));
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
