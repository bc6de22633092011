import {
  type CellValue,
  cellText,
  columnScorerOf,
  type ModelArtifact,
  type PreparationCounter,
  preparationCounter,
} from "@modelworks/engine-response-model";

/**
 * A scoring run's arithmetic and its CSV, apart from where the columns come from (a stored file in
 * scoring.ts; bench/response-model-score-server.ts times the same code): columns of values in,
 * a DuckDB chunk at a time, scored column-wise by the engine's column scorer (the same numbers as
 * `scoreBatch`), CSV text out, and the tallies the run reports.
 */

const HEADER = ["customer_id", "probability", "points", "decile", "tier"];
/** Rows scored together: the column scorer's typed arrays for them stay in cache. */
const BATCH_ROWS = 2048;

/** Quotes as needed, and defuses spreadsheet formulas in text (IDs and tier names). */
export function csvText(s: string): string {
  const safe = /^[=+\-@\t\r]/.test(s) && !/^-?\d/.test(s) ? `'${s}` : s;
  return /[",\r\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

/** The columns scoring reads: the model's fields, the scorecard's, the ID. */
export function scoringColumns(artifact: ModelArtifact): string[] {
  const cardFields = (artifact.scorecard.rules as { field?: string }[]).flatMap((r) =>
    r.field ? [r.field] : [],
  );
  return [
    ...new Set([
      ...artifact.preparation.fields.map((f) => f.field),
      ...cardFields,
      ...(artifact.idField ? [artifact.idField] : []),
    ]),
  ];
}

export interface ScoringTally {
  rows: number;
  byDecile: number[];
  byTier: Record<string, number>;
  /** Unseen levels, non-numeric text and missing values, counted as the preparation does. */
  counter: PreparationCounter;
}

export function newTally(artifact: ModelArtifact): ScoringTally {
  return {
    rows: 0,
    byDecile: new Array<number>(10).fill(0),
    byTier: {},
    counter: preparationCounter(artifact.preparation),
  };
}

/**
 * The scored CSV (header first, CRLF lines), one string per chunk of `chunks` — whose
 * `columns[k]` hold the values of `wanted[k]` (scoringColumns) — tallied into `tally`;
 * `afterChunk(rows so far)` runs before each chunk's text is handed on (progress, cancel).
 */
export async function* scoredCsv(
  artifact: ModelArtifact,
  wanted: readonly string[],
  chunks: AsyncIterable<{ rowCount: number; columns: unknown[][] }>,
  tally: ScoringTally,
  afterChunk?: (rows: number) => void,
): AsyncGenerator<string> {
  const prepColumn = artifact.preparation.fields.map((f) => wanted.indexOf(f.field));
  const { scorer, idIndex, tierNames } = columnScorerOf(artifact, wanted, BATCH_ROWS);
  const tierText = tierNames.map(csvText);
  const { byDecile, byTier, counter } = tally;
  yield `${HEADER.join(",")}\r\n`;
  for await (const chunk of chunks) {
    const { columns } = chunk;
    prepColumn.forEach((k, i) => {
      const values = columns[k]!;
      for (let r = 0; r < chunk.rowCount; r++) counter.addValue(i, values[r] as CellValue);
    });
    let text = "";
    for (let first = 0; first < chunk.rowCount; first += BATCH_ROWS) {
      const n = Math.min(BATCH_ROWS, chunk.rowCount - first);
      for (let s = 0; s < scorer.slotColumn.length; s++) {
        const values = columns[scorer.slotColumn[s]!]!;
        for (let r = 0; r < n; r++) scorer.setValue(s, r, values[first + r]);
      }
      // A scorecard whose rules interleave fields scores each row's text.
      const scored = scorer.score(n, (r) =>
        Object.fromEntries(wanted.map((name, k) => [name, cellText(columns[k]![first + r] as CellValue)])),
      );
      const ids = idIndex >= 0 ? columns[idIndex]! : null;
      for (let r = 0; r < n; r++) {
        tally.rows++;
        const decile = scored.decile[r]!;
        byDecile[decile - 1]!++;
        const tier = tierNames[scored.tier[r]!]!;
        byTier[tier] = (byTier[tier] ?? 0) + 1;
        const id = (ids && cellText(ids[first + r] as CellValue)) ?? String(tally.rows);
        // String(probability) is the shortest text that reads back as the same double.
        text += `${csvText(id)},${scored.probability[r]},${scored.points[r]},${decile},${tierText[scored.tier[r]!]}\r\n`;
      }
    }
    afterChunk?.(tally.rows);
    yield text;
  }
}
