/**
 * Test-only: reads the CampaignIQ prototype fixtures (`../shared/fixtures/campaigniq/`) into the
 * engine's `RawTable`. The engine itself never parses files (the platform does); this stands in
 * for the platform in tests. csv-parse's `bom` option drops the UTF-8 BOM both files start with.
 */
import { readFileSync } from "node:fs";
import { parse } from "csv-parse/sync";
import { sharedPath } from "../../../../../test-support/shared-dir.ts";
import type { RawTable } from "../../src/types.ts";

export const FIXTURES_DIR = `${sharedPath("fixtures", "campaigniq")}/`;

/** CSV text → RawTable with the header as given; empty cells → null. */
export function parseCsvTable(text: string): RawTable {
  const rows = parse(text, { bom: true, relax_column_count: true }) as string[][];
  const [header, ...body] = rows;
  if (!header) throw new Error("CSV has no header row");
  const columns: Record<string, (string | null)[]> = {};
  header.forEach((name, j) => {
    columns[name] = body.map((row) => {
      const cell = row[j];
      return cell === undefined || cell === "" ? null : cell;
    });
  });
  return { names: header, columns, rowCount: body.length };
}

export function readFixtureTable(file: string): RawTable {
  return parseCsvTable(readFileSync(`${FIXTURES_DIR}${file}`, "utf8"));
}
