import { powerBi } from "@modelworks/engine-dashboard-planner";

type CsvValue = powerBi.CsvValue;

import { zipSync } from "fflate";
import type { Db } from "../db/client.ts";
import { DomainError } from "../errors/domain-error.ts";
import { readRows } from "../files/duck.ts";
import type { FileStore } from "../files/store.ts";
import { filesByIds, type PlanRevisionRow, type RevisionTable } from "./store.ts";

/** Above this many rows in all, the project is refused rather than built in memory. */
export const POWERBI_MAX_ROWS = 2_000_000;

/**
 * A plan revision's Power BI project as a zip: the engine's PBIR report and TMDL model (the spec
 * the run derived from the plan) and each table's data as the CSV its Power Query partition reads
 * (`powerBiCsv`: UTF-8, "," and "." decimals, ISO dates). The spec's tables are the run's input
 * tables in order, so table i reads the file behind the revision's table i.
 */
export async function powerBiZip(
  db: Db,
  store: FileStore,
  orgId: string,
  rev: PlanRevisionRow,
): Promise<{ name: string; zip: Buffer }> {
  const spec = powerBi.PowerBiProjectSpec.parse(rev.powerBiSpec);
  const tables = rev.tables as RevisionTable[];
  const stored = await filesByIds(
    db,
    orgId,
    tables.map((t) => t.fileId).filter((id) => id !== ""),
  );
  const total = tables.reduce((n, t) => n + t.profile.rowCount, 0);
  if (total > POWERBI_MAX_ROWS)
    throw new DomainError(
      "export_too_large",
      `The project's tables hold ${total.toLocaleString("en")} rows; a download carries at most ${POWERBI_MAX_ROWS.toLocaleString("en")}.`,
    );
  const data: Record<string, string> = {};
  for (const [i, table] of spec.tables.entries()) {
    const source = tables[i];
    const file = source && stored.find((f) => f.id === source.fileId);
    if (!source || !file)
      throw new DomainError(
        "gone",
        `The file behind table "${source?.table ?? table.name}" is no longer stored (deleted, or past the retention period).`,
      );
    const rows = await readRows(await store.localPath(file.dataKey), 0, file.rowCount);
    const dated = new Set(
      table.columns.filter((c) => c.dataType === "dateTime").map((c) => c.sourceColumn ?? c.name),
    );
    const typed = rows.map((r) => {
      const out: Record<string, CsvValue> = {};
      for (const [k, v] of Object.entries(r))
        out[k] =
          dated.has(k) && typeof v === "string"
            ? new Date(v.length === 10 ? `${v}T00:00:00Z` : v)
            : (v as CsvValue);
      return out;
    });
    data[table.fileName] = powerBi.powerBiCsv(table, typed);
  }
  const files = powerBi.writePowerBiProject(spec, data);
  const entries: Record<string, Uint8Array> = {};
  const enc = new TextEncoder();
  for (const [path, body] of files)
    entries[`${spec.name}/${path}`] = typeof body === "string" ? enc.encode(body) : body;
  return {
    name: spec.name,
    zip: Buffer.from(zipSync(entries, { level: 6, mtime: new Date("2026-01-01T00:00:00Z") })),
  };
}
