/**
 * The effect of each tif@2 2.2.0 correction on the default case (and a few other cases), measured
 * by switching it off alone from 2.2.0 and by comparing 2.2.0 with 2.1.0 (all four off).
 * The CHANGELOG's numbers come from here:  npx tsx packages/engines/tif/scripts/corrections-effects.ts
 */
import type { Corrections } from "../src/compat/corrections.ts";
import { PROTOTYPE_TABLES } from "../src/reference-data/index.ts";
import { calculateDealV2 } from "../src/v2/deal.ts";
import { TifV2Input, type TifV2InputRaw } from "../src/v2/schema.ts";

const NEW: (keyof Corrections)[] = [
  "oneDrawSchedule",
  "tifWindowAtStepUp",
  "sizingOnConversionRow",
  "landInUnleveredIrr",
];
const v21 = Object.fromEntries(NEW.map((k) => [k, false])) as Partial<Corrections>;

const pct = (x: number | null) => (x === null ? "n/a" : `${(x * 100).toFixed(4)}%`);
function line(label: string, raw: TifV2InputRaw, sw: Partial<Corrections>) {
  const o = calculateDealV2(TifV2Input.parse(raw), PROTOTYPE_TABLES, sw);
  const r = o.returns;
  console.log(
    `${label.padEnd(44)} lev ${pct(r.leveredIrr).padStart(10)}  unlev ${pct(r.unleveredIrr).padStart(10)}  EM ${r.equityMultiple?.toFixed(4)}  ` +
      `IDC ${o.sourcesUses.idcUsd.toFixed(2)}  TDC ${o.sourcesUses.tdcUsd.toFixed(2)}  perm ${o.permanentLoan.fundedUsd.toFixed(2)} (${o.permanentLoan.bindingConstraint})  sizingNOI ${o.permanentLoan.stabilizedNoiForSizingUsd.toFixed(2)}  Σreimb ${o.periods.reduce((s, p) => s + p.tifReimbursement, 0).toFixed(2)}  Σabate ${o.periods.reduce((s, p) => s + p.tifAbatement, 0).toFixed(2)}`,
  );
}

const cases: [string, TifV2InputRaw][] = [
  ["default (market)", {}],
  ["mixed defaults", { scenario: "mixed_income" }],
  [
    "mixed, stream 100% 15 y",
    { scenario: "mixed_income", tif: { treatment: "stream", streamShare: 1, streamYears: 15 } },
  ],
  [
    "mixed, abatement 100% 15 y",
    { scenario: "mixed_income", tif: { treatment: "abatement", abatementShare: 1, abatementYears: 15 } },
  ],
];
for (const [name, raw] of cases) {
  console.log(`\n== ${name}`);
  line("2.1.0 (all four off)", raw, v21);
  for (const k of NEW) line(`2.1.0 + ${k} only`, raw, { ...v21, [k]: true });
  line("2.2.0", raw, {});
}
console.log("\n== tier incentives (2.2.0), mixed defaults, tier 2");
for (const inc of [
  { smartFeeWaiver: true },
  { taxAbatement: true },
  { tif: "stream" as const },
  { tif: "lump_sum" as const },
  { smartFeeWaiver: true, tif: "lump_sum" as const },
]) {
  const o = calculateDealV2(TifV2Input.parse({ scenario: "mixed_income", incentives: { tier: 2, ...inc } }));
  console.log(
    JSON.stringify(inc).padEnd(44),
    `lev ${pct(o.returns.leveredIrr)}  unlev ${pct(o.returns.unleveredIrr)}  EM ${o.returns.equityMultiple?.toFixed(4)}  tif ${o.incentives.tifTreatment} lump ${o.incentives.tifLumpSumUsd.toFixed(2)}`,
  );
}
