/**
 * Input pieces the comparison and the solve share: the mixed-income side (affordability and the
 * incentive package) and the gap target, with the cross-field checks that keep every field
 * effective (a field that would be ignored is an error, as in tif@2).
 */
import { moneyField } from "@modelworks/model-kit";
import { z } from "zod";
import { AMI_LEVELS } from "../schema.ts";
import { IncentivePackage, packageIssues } from "./package.ts";
import type { EngineChoice, MixedSpec } from "./scenarios.ts";
import { TIER_PROGRAM } from "./tiers.ts";

export const MixedIncomeInput = z
  .object({
    affordableShare: z
      .number()
      .gt(0, "must be more than 0 (a mixed-income deal has affordable units)")
      .max(1, "cannot exceed 100% (give 0.2 for 20%)")
      .nullable()
      .default(null)
      .describe("share of units that are affordable; null = the tier's requirement (5% / 20% / 10%)"),
    amiLevel: z
      .enum(AMI_LEVELS)
      .nullable()
      .default(null)
      .describe("AMI level of the affordable units; null = the tier's (30% / 50% / 50%)"),
    incentives: IncentivePackage.prefault({}),
    tifLumpSumUsd: moneyField("the lump sum")
      .nullable()
      .default(null)
      .describe("null = the calculator's lump sum on the mixed deal's TDC (tif-lump-sum)"),
    tifStreamShare: z
      .number()
      .gt(0, "must be more than 0")
      .max(1, "cannot exceed 100%")
      .nullable()
      .default(null)
      .describe("share of the city increment reimbursed; null = 100%"),
  })
  .strict();
export type MixedIncomeInput = z.output<typeof MixedIncomeInput>;

export const targetField = z
  .number()
  .min(-10_000, "at least −10,000 bps")
  .max(10_000, "at most 10,000 bps")
  .default(150)
  .describe("mixed-income levered IRR minus market levered IRR to reach, basis points (the program's +150)");

export const cityDiscountField = z
  .number()
  .min(0, "cannot be negative")
  .lt(1, "must be below 100% (give 0.05 for 5%)")
  .default(0)
  .describe("discount rate of the city's cost of incentives; 0 = nominal dollars");

type Ctx = z.RefinementCtx;
const issue = (ctx: Ctx, path: (string | number)[], message: string) =>
  ctx.addIssue({ code: "custom", path, message });

/** Cross-field checks of the mixed-income side against the engine and the project. */
export function checkMixedIncome(
  v: { engine: EngineChoice; project: { permRateAnnual: number }; mixedIncome: MixedIncomeInput },
  ctx: Ctx,
): void {
  const m = v.mixedIncome;
  const p = m.incentives;
  for (const i of packageIssues(p)) issue(ctx, ["mixedIncome", "incentives", ...i.path], i.message);
  if (v.engine === "tif@1") {
    if (p.smartFeeWaiver)
      issue(
        ctx,
        ["mixedIncome", "incentives", "smartFeeWaiver"],
        "tif@1 (the prototype) ignores it: use tif@2",
      );
    if (p.interestBuydown)
      issue(
        ctx,
        ["mixedIncome", "incentives", "interestBuydown"],
        "tif@1 (the prototype) ignores it: use tif@2",
      );
  }
  if (m.tifLumpSumUsd !== null && p.tif !== "lump_sum")
    issue(ctx, ["mixedIncome", "tifLumpSumUsd"], 'has no effect unless incentives.tif is "lump_sum"');
  if (m.tifStreamShare !== null && p.tif !== "stream")
    issue(ctx, ["mixedIncome", "tifStreamShare"], 'has no effect unless incentives.tif is "stream"');
  const bps = TIER_PROGRAM[p.tier].buydownBps;
  if (p.interestBuydown && v.project.permRateAnnual * 10_000 <= bps)
    issue(
      ctx,
      ["mixedIncome", "incentives", "interestBuydown"],
      `the tier's ${bps} bps buydown would take the permanent rate (project.permRateAnnual) to 0 or below`,
    );
}

/** The mixed-income side as runMixed takes it (tier defaults filled in). */
export function mixedSpec(m: MixedIncomeInput, cityDiscountRateAnnual: number): MixedSpec {
  const tier = TIER_PROGRAM[m.incentives.tier];
  return {
    affordableShare: m.affordableShare ?? tier.affordableShare,
    amiLevel: m.amiLevel ?? tier.amiLevel,
    pkg: m.incentives,
    lumpSumUsd: m.tifLumpSumUsd,
    streamShare: m.tifStreamShare,
    cityDiscountRateAnnual,
  };
}
