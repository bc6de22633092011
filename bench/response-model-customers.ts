/**
 * A generated customer file for the response-model benches: 30 recency fields 1–5 with gaps,
 * 20 letter codes, 8 nominal segments of 57 levels, one 5,000-level code and one leaked flag,
 * responders at 5 % and leaning to recent purchases. Seeded: the same file every run.
 */
import type { DirectionHint } from "../packages/engines/response-model/src/data/index.ts";
import { seededRandom as rng } from "../packages/engines/response-model/src/fit/random.ts";
import type { RawTable } from "../packages/engines/response-model/src/types.ts";

export { rng };

export function generateCustomers(n: number): { table: RawTable; directions: DirectionHint[] } {
  const r = rng(7);
  const y = Array.from({ length: n }, () => (r() < 0.05 ? 1 : 0));
  const columns: RawTable["columns"] = {};
  const directions: DirectionHint[] = [];
  for (let k = 0; k < 30; k++) {
    const name = `recency_${k}`;
    // Responders lean to recent purchases (half of them draw from 1–3), every value holds both classes.
    columns[name] = y.map((v) =>
      r() < 0.6 ? null : String(1 + Math.floor(r() * (v === 1 && r() < 0.5 ? 3 : 5))),
    );
    directions.push({ field: name, high: "1", low: "5" });
  }
  for (let k = 0; k < 20; k++) {
    const name = `code_${k}`;
    columns[name] = y.map(() => (r() < 0.1 ? null : String.fromCharCode(65 + Math.floor(r() * 12))));
    directions.push({ field: name, high: "A", low: "L" });
  }
  for (let k = 0; k < 8; k++) columns[`segment_${k}`] = y.map(() => `S${Math.floor(r() * 57)}`);
  columns.zip = y.map(() => `Z${Math.floor(r() * 5000)}`);
  columns.confidence = y.map((v) => (v === 1 && r() < 0.1 ? "2" : "0"));
  columns.target = y.map(String);
  const names = Object.keys(columns);
  return { table: { names, columns, rowCount: n }, directions };
}

/** The table as the records a mapped upload hands the model (missing cells left out). */
export function tableRecords(table: RawTable): Record<string, string>[] {
  return Array.from({ length: table.rowCount }, (_, i) => {
    const rec: Record<string, string> = {};
    for (const name of table.names) {
      const v = table.columns[name]?.[i];
      if (v !== null && v !== undefined) rec[name] = v;
    }
    return rec;
  });
}
