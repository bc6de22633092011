/**
 * The bundled sample files as records: what `sampleData` names. Parsed once per process and
 * shared (callers do not mutate records).
 */
import { simpleCsvRecords } from "../records.ts";
import { SAMPLE_DATA_CSV, SAMPLE_META_CSV } from "./sample-data.ts";
import type { SampleDataName } from "./sample-names.ts";

let campaigniq: Record<string, string>[] | null = null;

export function sampleRecords(name: SampleDataName): Record<string, string>[] {
  switch (name) {
    case "campaigniq":
      campaigniq ??= simpleCsvRecords(SAMPLE_DATA_CSV);
      return campaigniq;
    default:
      return name satisfies never;
  }
}

/** sample_data_meta.csv's High/Low pairs (fields with both ends). */
export function sampleFieldEnds() {
  return simpleCsvRecords(SAMPLE_META_CSV)
    .filter((r) => r.High && r.Low)
    .map((r) => ({ field: r.Field as string, high: r.High as string, low: r.Low as string }));
}
