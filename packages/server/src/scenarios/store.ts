import { and, eq, ilike } from "drizzle-orm";
import type { Db } from "../db/client.ts";
import { isUniqueViolation } from "../db/errors.ts";
import { likeLiteral } from "../db/like.ts";
import { projects, scenarioRevisions, scenarios } from "../db/schema.ts";
import { firstOr404, inOrg } from "../db/scope.ts";
import type { AppDeps } from "../deps.ts";
import type { Actor } from "../domain/actor.ts";
import { recordAuditAs } from "../domain/audit.ts";
import { DomainError, notFound } from "../errors/domain-error.ts";
import { findModel } from "../models/find.ts";
import { inputHash } from "../runs/canonical.ts";
import { validateInput } from "../runs/service.ts";

export const NAME_MAX = 120;
export type ScenarioRow = typeof scenarios.$inferSelect;
export type RevisionRow = typeof scenarioRevisions.$inferSelect;

export function summaryDto(s: ScenarioRow, rev: RevisionRow) {
  return {
    id: s.id,
    projectId: s.projectId,
    modelId: s.modelId,
    name: s.name,
    description: s.description,
    revision: rev.revision,
    modelVersion: rev.modelVersion,
    inputHash: rev.inputHash,
    createdBy: s.createdBy,
    createdAt: s.createdAt.toISOString(),
    updatedAt: s.updatedAt.toISOString(),
  };
}
export const scenarioDto = (s: ScenarioRow, rev: RevisionRow) => ({
  ...summaryDto(s, rev),
  input: rev.input,
});

export function revisionSummaryDto(r: RevisionRow) {
  return {
    scenarioId: r.scenarioId,
    revision: r.revision,
    modelVersion: r.modelVersion,
    inputHash: r.inputHash,
    note: r.note,
    createdBy: r.createdBy,
    createdAt: r.createdAt.toISOString(),
  };
}

export const duplicateName = (name: string) =>
  new DomainError("name_taken", `A scenario named "${name}" already exists in this project.`);
export const currentRevisionJoin = and(
  eq(scenarioRevisions.scenarioId, scenarios.id),
  eq(scenarioRevisions.revision, scenarios.currentRevision),
);

/** A scenario of the organization with its current revision, or 404. */
export async function loadCurrent(db: Db, orgId: string, id: string) {
  const [row] = await db
    .select({ s: scenarios, rev: scenarioRevisions })
    .from(scenarios)
    .innerJoin(scenarioRevisions, currentRevisionJoin)
    .where(inOrg(scenarios, orgId, id));
  if (!row) throw notFound("Scenario");
  return row;
}

export async function assertProject(db: Db, orgId: string, projectId: string) {
  firstOr404(
    await db
      .select({ id: projects.id })
      .from(projects)
      .where(inOrg(projects, orgId, projectId)),
    "Project",
  );
}

interface NewScenario {
  orgId: string;
  projectId: string;
  modelId: string;
  name: string;
  description: string;
  modelVersion: string;
  /** Already validated against the model version. */
  input: unknown;
  inputHash: string;
  note: string;
}

/** Inserts a scenario and its revision 1. */
export async function insertScenario(tx: Db, createdBy: string, n: NewScenario) {
  const [s] = await tx
    .insert(scenarios)
    .values({
      orgId: n.orgId,
      projectId: n.projectId,
      modelId: n.modelId,
      name: n.name,
      description: n.description,
      currentRevision: 1,
      createdBy,
    })
    .returning();
  const [rev] = await tx
    .insert(scenarioRevisions)
    .values({
      orgId: n.orgId,
      scenarioId: s!.id,
      revision: 1,
      modelVersion: n.modelVersion,
      input: n.input,
      inputHash: n.inputHash,
      note: n.note,
      createdBy,
    })
    .returning();
  return { s: s!, rev: rev! };
}

/** "<name> (copy)", then "<name> (copy 2)", …: the first not taken in the project (case-insensitively). */
export async function freeCopyName(db: Db, projectId: string, name: string): Promise<string> {
  const candidate = (n: number) => {
    const suffix = n === 1 ? " (copy)" : ` (copy ${n})`;
    return `${name.slice(0, NAME_MAX - suffix.length).trimEnd()}${suffix}`;
  };
  const stem = name.slice(0, NAME_MAX - " (copy 1000)".length).trimEnd();
  const taken = new Set(
    (
      await db
        .select({ name: scenarios.name })
        .from(scenarios)
        .where(and(eq(scenarios.projectId, projectId), ilike(scenarios.name, `${likeLiteral(stem)}%`)))
    ).map((r) => r.name.toLowerCase()),
  );
  for (let n = 1; ; n++) {
    if (!taken.has(candidate(n).toLowerCase())) return candidate(n);
  }
}

/**
 * Scenarios: named inputs for one model inside a project. Every change of input (or model
 * version) is a new, immutable revision, so history can be listed, read back and diffed; runs
 * record the revision they ran. Renames and descriptions are not revisions.
 */

/** Create and import: validate against the model, then revision 1 and its audit entry in one transaction. */
export async function newScenario(
  deps: AppDeps,
  actor: Actor,
  projectId: string,
  f: {
    modelId: string;
    modelVersion?: string | undefined;
    name: string;
    description: string;
    input: unknown;
    note: string;
  },
  action: "scenario.created" | "scenario.imported",
  extra: Record<string, unknown> = {},
) {
  const { orgId } = actor;
  const { db } = deps.database;
  await assertProject(db, orgId, projectId);
  const model = findModel({ deps }, f.modelId, f.modelVersion);
  const input = validateInput(model, f.input, "body.input");
  return db
    .transaction(async (tx) => {
      const created = await insertScenario(tx, actor.userId, {
        orgId,
        projectId,
        modelId: model.id,
        name: f.name,
        description: f.description,
        modelVersion: model.version,
        input,
        inputHash: inputHash(input),
        note: f.note,
      });
      await recordAuditAs(tx, actor, {
        action,
        orgId,
        targetType: "scenario",
        targetId: created.s.id,
        metadata: { name: f.name, projectId, modelId: model.id, modelVersion: model.version, ...extra },
      });
      return created;
    })
    .catch((err) => {
      throw isUniqueViolation(err) ? duplicateName(f.name) : err;
    });
}
