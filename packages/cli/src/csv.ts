/**
 * CSV files as records for the CLI: streamed through csv-parse (header row → keys, UTF-8 BOM
 * dropped, empty cells left out = missing), so `score` reads a file of any size a row at a time.
 */
import { createReadStream } from "node:fs";
import { parse } from "csv-parse";

export type CsvRecord = Record<string, string>;

/** The records of a CSV file, one at a time. */
export async function* readCsvRecords(file: string): AsyncGenerator<CsvRecord> {
  const parser = createReadStream(file).pipe(
    parse({ bom: true, columns: true, skip_empty_lines: true, relax_column_count: false, trim: false }),
  );
  for await (const row of parser as AsyncIterable<Record<string, string>>) {
    const record: CsvRecord = {};
    for (const [k, v] of Object.entries(row)) if (v !== "") record[k] = v;
    yield record;
  }
}

/** All records of a (fitting-sized) CSV file in memory. */
export async function readCsvFile(file: string): Promise<CsvRecord[]> {
  const out: CsvRecord[] = [];
  for await (const r of readCsvRecords(file)) out.push(r);
  return out;
}
