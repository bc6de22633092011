import {
  POWERBI_PUBLISH_MODEL,
  PowerBiPublishInput,
  type PowerBiPublishOutput,
} from "@modelworks/contracts/powerbi";
import { powerBi } from "@modelworks/engine-dashboard-planner";
import type { Config } from "../config.ts";
import { filesByIds, loadConversation, loadRevision, type RevisionTable } from "../conversations/store.ts";
import type { Db } from "../db/client.ts";
import { runs } from "../db/schema.ts";
import type { Actor, Logger } from "../domain/actor.ts";
import { DomainError } from "../errors/domain-error.ts";
import { readRows } from "../files/duck.ts";
import type { FileStore } from "../files/store.ts";
import type { Keyring } from "../llm/crypto.ts";
import type { PlatformTask } from "../runs/runner.ts";
import { PowerBiClient, type PowerBiEndpoints } from "./client.ts";
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

/** Queues a publish run after checking the revision exists, fits a push dataset, and a connection is set. */
export async function createPublishRun(
  db: Db,
  actor: Actor,
  config: Config,
  conversationId: string,
  revision: number,
) {
  const c = await loadConversation(db, actor.orgId, conversationId);
  const rev = await loadRevision(db, c.id, revision);
  definitionOf(powerBi.PowerBiProjectSpec.parse(rev.powerBiSpec), rev.tables as RevisionTable[]);
  if (!(await findConnection(db, actor.orgId)))
    throw new DomainError(
      "powerbi_not_connected",
      "This organization has no Power BI connection; an admin sets one under Organization → Power BI.",
    );
  const input: PowerBiPublishInput = { conversationId: c.id, revision };
  const [row] = await db
    .insert(runs)
    .values({
      orgId: actor.orgId,
      modelId: POWERBI_PUBLISH_MODEL.id,
      modelVersion: POWERBI_PUBLISH_MODEL.version,
      input,
      inputHash: `${c.id}:${revision}`,
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
      ctx.progress(0.3, "processing: creating the push dataset");
      const dataset = await client.createPushDataset(definition);
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
          throttledRetries: client.throttledRetries,
          notPublished: NOT_PUBLISHED,
        };
        return output;
      } catch (err) {
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
