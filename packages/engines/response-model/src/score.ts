/**
 * Scoring with a fitted model's artifact (the JSON a run returns as `artifact`): batches of raw
 * records in, customer ID, probability, points, decile and tier out. Streaming-friendly: any
 * iterable (or async iterable) of records, scored a batch at a time, so a 100M-row file needs
 * only one batch in memory. Scoring the training records reproduces the fit's probabilities
 * exactly: the same stored preparation and the same column-order sum (`scoreProbability`).
 */
import type { ScoringModel } from "./fit/scoring-model.ts";
import { scoreProbability } from "./fit/scoring-model.ts";
import type { ModelArtifact } from "./model-schema.ts";
import { type CustomerRecord, cellText, recordsToTable } from "./records.ts";
import type { Scorecard } from "./scorecard/scorecard.ts";
import { scoreRecord } from "./scorecard/scorecard.ts";

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

export function scoringModelOf(artifact: ModelArtifact): ScoringModel {
  return {
    preparation: artifact.preparation,
    intercept: artifact.intercept,
    coefficients: artifact.coefficients,
  };
}

/** The decile a probability falls in by the cut-offs (lowest score of deciles 1…10). */
export function decileOf(cutoffs: readonly number[], p: number): number {
  let d = 1;
  for (let k = cutoffs.length - 1; k >= 1; k--)
    if (p >= (cutoffs[k] as number)) {
      d = k + 1;
      break;
    }
  return d;
}

export function tierOf(tiers: ModelArtifact["tiers"], p: number): string {
  for (const t of tiers) if (p >= t.minProbability) return t.name;
  return NOT_MAILED;
}

/** Scores one batch (already in memory). `firstPosition` numbers records without an ID. */
export function scoreBatch(
  artifact: ModelArtifact,
  records: readonly CustomerRecord[],
  firstPosition = 1,
): ScoredRecord[] {
  if (records.length === 0) return [];
  const table = recordsToTable(
    records,
    artifact.preparation.fields.map((f) => f.field),
  );
  const p = scoreProbability(scoringModelOf(artifact), table);
  const card = artifact.scorecard as Scorecard;
  return records.map((r, i) => {
    const text: Record<string, string | null> = {};
    for (const k of Object.keys(r)) text[k] = cellText(r[k]);
    const probability = p[i] as number;
    const id = artifact.idField ? cellText(r[artifact.idField]) : null;
    return {
      customerId: id ?? String(firstPosition + i),
      probability,
      points: scoreRecord(card, text),
      decile: decileOf(artifact.decileCutoffs, probability),
      tier: tierOf(artifact.tiers, probability),
    };
  });
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
  for await (const r of records) {
    batch.push(r);
    if (batch.length >= size) {
      yield scoreBatch(artifact, batch, position);
      position += batch.length;
      batch = [];
    }
  }
  if (batch.length > 0) yield scoreBatch(artifact, batch, position);
}
