/** Analyses across tif runs (issue 4 item 4): comparison, incentive matrix, lump-sum calculator, solve. */
export {
  compare,
  irrGap,
  TifComparisonInput,
  TifComparisonOutput,
  tifComparisonModel,
} from "./comparison.ts";
export { MixedIncomeInput } from "./inputs.ts";
export {
  TifLumpSumInput,
  TifLumpSumOutput,
  tifLumpSum,
  tifLumpSumModel,
  toPrototypeLumpSum,
} from "./lump-sum.ts";
export {
  incentiveMatrix,
  MINIMUM_RULE,
  TifIncentiveMatrixInput,
  TifIncentiveMatrixOutput,
  tifIncentiveMatrixModel,
} from "./matrix.ts";
export { IncentivePackage, incentiveCount, packageName, validPackages } from "./package.ts";
export { cityCost, ProjectInput, runMarket, runMixed } from "./scenarios.ts";
export { LEVERS, solve, TifSolveInput, TifSolveOutput, tifSolveModel } from "./solve.ts";
export { TIER_PROGRAM } from "./tiers.ts";
