import type { SQL_DIALECT_NAMES } from "@modelworks/contracts/model-artifacts";
import {
  ModelArtifact,
  type ModelArtifact as ModelArtifactJson,
  MODEL_ID as RESPONSE_MODEL_ID,
  type Scorecard,
  scoringModelOf,
  scoringSql,
} from "@modelworks/engine-response-model";
import { and, eq, sql } from "drizzle-orm";
import type { Db } from "../db/client.ts";
import { modelArtifacts, runs } from "../db/schema.ts";
import { firstOr404, inOrg } from "../db/scope.ts";
import type { Actor } from "../domain/actor.ts";
import { recordAuditAs } from "../domain/audit.ts";
import { DomainError, unprocessable } from "../errors/domain-error.ts";

/**
 * Fitted models as artifacts of an organization (issue 15 item 8; docs/decisions/0037): made
 * from a succeeded response-model run, immutable but for their state (draft → approved →
 * retired; a draft may also be retired), every transition audited in the same transaction.
 */
export type ArtifactRow = typeof modelArtifacts.$inferSelect;
export type SqlDialectName = (typeof SQL_DIALECT_NAMES)[number];

export const artifactJson = (row: ArtifactRow): ModelArtifactJson =>
  row.artifact as unknown as ModelArtifactJson;

/** Loads an artifact of the actor's organization, or 404 (another organization's included). */
export async function loadArtifact(
  db: Db,
  orgId: string,
  id: string,
  forUpdate = false,
): Promise<ArtifactRow> {
  const q = db
    .select()
    .from(modelArtifacts)
    .where(inOrg(modelArtifacts, orgId, id));
  return firstOr404(forUpdate ? await q.for("update") : await q, "Model artifact");
}

/**
 * A new draft from a succeeded response-model fit: its `artifact` is copied (and checked against
 * the engine's schema), the version is the name's next. Concurrent creations of one name are
 * serialized by a transaction-scoped advisory lock on (org, name).
 */
export async function createArtifactFromRun(
  db: Db,
  actor: Actor,
  body: { runId: string; name: string },
): Promise<ArtifactRow> {
  return db.transaction(async (tx) => {
    const run = firstOr404(
      await tx
        .select({
          id: runs.id,
          modelId: runs.modelId,
          modelVersion: runs.modelVersion,
          status: runs.status,
          output: runs.output,
        })
        .from(runs)
        .where(inOrg(runs, actor.orgId, body.runId)),
      "Run",
    );
    if (run.modelId !== RESPONSE_MODEL_ID)
      throw unprocessable([
        {
          path: "body.runId",
          message: `is a run of ${run.modelId}; a model artifact comes from a ${RESPONSE_MODEL_ID} fit`,
        },
      ]);
    if (run.status !== "succeeded")
      throw new DomainError(
        "run_not_succeeded",
        `The run ${run.status === "queued" || run.status === "running" ? "has not finished" : `ended ${run.status}`}; only a succeeded fit makes a model artifact.`,
      );
    const parsed = ModelArtifact.safeParse((run.output as { artifact?: unknown } | null)?.artifact);
    if (!parsed.success)
      throw unprocessable([{ path: "body.runId", message: "the run's output holds no scoring artifact" }]);
    const artifact = parsed.data;
    await tx.execute(
      sql`select pg_advisory_xact_lock(hashtext(${`model-artifact:${actor.orgId}:${body.name.toLowerCase()}`}))`,
    );
    const [last] = await tx
      .select({ v: sql<number>`coalesce(max(${modelArtifacts.version}), 0)` })
      .from(modelArtifacts)
      .where(
        and(
          eq(modelArtifacts.orgId, actor.orgId),
          sql`lower(${modelArtifacts.name}) = ${body.name.toLowerCase()}`,
        ),
      );
    const [row] = await tx
      .insert(modelArtifacts)
      .values({
        orgId: actor.orgId,
        name: body.name,
        version: Number(last?.v ?? 0) + 1,
        modelId: run.modelId,
        modelVersion: run.modelVersion,
        sourceRunId: run.id,
        dataFingerprint: artifact.dataFingerprint,
        artifact: artifact as unknown as Record<string, unknown>,
        gatePass: artifact.metrics.gatePass,
        createdBy: actor.userId,
      })
      .returning();
    await recordAuditAs(tx, actor, {
      action: "model_artifact.created",
      orgId: actor.orgId,
      targetType: "model_artifact",
      targetId: row!.id,
      metadata: { name: row!.name, version: row!.version, sourceRunId: run.id, gatePass: row!.gatePass },
    });
    return row!;
  });
}

/**
 * Approves a draft. A model that failed its deployment gate is refused (`model_gate_failed`)
 * unless the approver gives the reason it may be used anyway; the reason is kept and audited.
 */
export async function approveArtifact(
  db: Db,
  actor: Actor,
  id: string,
  overrideReason: string | undefined,
): Promise<ArtifactRow> {
  return db.transaction(async (tx) => {
    const before = await loadArtifact(tx, actor.orgId, id, true);
    if (before.state !== "draft")
      throw new DomainError(
        "artifact_state_conflict",
        `The model artifact is ${before.state}; only a draft can be approved.`,
      );
    const lift = artifactJson(before).metrics.holdoutTopDecileLift;
    if (!before.gatePass && !overrideReason)
      throw new DomainError(
        "model_gate_failed",
        `${before.name} v${before.version} failed its deployment gate (holdout top-decile lift ${lift.toFixed(2)}); give an overrideReason to approve it anyway.`,
        [{ path: "body.overrideReason", message: "required: the model failed its deployment gate" }],
      );
    const [after] = await tx
      .update(modelArtifacts)
      .set({
        state: "approved",
        approvedBy: actor.userId,
        approvedAt: new Date(),
        gateOverrideReason: before.gatePass ? null : (overrideReason ?? null),
      })
      .where(eq(modelArtifacts.id, before.id))
      .returning();
    await recordAuditAs(tx, actor, {
      action: "model_artifact.approved",
      orgId: actor.orgId,
      targetType: "model_artifact",
      targetId: before.id,
      metadata: {
        name: before.name,
        version: before.version,
        gatePass: before.gatePass,
        topDecileLift: lift,
        ...(before.gatePass ? {} : { overrideReason }),
      },
    });
    return after!;
  });
}

/** Retires a draft or an approved artifact: it no longer scores, and stays for the record. */
export async function retireArtifact(db: Db, actor: Actor, id: string): Promise<ArtifactRow> {
  return db.transaction(async (tx) => {
    const before = await loadArtifact(tx, actor.orgId, id, true);
    if (before.state === "retired")
      throw new DomainError("artifact_state_conflict", "The model artifact is already retired.");
    const [after] = await tx
      .update(modelArtifacts)
      .set({ state: "retired", retiredBy: actor.userId, retiredAt: new Date() })
      .where(eq(modelArtifacts.id, before.id))
      .returning();
    await recordAuditAs(tx, actor, {
      action: "model_artifact.retired",
      orgId: actor.orgId,
      targetType: "model_artifact",
      targetId: before.id,
      metadata: { name: before.name, version: before.version, from: before.state },
    });
    return after!;
  });
}

/** An artifact may score when approved, or — asked for explicitly — when a draft; never retired. */
export function assertMayScore(row: ArtifactRow, allowDraft: boolean): void {
  if (row.state === "approved" || (row.state === "draft" && allowDraft)) return;
  throw new DomainError(
    "artifact_not_approved",
    row.state === "retired"
      ? `${row.name} v${row.version} is retired and no longer scores.`
      : `${row.name} v${row.version} is a draft; approve it, or score with allowDraft: true.`,
  );
}

/**
 * The artifact as one SELECT for a warehouse (the engine's `scoringSql`): the ID field passed
 * through, `log_odds`, `probability` and the prototype scorecard's `points`.
 */
export function artifactSql(row: ArtifactRow, dialect: SqlDialectName, table: string[]): string {
  const artifact = artifactJson(row);
  const header = `-- ${row.name} v${row.version} (${row.state}), ${row.modelId}@${row.modelVersion}, data ${row.dataFingerprint}\n`;
  return (
    header +
    scoringSql(scoringModelOf(artifact), {
      dialect,
      table,
      passThrough: artifact.idField ? [artifact.idField] : [],
      scorecard: artifact.scorecard as Scorecard,
    })
  );
}
