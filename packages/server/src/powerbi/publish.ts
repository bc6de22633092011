import {
  POWERBI_PUBLISH_MODEL,
  PowerBiPublishInput,
  type PowerBiPublishOutput,
} from "@modelworks/contracts/powerbi";
import { powerBi } from "@modelworks/engine-dashboard-planner";
import { and, desc, eq, gt, inArray, sql } from "drizzle-orm";
import type { Config } from "../config.ts";
import { filesByIds, loadConversation, loadRevision, type RevisionTable } from "../conversations/store.ts";
import type { Db } from "../db/client.ts";
import { runs } from "../db/schema.ts";
import type { Actor, Logger } from "../domain/actor.ts";
import { DomainError, unprocessable } from "../errors/domain-error.ts";
import { readRows } from "../files/duck.ts";
import type { FileStore } from "../files/store.ts";
import type { Keyring } from "../llm/crypto.ts";
import type { PlatformTask } from "../runs/runner.ts";
import { PowerBiClient, type PowerBiEndpoints } from "./client.ts";
import { succeededPublishesOf } from "./publishes.ts";
import { connectionCredentials, findConnection } from "./store.ts";

/**
 * Publish runs (issue 16 item 5d): a plan revision's semantic model becomes a Power BI push
 * dataset, and its tables' rows are posted in batches of at most 10,000 (the service's limit per
 * request). They are runs — queued, leased, with progress and cancel — whose work is the
 * platform's own I/O, so the run worker executes them in process as a platform task (like
 * scoring runs). Progress: analyzing 10 → processing 30 (dataset created) → building 50…90 (one
 * step per batch) → finalizing 90 → done 100. A run that fails or is canceled after the dataset
 * was created deletes it again, so no half-filled dataset is left in the workspace.
 */

/** Rows added per hour per dataset (published limit): a publish that needs more is refused up front. */
const MAX_ROWS = powerBi.PUSH_LIMITS.rowsPerHour;

/** What a push dataset cannot carry: said in every output, so nobody looks for it in the service. */
const NOT_PUBLISHED = [
  "report pages and visuals (push datasets carry no report; the Imports API takes .pbix files, not a .pbip project — download the .pbip and publish it from Power BI Desktop)",
  "Power Query partitions and the data folder parameter (push tables hold the posted rows instead)",
];

export function endpointsOf(config: Config): PowerBiEndpoints {
  return {
    authorityHost: config.POWERBI_AUTHORITY_HOST,
    apiBase: config.POWERBI_API_BASE,
    maxRetryAfterSeconds: config.POWERBI_MAX_RETRY_AFTER_SECONDS,
  };
}

/** The revision's spec as a push dataset, or a field-level refusal. */
function definitionOf(spec: powerBi.PowerBiProjectSpec, tables: RevisionTable[]) {
  const made = powerBi.pushDataset(spec);
  if (!made.ok)
    throw new DomainError(
      "powerbi_model_unsupported",
      `The dashboard's model does not fit a Power BI push dataset: ${made.issues.map((i) => `${i.path}: ${i.message}`).join("; ")}.`,
      made.issues,
    );
  const total = tables.reduce((n, t) => n + t.profile.rowCount, 0);
  if (total > MAX_ROWS)
    throw new DomainError(
      "powerbi_model_unsupported",
      `The tables hold ${total.toLocaleString("en-US")} rows; Power BI accepts at most ${MAX_ROWS.toLocaleString("en-US")} rows per hour into a push dataset.`,
      [{ path: "tables", message: `at most ${MAX_ROWS} rows in all` }],
    );
  return made.dataset;
}

/**
 * The dataset definition an earlier publish of this conversation left in `datasetId`: the schema
 * of its latest succeeded publish (created or refreshed) there, rebuilt from that run's revision.
 * Null when no publish of this conversation made it (a dataset of another dashboard, or an id
 * from elsewhere, is never overwritten).
 */
async function publishedDefinition(
  db: Db,
  orgId: string,
  conversationId: string,
  datasetId: string,
): Promise<{ definition: powerBi.PushDataset; uncertain: boolean } | null> {
  const [last] = await db
    .select({ input: runs.input, finishedAt: runs.finishedAt })
    .from(runs)
    .where(and(succeededPublishesOf(orgId, conversationId), sql`${runs.output}->>'datasetId' = ${datasetId}`))
    .orderBy(desc(runs.finishedAt))
    .limit(1);
  if (!last) return null;
  const input = PowerBiPublishInput.parse(last.input);
  const rev = await loadRevision(db, conversationId, input.revision);
  const made = powerBi.pushDataset(powerBi.PowerBiProjectSpec.parse(rev.powerBiSpec));
  if (!made.ok) return null;
  // A refresh that failed or was canceled since may have replaced some schemas already: then
  // which schema each table has is not known, and every table is given the new one.
  const [broken] = await db
    .select({ id: runs.id })
    .from(runs)
    .where(
      and(
        eq(runs.orgId, orgId),
        eq(runs.modelId, POWERBI_PUBLISH_MODEL.id),
        inArray(runs.status, ["failed", "canceled"]),
        sql`${runs.input}->>'datasetId' = ${datasetId}`,
        last.finishedAt ? gt(runs.finishedAt, last.finishedAt) : sql`true`,
      ),
    )
    .limit(1);
  return { definition: made.dataset, uncertain: !!broken };
}

const schemaOf = (t: powerBi.PushTable) => JSON.stringify([t.columns, t.measures ?? []]);
const relationshipsOf = (d: powerBi.PushDataset) =>
  JSON.stringify(
    (d.relationships ?? []).map((r) => [r.fromTable, r.fromColumn, r.toTable, r.toColumn]).sort(),
  );

/**
 * What a refresh of `before` into `after` must do: the tables whose columns or measures changed
 * (PutTableInGroup replaces those), or why it cannot be done in place — push datasets have no
 * documented call to add or remove a table or change relationships, so those need a new dataset.
 */
export function refreshPlan(
  before: powerBi.PushDataset,
  after: powerBi.PushDataset,
): { ok: true; changedTables: string[] } | { ok: false; reason: string } {
  const names = (d: powerBi.PushDataset) => d.tables.map((t) => t.name).sort();
  if (JSON.stringify(names(before)) !== JSON.stringify(names(after)))
    return {
      ok: false,
      reason: `the dashboard's tables (${names(after).join(", ")}) are not the dataset's (${names(before).join(", ")}); publish it as a new dataset`,
    };
  if (relationshipsOf(before) !== relationshipsOf(after))
    return {
      ok: false,
      reason:
        "the dashboard's relationships changed, which a push dataset cannot take in place; publish it as a new dataset",
    };
  return {
    ok: true,
    changedTables: after.tables
      .filter((t) => schemaOf(t) !== schemaOf(before.tables.find((b) => b.name === t.name)!))
      .map((t) => t.name),
  };
}

/** The refresh a publish into an existing dataset will make, or a 422 at `body.datasetId`. */
async function checkedRefresh(
  db: Db,
  orgId: string,
  conversationId: string,
  datasetId: string,
  definition: powerBi.PushDataset,
) {
  const before = await publishedDefinition(db, orgId, conversationId, datasetId);
  if (!before)
    throw unprocessable(
      [{ path: "body.datasetId", message: "not a dataset a succeeded publish of this dashboard created" }],
      "Only a dataset this dashboard published can be refreshed.",
    );
  const plan = refreshPlan(before.definition, definition);
  if (!plan.ok)
    throw unprocessable(
      [{ path: "body.datasetId", message: plan.reason }],
      `This dataset cannot be refreshed in place: ${plan.reason}.`,
    );
  return before.uncertain ? { ok: true as const, changedTables: definition.tables.map((t) => t.name) } : plan;
}

/** Queues a publish run after checking the revision exists, fits a push dataset, and a connection is set. */
export async function createPublishRun(
  db: Db,
  actor: Actor,
  config: Config,
  conversationId: string,
  revision: number,
  datasetId?: string,
) {
  const c = await loadConversation(db, actor.orgId, conversationId);
  const rev = await loadRevision(db, c.id, revision);
  const definition = definitionOf(
    powerBi.PowerBiProjectSpec.parse(rev.powerBiSpec),
    rev.tables as RevisionTable[],
  );
  if (datasetId !== undefined) await checkedRefresh(db, actor.orgId, c.id, datasetId, definition);
  if (!(await findConnection(db, actor.orgId)))
    throw new DomainError(
      "powerbi_not_connected",
      "This organization has no Power BI connection; an admin sets one under Organization → Power BI.",
    );
  const input: PowerBiPublishInput = {
    conversationId: c.id,
    revision,
    ...(datasetId !== undefined ? { datasetId } : {}),
  };
  const [row] = await db
    .insert(runs)
    .values({
      orgId: actor.orgId,
      modelId: POWERBI_PUBLISH_MODEL.id,
      modelVersion: POWERBI_PUBLISH_MODEL.version,
      input,
      inputHash: `${c.id}:${revision}${datasetId !== undefined ? `:${datasetId}` : ""}`,
      createdBy: actor.userId,
      createdByApiKey: actor.keyId ?? null,
      timeoutMs: config.RUN_TIMEOUT_SECONDS * 1000,
      // A retry would create a second dataset; a failed publish is started again by a person.
      maxAttempts: 1,
    })
    .returning();
  return row!;
}

export function publishTask(deps: {
  db: Db;
  store: FileStore;
  config: Config;
  keyring: () => Keyring | null;
  log: Logger;
}): PlatformTask {
  return {
    async run(run, ctx) {
      ctx.progress(0.1, "analyzing: reading the plan revision and the connection");
      const input = PowerBiPublishInput.parse(run.input);
      const conversation = await loadConversation(deps.db, run.orgId, input.conversationId);
      const rev = await loadRevision(deps.db, conversation.id, input.revision);
      const spec = powerBi.PowerBiProjectSpec.parse(rev.powerBiSpec);
      const tables = rev.tables as RevisionTable[];
      const definition = definitionOf(spec, tables);
      const { creds } = await connectionCredentials(deps.db, run.orgId, deps.keyring());
      const stored = await filesByIds(
        deps.db,
        run.orgId,
        tables.map((t) => t.fileId).filter((id) => id !== ""),
      );
      const sources = spec.tables.map((table, i) => {
        const file = tables[i] && stored.find((f) => f.id === tables[i]!.fileId);
        if (!file)
          throw new DomainError(
            "gone",
            `The file behind table "${table.name}" is no longer stored (deleted, or past the retention period).`,
          );
        return { table, file };
      });
      const totalRows = Math.max(
        1,
        sources.reduce((n, s) => n + s.file.rowCount, 0),
      );

      const client = new PowerBiClient(creds, endpointsOf(deps.config), ctx.signal);
      // A refresh: checked again (another publish may have changed the dataset since it was queued).
      const refresh =
        input.datasetId === undefined
          ? null
          : await checkedRefresh(deps.db, run.orgId, conversation.id, input.datasetId, definition);
      let dataset: { id: string; name: string };
      if (input.datasetId !== undefined && refresh) {
        ctx.progress(0.3, "processing: replacing the dataset's rows and changed table schemas");
        dataset = await client.getDataset(input.datasetId); // a 404 if it was deleted in the service
        for (const table of definition.tables) {
          // Rows first, so a new schema never meets the old rows; then the schema (PutTableInGroup).
          await client.deleteRows(dataset.id, table.name);
          if (refresh.changedTables.includes(table.name)) await client.putTable(dataset.id, table);
        }
      } else {
        ctx.progress(0.3, "processing: creating the push dataset");
        dataset = await client.createPushDataset(definition);
      }
      try {
        ctx.progress(0.5, "building: posting rows");
        const perTable: PowerBiPublishOutput["tables"] = [];
        const postTimes: number[] = [];
        let posted = 0;
        for (const { table, file } of sources) {
          const path = await deps.store.localPath(file.dataKey);
          let batches = 0;
          let tableRows = 0;
          for (let offset = 0; offset < file.rowCount; offset += powerBi.PUSH_LIMITS.rowsPerPost) {
            if (ctx.signal.aborted) throw ctx.signal.reason ?? new Error("canceled");
            const rows = await readRows(path, offset, powerBi.PUSH_LIMITS.rowsPerPost);
            if (rows.length === 0) break;
            await paceRowPosts(postTimes, ctx.signal);
            await client.postRows(
              dataset.id,
              table.name,
              rows.map((r) => powerBi.pushRow(table, r)),
            );
            batches++;
            tableRows += rows.length;
            posted += rows.length;
            ctx.progress(
              0.5 + (0.4 * posted) / totalRows,
              `building: ${posted.toLocaleString("en-US")} of ${totalRows.toLocaleString("en-US")} rows posted`,
            );
          }
          perTable.push({ name: table.name, rows: tableRows, batches });
        }
        ctx.progress(0.9, "finalizing: reading the dataset back");
        const read = await client.getDataset(dataset.id);
        const output: PowerBiPublishOutput = {
          datasetId: dataset.id,
          datasetName: read.name ?? dataset.name,
          groupId: creds.groupId,
          // Only the link the service gave: none is made up from ids.
          webUrl: typeof read.webUrl === "string" && /^https?:\/\//.test(read.webUrl) ? read.webUrl : null,
          tables: perTable,
          ...(refresh ? { refreshed: true, schemaUpdated: refresh.changedTables } : {}),
          throttledRetries: client.throttledRetries,
          notPublished: NOT_PUBLISHED,
        };
        return output;
      } catch (err) {
        // A refreshed dataset was there before this run: it stays (its rows are posted again by the
        // next publish), and the run's error says how far it got.
        if (refresh) throw err;
        // Canceled or failed half-way: take the half-filled dataset away again (best effort, unaborted).
        await new PowerBiClient(creds, endpointsOf(deps.config))
          .deleteDataset(dataset.id)
          .catch((e: Error) =>
            deps.log.warn(
              { runId: run.id, err: e.message },
              "could not delete a half-published Power BI dataset",
            ),
          );
        throw err;
      }
    },
  };
}

/** At most 120 POST rows requests per minute per dataset (published limit): wait when the window is full. */
async function paceRowPosts(times: number[], signal: AbortSignal): Promise<void> {
  const limit = powerBi.PUSH_LIMITS.postsPerMinute;
  const now = Date.now();
  while (times.length > 0 && now - times[0]! >= 60_000) times.shift();
  if (times.length >= limit) {
    const waitMs = 60_000 - (now - times[0]!);
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(resolve, waitMs);
      signal.addEventListener(
        "abort",
        () => {
          clearTimeout(timer);
          reject(signal.reason ?? new Error("canceled"));
        },
        { once: true },
      );
    });
    times.shift();
  }
  times.push(Date.now());
}
