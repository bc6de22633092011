import { CONVERSATION_MAX_FILES } from "@modelworks/contracts/conversations";
import type { DashboardPlannerOutput, TableProfile } from "@modelworks/engine-dashboard-planner";
import type { AnyModel } from "@modelworks/model-kit";
import { and, eq, sql } from "drizzle-orm";
import { conversationFiles, conversationMessages, conversations, planRevisions, runs } from "../db/schema.ts";
import type { AppDeps } from "../deps.ts";
import type { Actor, Logger } from "../domain/actor.ts";
import { DomainError, unprocessable } from "../errors/domain-error.ts";
import { diffJson } from "../runs/json-diff.ts";
import { createRun, TERMINAL, validateInput, wakeWorkers } from "../runs/service.ts";
import { withRunBudget } from "../runs/with-budget.ts";
import {
  assertNotBusy,
  conversationFilesOf,
  filesByIds,
  loadConversation,
  loadRevision,
  type MessageRow,
  messagesOf,
  nextSeq,
  type RevisionTable,
} from "./store.ts";
import { tableNameFor, tableProfile } from "./tables.ts";

export interface NewMessage {
  content: string;
  fileIds: string[];
  visualId?: string | undefined;
  planner: "auto" | "built-in";
}

/** How long the accepting instance follows a run to settle its reply. */
const FOLLOW_MS = 30 * 60_000;
/** The planner's bounds on history (engine `DashboardPlannerInput.conversation`). */
const HISTORY_MAX = 200;
const HISTORY_CHARS = 20_000;

/**
 * A user message: attaches its files (at most 10 per conversation), stores it, and starts a
 * dashboard-planner run with the whole history and every attached file's profile. With no plan
 * yet, or with new files, the run plans from the message; otherwise it edits the current plan by
 * it. The reply is stored `pending` with the run, in the same transaction: either everything is
 * stored or nothing is. Field errors (422) name `body.fileIds.<i>`, `body.content` or the run
 * input's own paths.
 */
export async function postMessage(
  deps: AppDeps & { fileStore: import("../files/store.ts").FileStore },
  model: AnyModel,
  actor: Actor,
  log: Logger,
  conversationId: string,
  m: NewMessage,
) {
  const { db } = deps.database;
  const orgId = actor.orgId;
  let conversation = await loadConversation(db, orgId, conversationId);
  // A reply whose run ended while no one followed it (a restart) is settled first, not "busy".
  await settleConversation(deps, orgId, conversationId, log);
  conversation = await loadConversation(db, orgId, conversationId);
  await assertNotBusy(db, conversationId);

  const requested = [...new Set(m.fileIds)];
  const found = await filesByIds(db, orgId, requested);
  const missing = m.fileIds.map((id, i) => ({ id, i })).filter(({ id }) => !found.some((f) => f.id === id));
  if (missing.length)
    throw unprocessable(
      missing.map(({ i }) => ({ path: `body.fileIds.${i}`, message: "no such file in this organization" })),
    );
  const linked = await conversationFilesOf(db, conversationId);
  const fresh = found.filter((f) => !linked.some((l) => l.file.id === f.id));
  if (linked.length + fresh.length > CONVERSATION_MAX_FILES)
    throw new DomainError(
      "conversation_file_limit",
      `A conversation reads at most ${CONVERSATION_MAX_FILES} files; it has ${linked.length} and this message adds ${fresh.length}.`,
      [{ path: "body.fileIds", message: `at most ${CONVERSATION_MAX_FILES - linked.length} more files` }],
    );
  if (linked.length + fresh.length === 0)
    throw unprocessable(
      [{ path: "body.fileIds", message: "the conversation has no files yet: attach at least one" }],
      "A dashboard is planned from data: attach a file to the first message.",
    );

  const taken = new Set(linked.map((l) => l.link.tableName.toLowerCase()));
  const freshNames = fresh.map((f) => {
    const name = tableNameFor(f.name, taken);
    taken.add(name.toLowerCase());
    return { file: f, name };
  });
  const all = [...linked.map((l) => ({ file: l.file, name: l.link.tableName })), ...freshNames];
  const tables: TableProfile[] = [];
  for (const t of all) tables.push(await tableProfile(deps.fileStore, t.file, t.name));

  const history = (await messagesOf(db, conversationId))
    .filter((x) => x.status === "done")
    .slice(-HISTORY_MAX)
    .map((x) => ({ role: x.role, content: x.content.slice(0, HISTORY_CHARS) }));
  const current =
    conversation.currentRevision === null
      ? null
      : await loadRevision(db, conversationId, conversation.currentRevision);
  const edit = current !== null && fresh.length === 0;
  const raw = {
    tables,
    conversation: history,
    planner: m.planner,
    ...(edit
      ? {
          plan: current.plan,
          instruction: m.content,
          ...(m.visualId ? { visualId: m.visualId } : {}),
        }
      : { goal: m.content }),
  };
  const input = validateInput(model, raw, "input");

  const run = await withRunBudget(deps, actor, log, model, 1, () =>
    db.transaction(async (tx) => {
      // The lock serializes posts to one conversation: the file limit and "one reply at a time" hold.
      const locked = await loadConversation(tx, orgId, conversationId, true);
      await assertNotBusy(tx, conversationId);
      if (locked.currentRevision !== conversation.currentRevision)
        throw new DomainError("revision_conflict", "The plan changed meanwhile; send the message again.");
      const [{ n } = { n: 0 }] = await tx
        .select({ n: sql<number>`count(*)::int` })
        .from(conversationFiles)
        .where(eq(conversationFiles.conversationId, conversationId));
      if (n !== linked.length)
        throw new DomainError("revision_conflict", "Files were attached meanwhile; send the message again.");
      if (freshNames.length)
        await tx
          .insert(conversationFiles)
          .values(freshNames.map((f) => ({ orgId, conversationId, fileId: f.file.id, tableName: f.name })));
      const seq = await nextSeq(tx, conversationId);
      const [userMessage] = await tx
        .insert(conversationMessages)
        .values({
          orgId,
          conversationId,
          seq,
          role: "user",
          content: m.content,
          fileIds: requested,
          createdBy: actor.userId,
        })
        .returning();
      const created = await createRun(deps, tx, actor, log, {
        model,
        input,
        projectId: conversation.projectId,
        useCache: true,
      });
      const [reply] = await tx
        .insert(conversationMessages)
        .values({
          orgId,
          conversationId,
          seq: seq + 1,
          role: "assistant",
          content: "",
          status: "pending",
          runId: created.id,
          createdBy: actor.userId,
        })
        .returning();
      const now = new Date();
      await tx
        .update(conversations)
        .set({ lastActivityAt: now, updatedAt: now })
        .where(eq(conversations.id, conversationId));
      return { run: created, message: userMessage!, reply: reply! };
    }),
  );
  if (run.run.status === "queued") await wakeWorkers(deps);
  else await settleConversation(deps, orgId, conversationId, log); // a cache hit is final at once
  return run;
}

/** Words for a finished planner run: what the reply says. */
function replyText(out: DashboardPlannerOutput): string {
  const plan = out.plan;
  const visuals = plan.pages.reduce((n, p) => n + p.visuals.length, 0);
  const by =
    out.generatedBy === "built-in"
      ? "the built-in rules"
      : `${out.generatedBy.provider} ${out.generatedBy.model}`;
  const lines: string[] = [];
  if (out.mode === "edit") {
    lines.push(
      out.applied
        ? `Done: ${out.understood.join("; ") || "the plan was changed"} (${out.diff.length} value${out.diff.length === 1 ? "" : "s"} changed).`
        : `I could not apply that${out.issues.length ? `: ${out.issues.map((i) => i.message).join("; ")}` : "."} The dashboard is unchanged.`,
    );
  } else {
    lines.push(
      `"${plan.title}": ${visuals} visual${visuals === 1 ? "" : "s"} on ${plan.pages.length} page${plan.pages.length === 1 ? "" : "s"}, planned by ${by}.`,
    );
    if (plan.description) lines.push(plan.description);
  }
  if (out.fallback) lines.push(`Fallback: ${out.fallback.reason}`);
  if (out.repairs.length) lines.push(`Repaired: ${out.repairs.map((r) => r.message).join("; ")}`);
  return lines.join("\n").slice(0, 20_000);
}

/**
 * Stores the replies of the conversation's finished runs: the assistant's text and, when the run
 * produced a (changed) plan, the next plan revision, made current. Idempotent and safe to race:
 * each pending reply is settled under a row lock exactly once, by whichever instance gets there
 * first — the one following the run, or the next read after a restart.
 */
export async function settleConversation(
  deps: AppDeps,
  orgId: string,
  conversationId: string,
  log: Logger,
): Promise<void> {
  const { db } = deps.database;
  const pending = await db
    .select({ id: conversationMessages.id, status: runs.status })
    .from(conversationMessages)
    .innerJoin(runs, eq(runs.id, conversationMessages.runId))
    .where(
      and(
        eq(conversationMessages.orgId, orgId),
        eq(conversationMessages.conversationId, conversationId),
        eq(conversationMessages.status, "pending"),
      ),
    );
  for (const p of pending.filter((x) => TERMINAL.has(x.status))) {
    await db
      .transaction(async (tx) => {
        const c = await loadConversation(tx, orgId, conversationId, true);
        const [msg] = await tx
          .select()
          .from(conversationMessages)
          .where(and(eq(conversationMessages.id, p.id), eq(conversationMessages.status, "pending")));
        if (!msg?.runId) return;
        const [run] = await tx.select().from(runs).where(eq(runs.id, msg.runId));
        if (!run || !TERMINAL.has(run.status)) return;
        await settleOne(tx, c, msg, run);
      })
      .catch((err) => log.error({ err, conversationId }, "settling a conversation reply failed"));
  }
  // A reply whose run was deleted can never settle: say so rather than wait forever.
  await db
    .update(conversationMessages)
    .set({ status: "failed", content: "The planning run was deleted before it finished." })
    .where(
      and(
        eq(conversationMessages.conversationId, conversationId),
        eq(conversationMessages.status, "pending"),
        sql`${conversationMessages.runId} is null`,
      ),
    );
}

async function settleOne(
  tx: import("../db/client.ts").Db,
  c: typeof conversations.$inferSelect,
  msg: MessageRow,
  run: typeof runs.$inferSelect,
) {
  const now = new Date();
  if (run.status !== "succeeded") {
    const why =
      run.status === "canceled" ? "was canceled" : `failed: ${run.error?.message ?? "unknown error"}`;
    await tx
      .update(conversationMessages)
      .set({ status: "failed", content: `The planning run ${why} The dashboard is unchanged; try again.` })
      .where(eq(conversationMessages.id, msg.id));
    await tx.update(conversations).set({ lastActivityAt: now }).where(eq(conversations.id, c.id));
    return;
  }
  const out = run.output as DashboardPlannerOutput;
  const input = run.input as { tables: TableProfile[]; plan?: unknown };
  let planRevision: number | null = null;
  const base = c.currentRevision === null ? null : await loadRevision(tx, c.id, c.currentRevision);
  const diff =
    out.mode === "edit"
      ? out.diff
      : base
        ? diffJson(base.plan, out.plan).map((d) => ({
            path: d.path,
            from: d.before ?? null,
            to: d.after ?? null,
          }))
        : [];
  // An edit that was not understood leaves the plan as it was: a reply, but no revision.
  if (out.mode !== "edit" || out.applied) {
    const links = await tx.select().from(conversationFiles).where(eq(conversationFiles.conversationId, c.id));
    const tables: RevisionTable[] = input.tables.map((t) => ({
      table: t.name,
      fileId: links.find((l) => l.tableName === t.name)?.fileId ?? "",
      profile: { name: t.name, rowCount: t.rowCount, columns: t.columns },
    }));
    const [{ n } = { n: 0 }] = await tx
      .select({ n: sql<number>`coalesce(max(${planRevisions.revision}), 0)::int` })
      .from(planRevisions)
      .where(eq(planRevisions.conversationId, c.id));
    planRevision = n + 1;
    await tx.insert(planRevisions).values({
      orgId: c.orgId,
      conversationId: c.id,
      revision: planRevision,
      baseRevision: base?.revision ?? null,
      plan: out.plan,
      tables,
      powerBiSpec: out.powerBi.spec,
      diff,
      note:
        out.mode === "edit"
          ? out.understood.join("; ").slice(0, 500)
          : `Planned: ${out.plan.title}`.slice(0, 500),
      runId: run.id,
      createdBy: msg.createdBy,
    });
  }
  await tx
    .update(conversationMessages)
    // The model's streamed reply is stored as it was streamed; otherwise the outcome in words.
    .set({ status: "done", content: out.reply ?? replyText(out), planRevision })
    .where(eq(conversationMessages.id, msg.id));
  await tx
    .update(conversations)
    .set({ lastActivityAt: now, ...(planRevision !== null ? { currentRevision: planRevision } : {}) })
    .where(eq(conversations.id, c.id));
}

/**
 * Follows a run in this process and settles its conversation when it ends — so the reply is stored
 * when the run finishes, not when someone next looks. Reads settle too (after a restart).
 */
export async function settleWhenFinished(
  deps: AppDeps,
  orgId: string,
  conversationId: string,
  runId: string,
  log: Logger,
): Promise<void> {
  let unsubscribe: (() => void) | null = null;
  let done = false;
  // A run that never ends here (its worker elsewhere, a long queue) is settled by the next read;
  // the subscription is not kept forever.
  const giveUp = setTimeout(() => {
    done = true;
    unsubscribe?.();
  }, FOLLOW_MS);
  giveUp.unref();
  const finish = () => {
    if (done) return;
    done = true;
    clearTimeout(giveUp);
    unsubscribe?.();
    void settleConversation(deps, orgId, conversationId, log);
  };
  unsubscribe = await deps.bus.subscribe(runId, (e) => {
    if (TERMINAL.has(e.status)) finish();
  });
  if (done) {
    unsubscribe();
    return;
  }
  // It may have finished before the subscription: then no event will come.
  const [row] = await deps.database.db.select({ status: runs.status }).from(runs).where(eq(runs.id, runId));
  if (!row || TERMINAL.has(row.status)) finish();
}

/** Undo: the revision the current one was made from becomes current again (409 when there is none). */
export async function undoPlan(deps: AppDeps, orgId: string, conversationId: string, log: Logger) {
  const { db } = deps.database;
  await loadConversation(db, orgId, conversationId);
  await settleConversation(deps, orgId, conversationId, log);
  return db.transaction(async (tx) => {
    const c = await loadConversation(tx, orgId, conversationId, true);
    await assertNotBusy(tx, conversationId);
    const current = c.currentRevision === null ? null : await loadRevision(tx, c.id, c.currentRevision);
    if (!current || current.baseRevision === null)
      throw new DomainError("nothing_to_undo", "There is no earlier plan revision to go back to.");
    const now = new Date();
    const [after] = await tx
      .update(conversations)
      .set({ currentRevision: current.baseRevision, updatedAt: now, lastActivityAt: now })
      .where(eq(conversations.id, c.id))
      .returning();
    return { conversation: after!, from: current.revision, to: current.baseRevision };
  });
}
