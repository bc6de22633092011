/**
 * The analyses' headline numbers on the defaults (README, CHANGELOG):
 *   npx tsx packages/engines/tif/scripts/analyses-defaults.ts
 */
import { createContext, executeModel } from "@modelworks/model-kit";
import { tifComparisonModel, tifIncentiveMatrixModel, tifSolveModel } from "../src/analysis/index.ts";

interface Row {
  name: string;
  leveredIrrGapBps: number;
  meetsTarget: boolean;
}

async function main() {
  // biome-ignore lint/suspicious/noExplicitAny: a print-out script
  const run = (m: unknown, input: unknown) => executeModel(m as any, input, createContext()) as Promise<any>;
  const c = await run(tifComparisonModel, {});
  console.log(
    `comparison: market ${(c.market.leveredIrr * 100).toFixed(4)}%, mixed ${(c.mixedIncome.leveredIrr * 100).toFixed(4)}%, ` +
      `gap ${c.gap.leveredIrrGapBps.toFixed(2)} bps, lump sum ${c.incentives.tifLumpSumRequestedUsd.toFixed(2)}`,
  );
  const m = await run(tifIncentiveMatrixModel, {});
  const meeting = (m.rows as Row[]).filter((r) => r.meetsTarget);
  console.log(
    `matrix: ${meeting.length} meet: ${meeting.map((r) => `${r.name} ${r.leveredIrrGapBps.toFixed(2)}`).join(", ")}`,
  );
  console.log(`matrix minimum: ${m.minimum?.name} ${m.minimum?.leveredIrrGapBps.toFixed(2)} bps`);
  for (const [lever, tif] of [
    ["tifLumpSumUsd", "lump_sum"],
    ["hardCostPerUnitUsd", "none"],
    ["marketRentScale", "none"],
    ["tifStreamShare", "stream"],
  ] as const) {
    const s = await run(tifSolveModel, { lever, mixedIncome: { incentives: { tif } } });
    console.log(
      `solve ${lever} (tif ${tif}): ${s.status} value ${s.value} in ${s.iterations} iterations; bounds ${JSON.stringify(s.bounds)}`,
    );
  }
}
void main();
