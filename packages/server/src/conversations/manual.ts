import {
  type DashboardPlan,
  type ManualEditResult,
  powerBi,
  type TableProfile,
} from "@modelworks/engine-dashboard-planner";
import { eq, sql } from "drizzle-orm";
import { conversations, planRevisions } from "../db/schema.ts";
import type { AppDeps } from "../deps.ts";
import type { Logger } from "../domain/actor.ts";
import { DomainError, unprocessable } from "../errors/domain-error.ts";
import { diffJson } from "../runs/json-diff.ts";
import { settleConversation } from "./messages.ts";
import { assertNotBusy, loadConversation, loadRevision, type RevisionTable } from "./store.ts";

export interface ManualEdit {
  /** The revision the person edited: must still be current (else 409 `revision_conflict`). */
  baseRevision: number;
  /** Applies the edit to the base plan (pure: the engine's `applyLayoutPatch` / `applyVisualEdit`). */
  apply: (plan: DashboardPlan, tables: TableProfile[]) => ManualEditResult;
  /** Where the edit sits in the request, prefixed to the engine's paths (`body.tiles`). */
  bodyPath: string;
  note: string;
}

/**
 * A hand edit (drag, resize, the visual form) saved as the next plan revision, made current, with
 * its diff and the Power BI spec re-derived — the same record a chat edit leaves, so undo and the
 * diff view treat both alike. No run: the edit is checked synchronously by the engine's pure
 * `checkPlan`. Refused edits are 422s at the request's paths and store nothing.
 */
export async function saveManualRevision(
  deps: AppDeps,
  orgId: string,
  userId: string | null,
  conversationId: string,
  edit: ManualEdit,
  log: Logger,
) {
  const { db } = deps.database;
  await loadConversation(db, orgId, conversationId);
  await settleConversation(deps, orgId, conversationId, log);
  return db.transaction(async (tx) => {
    const c = await loadConversation(tx, orgId, conversationId, true);
    await assertNotBusy(tx, conversationId);
    if (c.currentRevision === null)
      throw unprocessable(
        [{ path: "body.baseRevision", message: "the conversation has no plan yet" }],
        "There is no dashboard to edit yet: send a message with a file first.",
      );
    if (edit.baseRevision !== c.currentRevision)
      throw new DomainError(
        "revision_conflict",
        `The plan is at revision ${c.currentRevision} now, not ${edit.baseRevision}: reload and edit again.`,
      );
    const base = await loadRevision(tx, c.id, c.currentRevision);
    const profiles = (base.tables as RevisionTable[]).map((t) => t.profile);
    const result = edit.apply(base.plan as DashboardPlan, profiles);
    if (!result.plan)
      throw unprocessable(
        result.errors.map((e) => ({
          path: e.path ? `${edit.bodyPath}.${e.path}` : edit.bodyPath,
          message: e.message,
        })),
        "The edit does not fit the plan or the data; nothing was saved.",
      );
    const diff = diffJson(base.plan, result.plan).map((d) => ({
      path: d.path,
      from: d.before ?? null,
      to: d.after ?? null,
    }));
    if (diff.length === 0)
      throw unprocessable([{ path: edit.bodyPath, message: "changes nothing in the plan" }]);
    const { spec } = powerBi.checkedPowerBiSpec(result.plan, profiles);
    const [{ n } = { n: 0 }] = await tx
      .select({ n: sql<number>`coalesce(max(${planRevisions.revision}), 0)::int` })
      .from(planRevisions)
      .where(eq(planRevisions.conversationId, c.id));
    const [row] = await tx
      .insert(planRevisions)
      .values({
        orgId: c.orgId,
        conversationId: c.id,
        revision: n + 1,
        baseRevision: base.revision,
        plan: result.plan,
        tables: base.tables,
        powerBiSpec: spec,
        diff,
        note: edit.note.slice(0, 500),
        runId: null,
        createdBy: userId,
      })
      .returning();
    const now = new Date();
    await tx
      .update(conversations)
      .set({ currentRevision: n + 1, updatedAt: now, lastActivityAt: now })
      .where(eq(conversations.id, c.id));
    return row!;
  });
}
