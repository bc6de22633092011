import { checkPlan, type DashboardPlan, type PlanNote, powerBi } from "@modelworks/engine-dashboard-planner";
import { and, eq, sql } from "drizzle-orm";
import { conversationFiles, conversationMessages, conversations, planRevisions } from "../db/schema.ts";
import type { AppDeps } from "../deps.ts";
import type { Actor, Logger } from "../domain/actor.ts";
import { DomainError, notFound, unprocessable } from "../errors/domain-error.ts";
import type { ColumnProfile } from "../files/duck.ts";
import type { FileStore } from "../files/store.ts";
import { settleConversation } from "./messages.ts";
import {
  assertNotBusy,
  conversationFilesOf,
  filesByIds,
  loadConversation,
  loadRevision,
  nextSeq,
  type RevisionTable,
} from "./store.ts";
import { tableProfile } from "./tables.ts";

export interface UnfitVisual {
  visualId: string;
  title: string;
  issues: PlanNote[];
}

/** Same column names with the same types, in any order: the plan's queries read the new data as they read the old. */
export function sameColumns(a: ColumnProfile[], b: ColumnProfile[]): boolean {
  const key = (cs: ColumnProfile[]) =>
    cs
      .map((c) => `${c.name}\u0000${c.type}`)
      .sort()
      .join("\u0001");
  return key(a) === key(b);
}

/**
 * The visuals and slicers an issue of `checkPlan` points into (`pages.<p>.visuals.<v>…`,
 * `pages.<p>.slicers.<s>…`), each with its issues.
 */
function unfitParts(plan: DashboardPlan, issues: PlanNote[]): UnfitVisual[] {
  const out = new Map<string, UnfitVisual>();
  for (const issue of issues) {
    const m = /^pages\.(\d+)\.(visuals|slicers)\.(\d+)/.exec(issue.path);
    if (!m) continue;
    const page = plan.pages[Number(m[1])];
    const part = m[2] === "visuals" ? page?.visuals[Number(m[3])] : page?.slicers[Number(m[3])];
    if (!part) continue;
    const title = ("title" in part && part.title) || ("field" in part ? part.field.column : part.id);
    const entry = out.get(part.id) ?? { visualId: part.id, title, issues: [] };
    entry.issues.push(issue);
    out.set(part.id, entry);
  }
  return [...out.values()];
}

/**
 * A new version of an attached file: the conversation reads it from now on, under the same table
 * name. With the same columns (names and types) the current plan is kept and a new revision
 * records the data refresh — the dashboard's queries run over the new data. With other columns
 * the plan is re-checked against them (`checkPlan`): repaired where it can be; the visuals and
 * slicers that no longer fit are named and left out of the new revision; when nothing fits, the
 * plan stays as it was (its revisions keep reading the old file). A system message tells the
 * conversation which. Nothing is half-stored: one transaction, under the conversation's lock.
 */
export async function replaceFile(
  deps: AppDeps & { fileStore: FileStore },
  actor: Actor,
  log: Logger,
  conversationId: string,
  oldFileId: string,
  newFileId: string,
) {
  const { db } = deps.database;
  const orgId = actor.orgId;
  await loadConversation(db, orgId, conversationId);
  await settleConversation(deps, orgId, conversationId, log);
  const links = await conversationFilesOf(db, conversationId);
  const link = links.find((l) => l.file.id === oldFileId);
  if (!link) throw notFound("Attached file");
  if (links.some((l) => l.file.id === newFileId))
    throw unprocessable([
      { path: "body.fileId", message: "this file is already attached to the conversation" },
    ]);
  const [file] = await filesByIds(db, orgId, [newFileId]);
  if (!file) throw unprocessable([{ path: "body.fileId", message: "no such file in this organization" }]);
  const same = sameColumns(link.file.profile as ColumnProfile[], file.profile as ColumnProfile[]);
  const profile = await tableProfile(deps.fileStore, file, link.link.tableName);

  return db.transaction(async (tx) => {
    const c = await loadConversation(tx, orgId, conversationId, true);
    await assertNotBusy(tx, conversationId);
    const moved = await tx
      .update(conversationFiles)
      .set({ fileId: file.id })
      .where(and(eq(conversationFiles.conversationId, c.id), eq(conversationFiles.fileId, oldFileId)))
      .returning();
    if (moved.length !== 1)
      throw new DomainError("revision_conflict", "The conversation's files changed meanwhile; try again.");

    let revision: number | null = null;
    let unfit: UnfitVisual[] = [];
    let repairs: PlanNote[] = [];
    let note = "";
    const current = c.currentRevision === null ? null : await loadRevision(tx, c.id, c.currentRevision);
    if (current) {
      const tables: RevisionTable[] = (current.tables as RevisionTable[]).map((t) =>
        t.table === link.link.tableName
          ? {
              table: t.table,
              fileId: file.id,
              profile: { name: profile.name, rowCount: profile.rowCount, columns: profile.columns },
            }
          : t,
      );
      const profiles = tables.map((t) => (t.table === link.link.tableName ? profile : t.profile));
      const plan = current.plan as DashboardPlan;
      let next: DashboardPlan | null = null;
      if (same) {
        next = plan;
        note = `Data refreshed: ${link.link.tableName} now reads ${file.name}`;
      } else {
        const checked = checkPlan(plan, profiles);
        repairs = checked.repairs;
        if (checked.ok && checked.plan) next = checked.plan;
        else {
          unfit = unfitParts(plan, checked.issues);
          const gone = new Set(unfit.map((u) => u.visualId));
          const pruned = {
            ...plan,
            pages: plan.pages
              .map((p) => ({
                ...p,
                visuals: p.visuals.filter((v) => !gone.has(v.id)),
                slicers: p.slicers.filter((s) => !gone.has(s.id)),
              }))
              .filter((p) => p.visuals.length > 0),
          };
          const again = pruned.pages.length ? checkPlan(pruned, profiles) : null;
          if (again?.ok && again.plan) {
            next = again.plan;
            repairs = [...repairs, ...again.repairs];
          }
        }
        note = `Data refreshed with other columns: ${link.link.tableName} now reads ${file.name}; plan re-checked`;
      }
      if (next) {
        const [{ n } = { n: 0 }] = await tx
          .select({ n: sql<number>`coalesce(max(${planRevisions.revision}), 0)::int` })
          .from(planRevisions)
          .where(eq(planRevisions.conversationId, c.id));
        revision = n + 1;
        await tx.insert(planRevisions).values({
          orgId,
          conversationId: c.id,
          revision,
          baseRevision: current.revision,
          plan: next,
          tables,
          // The Power BI spec names tables and typed columns, not files: it holds while the plan and columns do.
          powerBiSpec: same ? current.powerBiSpec : powerBi.checkedPowerBiSpec(next, profiles).spec,
          diff: [],
          note: note.slice(0, 500),
          runId: null,
          createdBy: actor.userId,
        });
      }
    }
    const lines = [
      same
        ? `${file.name} replaces ${link.file.name} as "${link.link.tableName}": the same columns.`
        : `${file.name} replaces ${link.file.name} as "${link.link.tableName}", with other columns.`,
    ];
    if (current && revision !== null)
      lines.push(
        same
          ? `The dashboard now shows the new data (revision ${revision}, the same plan).`
          : `The plan was re-checked against the new columns (revision ${revision}).`,
      );
    if (repairs.length) lines.push(`Repaired: ${repairs.map((r) => r.message).join("; ")}`);
    if (unfit.length)
      lines.push(
        `No longer fit the data: ${unfit.map((u) => `"${u.title}" (${u.issues.map((i) => i.message).join("; ")})`).join(", ")}${revision === null ? "" : " — left out"}.`,
      );
    if (current && revision === null)
      lines.push(
        "Nothing of the current plan fits the new columns: it stays as it was; ask for a new dashboard.",
      );
    const seq = await nextSeq(tx, c.id);
    const [message] = await tx
      .insert(conversationMessages)
      .values({
        orgId,
        conversationId: c.id,
        seq,
        role: "system",
        content: lines.join("\n").slice(0, 20_000),
        fileIds: [file.id],
        ...(revision !== null ? { planRevision: revision } : {}),
        createdBy: actor.userId,
      })
      .returning();
    const now = new Date();
    await tx
      .update(conversations)
      .set({
        lastActivityAt: now,
        updatedAt: now,
        ...(revision !== null ? { currentRevision: revision } : {}),
      })
      .where(eq(conversations.id, c.id));
    return { sameColumns: same, revision, unfit, repairs, message: message! };
  });
}
