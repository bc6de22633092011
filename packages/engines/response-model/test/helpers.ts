import { readFileSync } from "node:fs";
import { join } from "node:path";
import { sharedPath } from "../../../../test-support/shared-dir.ts";
import { seededRandom } from "../src/fit/random.ts";
import type { FieldSpec, RawTable } from "../src/types.ts";

export const FIXTURES = sharedPath("fixtures", "campaigniq");

/** A CSV without quoted fields (the fixtures have none), BOM stripped, "" → null. */
export function readSimpleCsv(path: string): RawTable {
  const lines = readFileSync(path, "utf8")
    .replace(/^\uFEFF/, "")
    .split(/\r?\n/)
    .filter((l) => l !== "");
  const names = lines[0]!.split(",");
  const columns: Record<string, (string | null)[]> = Object.fromEntries(names.map((n) => [n, []]));
  for (const line of lines.slice(1)) {
    const cells = line.split(",");
    names.forEach((n, j) => {
      const c = cells[j] ?? "";
      columns[n]!.push(c === "" ? null : c);
    });
  }
  return { names, columns, rowCount: lines.length - 1 };
}

/** sample_data.csv with the prototype's field kinds (spec C.3) and sample_data_meta.csv's directions. */
export function loadSample(): { table: RawTable; specs: FieldSpec[]; y: Float64Array } {
  const table = readSimpleCsv(join(FIXTURES, "sample_data.csv"));
  const meta = readSimpleCsv(join(FIXTURES, "sample_data_meta.csv"));
  const ends = new Map<string, [string | null, string | null]>();
  meta.columns.Field!.forEach((f, i) => {
    ends.set(f!, [meta.columns.High![i]!, meta.columns.Low![i]!]);
  });
  const nominal = ["GENDER", "PRES_KIDS", "AGE", "HOMEOWNER", "PART_AFFILIATION", "BUBBLES"];
  const specs: FieldSpec[] = [];
  for (const name of table.names) {
    if (name === "TARGET") continue;
    const [high, low] = ends.get(name) ?? [null, null];
    if (nominal.includes(name)) specs.push({ name, kind: "nominal" });
    else if (high && low && /^[A-Z]$/.test(high)) {
      // Letter codes: every letter from High to Low (A best).
      const order: string[] = [];
      for (let c = high.charCodeAt(0); c <= low.charCodeAt(0); c++) order.push(String.fromCharCode(c));
      specs.push({ name, kind: "ordinal", order });
    } else
      specs.push({
        name,
        kind: "numeric",
        direction: high && low && Number(high) < Number(low) ? "lower-is-better" : "higher-is-better",
      });
  }
  const y = Float64Array.from(table.columns.TARGET!, (v) => (v === "1" ? 1 : 0));
  return { table, specs, y };
}

/**
 * A seeded synthetic customer file: numeric fields (some with `$`/`,` text and missing values),
 * a nominal field and an ordinal one, and a 0/1 target drawn from a known logistic model.
 */
export function syntheticTable(
  rowCount: number,
  seed: number,
): { table: RawTable; specs: FieldSpec[]; y: Float64Array } {
  const random = seededRandom(seed);
  const normal = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  const cols: Record<string, (string | null)[]> = {
    income: [],
    recency: [],
    spend: [],
    region: [],
    grade: [],
  };
  const y = new Float64Array(rowCount);
  const regions = ["North", "South_East", "West", "Mid west"];
  const grades = ["A", "B", "C", "D"];
  for (let i = 0; i < rowCount; i++) {
    const income = 50_000 + 15_000 * normal();
    const recency = 1 + Math.floor(random() * 5);
    const spend = Math.exp(4 + normal());
    const region = Math.floor(random() * regions.length);
    const grade = Math.floor(random() * grades.length);
    const z =
      -1 +
      0.00003 * (income - 50_000) -
      0.4 * (recency - 3) +
      0.3 * Math.log(spend) -
      0.5 * region * (region % 2) +
      0.3 * (3 - grade);
    y[i] = random() < 1 / (1 + Math.exp(-z)) ? 1 : 0;
    cols.income!.push(random() < 0.1 ? null : `$${Math.round(income).toLocaleString("en-US")}`);
    cols.recency!.push(random() < 0.2 ? null : String(recency));
    cols.spend!.push(spend.toFixed(2));
    cols.region!.push(random() < 0.05 ? null : regions[region]!);
    cols.grade!.push(grades[grade]!);
  }
  return {
    table: { names: Object.keys(cols), columns: cols, rowCount },
    specs: [
      { name: "income", kind: "numeric" },
      { name: "recency", kind: "numeric", direction: "lower-is-better" },
      { name: "spend", kind: "numeric" },
      { name: "region", kind: "nominal" },
      { name: "grade", kind: "ordinal", order: grades },
    ],
    y,
  };
}
