/**
 * An incentive package (one tier, a set of toggles) and the prototype's combination rules
 * (spec §3; src/scenarios.py generate_combinations at HEAD): lump sum and stream are exclusive,
 * TIF and tax abatement are exclusive, and a package has at least one incentive. That leaves
 * {none, abatement, TIF lump sum, TIF stream} × fee waiver × buydown − empty = 15 per tier.
 */
import { z } from "zod";
import type { TierNumber } from "./tiers.ts";

export const TIF_KINDS = ["none", "lump_sum", "stream"] as const;

export const IncentivePackage = z
  .object({
    tier: z.union([z.literal(1), z.literal(2), z.literal(3)]).default(2),
    smartFeeWaiver: z
      .boolean()
      .default(true)
      .describe("affordable units × the tier's waiver (35,000 / 17,500 / 7,500 $) off the soft costs"),
    taxAbatement: z
      .boolean()
      .default(false)
      .describe(
        "city tax abated on the affordable share for the tier's term (12 / 15 / 20 years); excludes TIF",
      ),
    tif: z
      .enum(TIF_KINDS)
      .default("lump_sum")
      .describe(
        "lump_sum: the capitalized city increment (tif-lump-sum) as a source of funds; stream: the city " +
          "increment reimbursed monthly for the tier's term (20 / 15 / 10 years)",
      ),
    interestBuydown: z
      .boolean()
      .default(false)
      .describe("permanent rate lowered by the tier's buydown (300 / 150 / 75 bps)"),
  })
  .strict();
export type IncentivePackage = z.output<typeof IncentivePackage>;

/** Field issues of a package that breaks the program's exclusivity rule (paths relative to it). */
export function packageIssues(p: IncentivePackage): { path: string[]; message: string }[] {
  return p.taxAbatement && p.tif !== "none"
    ? [
        {
          path: ["taxAbatement"],
          message: "tax abatement and TIF are exclusive (the program lets TIF win): turn one off",
        },
      ]
    : [];
}

/** How many incentives a package uses (the prototype's count_incentives). */
export function incentiveCount(p: IncentivePackage): number {
  return +p.smartFeeWaiver + +p.taxAbatement + +(p.tif !== "none") + +p.interestBuydown;
}

/** The prototype's name: T2-Fee-Abate-TIF-L-TIF-S-Buy (only the parts switched on). */
export function packageName(p: IncentivePackage): string {
  const parts = [`T${p.tier}`];
  if (p.smartFeeWaiver) parts.push("Fee");
  if (p.taxAbatement) parts.push("Abate");
  if (p.tif === "lump_sum") parts.push("TIF-L");
  if (p.tif === "stream") parts.push("TIF-S");
  if (p.interestBuydown) parts.push("Buy");
  return parts.join("-");
}

/** Every valid non-empty package of the given tiers, in the prototype's generation order. */
export function validPackages(tiers: readonly TierNumber[]): IncentivePackage[] {
  const out: IncentivePackage[] = [];
  const bools = [true, false];
  for (const tier of tiers)
    for (const fee of bools)
      for (const abate of bools)
        for (const lump of bools)
          for (const stream of bools)
            for (const buy of bools) {
              if (lump && stream) continue;
              if (abate && (lump || stream)) continue;
              if (!(fee || abate || lump || stream || buy)) continue;
              out.push({
                tier,
                smartFeeWaiver: fee,
                taxAbatement: abate,
                tif: lump ? "lump_sum" : stream ? "stream" : "none",
                interestBuydown: buy,
              });
            }
  return out;
}
