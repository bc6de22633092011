import type { ModelArtifactDto, ScoringRunOutput } from "@modelworks/contracts/model-artifacts";
import type { z } from "zod";

/*
 * The response-model journey's decisions, kept out of the pages so they can be tested without a
 * browser: which runs can become a model, what an approval needs, where the SQL comes from and
 * what a scoring run's output says.
 */
export type ModelArtifact = z.output<typeof ModelArtifactDto>;

/** The fit model a saved model comes from, and the platform's scoring runs (not in the catalog). */
export const RESPONSE_MODEL_ID = "response-model";
export const SCORING_MODEL_ID = "response-model-score";

/** Only a succeeded fit carries the scoring artifact the server copies. */
export function canSaveAsModel(run: { modelId: string; status: string }): boolean {
  return run.modelId === RESPONSE_MODEL_ID && run.status === "succeeded";
}

/** The server's rule (ApproveModelArtifactBody): a failed gate needs a reason of 10+ characters. */
export const OVERRIDE_REASON_MIN_CHARS = 10;

/**
 * Why the approval cannot be sent yet, or null when it can: a reason is required only when the
 * deployment gate failed (and then must say something), and is not sent otherwise.
 */
export function overrideReasonProblem(gatePass: boolean, reason: string): string | null {
  if (gatePass) return null;
  const n = reason.trim().length;
  if (n === 0) return "The deployment gate failed: say why this model may be used anyway.";
  if (n < OVERRIDE_REASON_MIN_CHARS) return `Say why in at least ${OVERRIDE_REASON_MIN_CHARS} characters.`;
  return null;
}

/** The approval's body: the reason only when the gate failed (the server stores and audits it). */
export function approvalBody(gatePass: boolean, reason: string): { overrideReason?: string } {
  return gatePass ? {} : { overrideReason: reason.trim() };
}

/** What the signed-in member may do with an artifact in its state. */
export function artifactActions(state: ModelArtifact["state"], canApprove: boolean) {
  return {
    approve: canApprove && state === "draft",
    retire: canApprove && state !== "retired",
    // Scoring uses an approved model; a draft only when asked for explicitly (a trial).
    score: state !== "retired",
    scoreNeedsDraftFlag: state === "draft",
  };
}

/** A valid table name for the SQL export (the server's ArtifactSqlQuery rule: a, a.b or a.b.c). */
export const SQL_TABLE_PATTERN = /^[^.\s]{1,120}(\.[^.\s]{1,120}){0,2}$/;

/** The SELECT's address for a dialect and a raw table, e.g. `/api/v1/model-artifacts/…/sql?…`. */
export function artifactSqlPath(api: string, id: string, dialect: string, table: string): string {
  const q = new URLSearchParams({ dialect, table: table.trim() || "customers" });
  return `${api}/model-artifacts/${encodeURIComponent(id)}/sql?${q.toString()}`;
}

/** A scoring run's output, when the run is one and has finished with it. */
export function scoringOutputOf(run: { modelId: string; output: unknown }): ScoringRunOutput | null {
  if (run.modelId !== SCORING_MODEL_ID || !run.output || typeof run.output !== "object") return null;
  const o = run.output as Partial<ScoringRunOutput>;
  return typeof o.scoredFileId === "string" && typeof o.rows === "number" ? (o as ScoringRunOutput) : null;
}

/** "2.41×" for a lift, "0.712" for an AUC: the two numbers a media planner compares models by. */
export const formatLift = (lift: number) => `${lift.toFixed(2)}×`;
export const formatAuc = (auc: number) => auc.toFixed(3);

/**
 * The input of a fit whose records come from a stored file (`data: {fileId, mappingId}`): the
 * scenario's settings without its own rows — the server fills `records` from the file and refuses
 * an input that also gives rows inline or names the bundled sample.
 */
export function fileFitInput(input: unknown): Record<string, unknown> {
  const { records: _records, sampleData: _sample, ...settings } = (input ?? {}) as Record<string, unknown>;
  return settings;
}
