import { z } from "zod";
import { CONSTRUCTION_TYPES, checkUnitMix, PeriodRow, TIF_INPUT_FIELDS, TifOutput } from "../schema.ts";
import { AnnualRow } from "./annual.ts";

/**
 * Input of tif@2: tif@1's fields, except those the prototype accepted and ignored —
 * `idcLeaseupMonths` (legacy engine only) and `selectedTier` (replaced by `incentives.tier`, which
 * takes effect) are removed — plus the incentives and the MIRR rates. Every field takes effect;
 * combinations that would leave a field without effect are refused (see the refinements below).
 */
const { idcLeaseupMonths: _idc, selectedTier: _tier, ...KEPT } = TIF_INPUT_FIELDS;

const rate = () => z.number().min(0, "cannot be negative").lt(1, "must be below 100% (give 0.05 for 5%)");

export const TifV2Input = z
  .object({
    ...KEPT,
    taxRatesPer100Usd: TIF_INPUT_FIELDS.taxRatesPer100Usd
      .unwrap()
      .optional()
      .describe(
        "$ per $100 of assessed value, by taxing unit; only city takes part in the TIF. Omitted: the " +
          "austin-tax-rates reference table (the edition the platform resolved, else the shipped one)",
      ),
    constructionType: z
      .enum(CONSTRUCTION_TYPES)
      .default("podium_midrise_5over1")
      .describe(
        "sets the net-to-gross efficiency for unit types without netSqft: netSqft = grossSqft × efficiency " +
          "(garden .805, small_courtyard .93, corridor .86, podium_midrise_5over1 .85, wrap .76, highrise .73)",
      ),
    reversionNoiBasis: z
      .enum(["forward", "trailing"])
      .default("forward")
      .describe(
        "forward: the reversion month's NOI × 12; trailing: the sum of the 12 months' NOI before the reversion month",
      ),
    incentives: z
      .object({
        tier: z.union([z.literal(1), z.literal(2), z.literal(3)]).default(2),
        smartFeeWaiver: z
          .boolean()
          .default(false)
          .describe("soft costs fall by affordable units × the tier's waiver (35,000 / 17,500 / 7,500 $)"),
        interestBuydown: z
          .boolean()
          .default(false)
          .describe(
            "the permanent rate falls by the tier's buydown (300 / 150 / 75 bps), for sizing and payment",
          ),
        taxAbatement: z
          .boolean()
          .default(false)
          .describe(
            "city tax abated on the affordable share, 100% for the tier's term (12 / 15 / 20 years); excludes a TIF",
          ),
        tif: z
          .enum(["none", "lump_sum", "stream"])
          .default("none")
          .describe(
            "lump_sum: the city increment on the TDC capitalized at the tier's cap rate (9.5%), a source of funds; " +
              "stream: 100% of the city increment reimbursed monthly for the tier's term (20 / 15 / 10 years). " +
              "Set here, `tif` stays at treatment none",
          ),
      })
      .strict()
      .nullable()
      .default(null)
      .describe("Austin affordability incentives (mixed-income scenario only); null = none"),
    mirr: z
      .object({
        financeRateAnnual: rate().default(0.08).describe("rate at which outflows are discounted"),
        reinvestmentRateAnnual: rate().default(0.06).describe("rate at which inflows are compounded"),
      })
      .strict()
      .default({ financeRateAnnual: 0.08, reinvestmentRateAnnual: 0.06 }),
  })
  .strict()
  .superRefine((v, ctx) => {
    checkUnitMix(v, ctx);
    const inc = v.incentives;
    if (inc) {
      if (v.scenario !== "mixed_income")
        ctx.addIssue({
          code: "custom",
          path: ["incentives"],
          message: "incentives apply to the mixed-income scenario only (give null for the market scenario)",
        });
      if (!inc.smartFeeWaiver && !inc.interestBuydown && !inc.taxAbatement && inc.tif === "none")
        ctx.addIssue({
          code: "custom",
          path: ["incentives"],
          message:
            "turn on smartFeeWaiver, interestBuydown, taxAbatement or a tif, or give null for no incentives",
        });
      if (inc.taxAbatement && inc.tif !== "none")
        ctx.addIssue({
          code: "custom",
          path: ["incentives", "taxAbatement"],
          message: "tax abatement and TIF are exclusive (the program lets TIF win): turn one off",
        });
      if ((inc.taxAbatement || inc.tif !== "none") && v.tif.treatment !== "none")
        ctx.addIssue({
          code: "custom",
          path: ["tif", "treatment"],
          message: "the incentives already set the TIF or abatement from the tier: give treatment none",
        });
      const bps = { 1: 300, 2: 150, 3: 75 }[inc.tier];
      if (inc.interestBuydown && v.permRateAnnual * 10_000 <= bps)
        ctx.addIssue({
          code: "custom",
          path: ["incentives", "interestBuydown"],
          message: `the tier's ${bps} bps buydown would take the permanent rate to 0 or below`,
        });
    }
    // A TIF amount for another treatment would be accepted and ignored: refuse it.
    const t = v.tif;
    const unused: [keyof typeof t, boolean][] = [
      ["lumpSumUsd", t.treatment !== "lump_sum" && t.lumpSumUsd !== 0],
      ["abatementShare", t.treatment !== "abatement" && t.abatementShare !== 0],
      ["abatementYears", t.treatment !== "abatement" && t.abatementYears !== 0],
      ["streamShare", t.treatment !== "stream" && t.streamShare !== 0],
      ["streamYears", t.treatment !== "stream" && t.streamYears !== 0],
    ];
    for (const [key, bad] of unused)
      if (bad)
        ctx.addIssue({
          code: "custom",
          path: ["tif", key],
          message: `has no effect with treatment "${t.treatment}": give 0 or change the treatment`,
        });
  });

export type TifV2Input = z.output<typeof TifV2Input>;
export type TifV2InputRaw = z.input<typeof TifV2Input>;

const annualRoots = z
  .array(z.number())
  .describe("every real IRR of the cash flow, annualized (1 + monthly)^12 − 1, ascending");
const mirrField = z
  .number()
  .nullable()
  .describe("annualized MIRR of the monthly flows; null without both an inflow and an outflow");

export const TifV2Output = TifOutput.extend({
  sourcesUses: TifOutput.shape.sourcesUses.extend({
    tifLumpSumUsd: z.number().describe("TIF lump sum used as a source of funds (reduces equity)"),
    smartFeeWaiverUsd: z.number().describe("SMART fee waiver taken off the soft costs"),
  }),
  returns: TifOutput.shape.returns.extend({
    leveredIrrAnnualRoots: annualRoots,
    unleveredIrrAnnualRoots: annualRoots,
    leveredIrrRootCount: z
      .number()
      .int()
      .describe("more than 1: the IRR is ambiguous; leveredIrr is the root nearest 0, judge by the MIRR"),
    unleveredIrrRootCount: z.number().int(),
    leveredMirr: mirrField,
    unleveredMirr: mirrField,
    mirrFinanceRateAnnual: z.number(),
    mirrReinvestmentRateAnnual: z.number(),
  }),
  incentives: z.object({
    tier: z.number().int().nullable(),
    smartFeeWaiverUsd: z.number(),
    interestBuydownBps: z.number(),
    permRateEffectiveAnnual: z.number(),
    netToGrossEfficiency: z.number(),
    tifTreatment: z
      .enum(["none", "lump_sum", "abatement", "stream"])
      .describe("the TIF treatment the run used (from `tif` or from the tier's incentives)"),
    tifLumpSumUsd: z
      .number()
      .describe("lump sum requested (the tier's calculator amount, or `tif.lumpSumUsd`)"),
    tifStreamYears: z.number().int(),
    tifAbatementYears: z.number().int(),
  }),
  annual: z
    .array(AnnualRow)
    .describe("the monthly rows by project year, with DSCR, debt yield and cash-on-cash"),
  periods: z.array(
    PeriodRow.extend({
      tifLumpSumDraw: z.number().describe("TIF lump sum spent on the month's costs, before equity"),
      mezzanineNetCf: z.number(),
      preferredNetCf: z.number(),
    }),
  ),
});
export type TifV2Output = z.output<typeof TifV2Output>;
