/**
 * Scoring with a fitted model's artifact (the JSON a run returns as `artifact`): batches of raw
 * records in, customer ID, probability, points, decile and tier out. Streaming-friendly: any
 * iterable (or async iterable) of records, scored a batch at a time, so a 100M-row file needs
 * only one batch in memory. Scoring the training records reproduces the fit's probabilities
 * exactly: the compiled scorer adds the same terms in the same order as `scoreProbability`
 * (src/compiled-scorer.ts).
 */
import { ColumnScorer, decileOf, tierIndexOf } from "./column-scorer.ts";
import { type CompiledScorer, compileScorer } from "./compiled-scorer.ts";
import type { ScoringModel } from "./fit/scoring-model.ts";
import type { ModelArtifact } from "./model-schema.ts";
import { type CustomerRecord, cellText } from "./records.ts";
import type { Scorecard } from "./scorecard/scorecard.ts";

export interface ScoredRecord {
  /** The artifact's ID field, or the 1-based position in the stream when it has none. */
  customerId: string;
  probability: number;
  /** Prototype-scale points (BASE 1000, int(coef × 1000) per rule). */
  points: number;
  /** 1…10, 10 = best, by the fit's decile cut-offs. */
  decile: number;
  /** The mailing tier, or "Not mailed" below the last one. */
  tier: string;
}

export const NOT_MAILED = "Not mailed";

export { decileOf, tierIndexOf };

export function scoringModelOf(artifact: ModelArtifact): ScoringModel {
  return {
    preparation: artifact.preparation,
    intercept: artifact.intercept,
    coefficients: artifact.coefficients,
  };
}

export function tierOf(tiers: ModelArtifact["tiers"], p: number): string {
  return tiers[tierIndexOf(tiers, p)]?.name ?? NOT_MAILED;
}

const compiled = new WeakMap<ModelArtifact, CompiledScorer>();

/** The artifact's compiled scorer (built once per artifact object). */
export function scorerOf(artifact: ModelArtifact): CompiledScorer {
  let scorer = compiled.get(artifact);
  if (!scorer) {
    scorer = compileScorer(scoringModelOf(artifact), artifact.scorecard as Scorecard);
    compiled.set(artifact, scorer);
  }
  return scorer;
}

/** Scores one batch (already in memory). `firstPosition` numbers records without an ID. */
export function scoreBatch(
  artifact: ModelArtifact,
  records: readonly CustomerRecord[],
  firstPosition = 1,
): ScoredRecord[] {
  const scorer = scorerOf(artifact);
  return records.map((r, i) => {
    const probability = scorer.probability(r);
    const id = artifact.idField ? cellText(r[artifact.idField]) : null;
    return {
      customerId: id ?? String(firstPosition + i),
      probability,
      points: scorer.points(r),
      decile: decileOf(artifact.decileCutoffs, probability),
      tier: tierOf(artifact.tiers, probability),
    };
  });
}

/**
 * Scores batches of up to `capacity` rows of a file whose columns are `columns` (a CSV header, a
 * DuckDB result's names) column by column, without an object per row (src/column-scorer.ts).
 * `idIndex`: the column of the artifact's ID field (−1 when it names none or the file lacks it);
 * `tierNames[out.tier[r]]` is the row's tier. Same numbers as `scoreBatch` on the same rows.
 */
export function columnScorerOf(
  artifact: ModelArtifact,
  columns: readonly string[],
  capacity: number,
): { scorer: ColumnScorer; idIndex: number; tierNames: string[] } {
  return {
    scorer: new ColumnScorer(
      scoringModelOf(artifact),
      artifact.scorecard as Scorecard,
      artifact.decileCutoffs,
      artifact.tiers,
      columns,
      capacity,
    ),
    idIndex: artifact.idField ? columns.indexOf(artifact.idField) : -1,
    tierNames: [...artifact.tiers.map((t) => t.name), NOT_MAILED],
  };
}

/** Scores a stream of records in batches of `batchSize`, yielding each batch's scored rows in order. */
export async function* scoreRecords(
  artifact: ModelArtifact,
  records: Iterable<CustomerRecord> | AsyncIterable<CustomerRecord>,
  options: { batchSize?: number } = {},
): AsyncGenerator<ScoredRecord[]> {
  const size = options.batchSize ?? 10_000;
  let batch: CustomerRecord[] = [];
  let position = 1;
  const take = (r: CustomerRecord): ScoredRecord[] | null => {
    batch.push(r);
    if (batch.length < size) return null;
    const scored = scoreBatch(artifact, batch, position);
    position += batch.length;
    batch = [];
    return scored;
  };
  // A sync iterable is walked without an await per record (a microtask each, a second per million).
  if (Symbol.asyncIterator in records) {
    for await (const r of records) {
      const scored = take(r);
      if (scored) yield scored;
    }
  } else
    for (const r of records) {
      const scored = take(r);
      if (scored) yield scored;
    }
  if (batch.length > 0) yield scoreBatch(artifact, batch, position);
}
