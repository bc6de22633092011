import multipart from "@fastify/multipart";
import { catalog } from "@modelworks/catalog";
import { IdParams, parseSort } from "@modelworks/contracts/common";
import {
  CreateRunBody,
  CreateRunQuery,
  ModelIdParams,
  RunDto,
  RunListQuery,
  RunOutputQuery,
  RunPage,
} from "@modelworks/contracts/runs";
import { findFormat } from "@modelworks/model-kit";
import { and, asc, count, desc, eq } from "drizzle-orm";
import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import { runs } from "../db/schema.ts";
import { firstOr404, inOrg } from "../db/scope.ts";
import { RUN_SUMMARY_COLUMNS, runDto, runSummaryDto } from "../dto/runs.ts";
import { DomainError, notFound, unprocessable } from "../errors/domain-error.ts";
import { orgOf } from "../http/access.ts";
import { actorOf } from "../http/actor.ts";
import { recordAudit } from "../http/audit.ts";
import { runBodyFromParts } from "../http/run-table-bodies.ts";
import { keepAlive } from "../http/sse.ts";
import { findModel } from "../models/find.ts";
import type { RunEvent } from "../runs/events.ts";
import {
  cancelRun,
  createRun,
  type RunRow,
  TERMINAL,
  validateInput,
  waitForRun,
  wakeWorkers,
} from "../runs/service.ts";
import { resolveRunSource } from "../runs/source.ts";
import { withRunBudget } from "../runs/with-budget.ts";

const tags = ["runs"];
// A list reads only what it shows: a run's input and output can be megabytes each (a 50k-row fit).
const summaryColumns = Object.fromEntries(RUN_SUMMARY_COLUMNS.map((c) => [c, runs[c]])) as {
  [K in (typeof RUN_SUMMARY_COLUMNS)[number]]: (typeof runs)[K];
};
// The event stream reads the state it sends, not the whole record.
const stateColumns = {
  id: runs.id,
  status: runs.status,
  progress: runs.progress,
  progressMessage: runs.progressMessage,
};

/**
 * A run's DTO as JSON text with its output spliced in as given: `runDto` ends with `output`, so
 * the DTO is serialized with a null output and the stored text takes that null's place.
 */
function withOutputJson(run: RunRow, outputJson: string): string {
  const text = JSON.stringify(runDto({ ...run, output: null }));
  const tail = ',"output":null}';
  if (!text.endsWith(tail)) throw new Error("runDto must end with its output");
  return `${text.slice(0, -tail.length)},"output":${outputJson}}`;
}

/** Runs: start (from input or a scenario), read, list, cancel, delete, and follow live. */
export async function runRoutes(app: FastifyInstance) {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const { db } = app.deps.database;
  // Event streams are long-lived: end them when the server closes, or a graceful shutdown
  // would wait on them until its timeout. Clients reconnect to another instance.
  const openStreams = new Set<() => void>();
  app.addHook("preClose", async () => {
    for (const end of openStreams) end();
  });

  await app.register(multipart);
  r.post(
    "/models/:id/runs",
    {
      config: { access: "runs:execute" },
      bodyLimit: app.deps.config.RUN_INPUT_LIMIT_BYTES,
      // A multipart request (tables as CSV / NDJSON files) becomes the JSON body it stands for
      // before validation, so both kinds go through the same schema and code below.
      preValidation: async (req) => {
        if (!req.isMultipart()) return;
        req.body = (await runBodyFromParts(
          req,
          (run) =>
            findModel(
              app,
              (req.params as { id: string }).id,
              typeof run.version === "string" ? run.version : undefined,
            ),
          { fileBytes: app.deps.config.RUN_INPUT_LIMIT_BYTES },
        )) as typeof req.body;
      },
      schema: {
        tags,
        summary: "Start a run of a model",
        description:
          "Validates the input (422 names each bad field), then returns the stored result at once on a cache hit, " +
          "the finished run if it completes within `wait` seconds (200), or 202 with Location to poll or follow " +
          "`/runs/{id}/events`. Input tables may also come as CSV or NDJSON files: send multipart/form-data with a " +
          "field `run` (this JSON body) and one file per table named by its field (`deals`); each file becomes that " +
          "field of `run.input`. Bodies and table files up to RUN_INPUT_LIMIT_BYTES (20 MiB by default).",
        consumes: ["application/json", "multipart/form-data"],
        params: ModelIdParams,
        querystring: CreateRunQuery,
        body: CreateRunBody,
        response: { 200: RunDto, 202: RunDto },
      },
    },
    async (req, reply) => {
      const orgId = orgOf(req).id;
      const { model, input, scenario, projectId, inputPath } = await resolveRunSource(
        app.deps,
        orgId,
        { ...req.body, modelId: req.params.id },
        app.fileStore,
      );
      // Validated before the budget is charged: a refused input must not use up the allowance.
      const validInput = validateInput(model, input, inputPath);
      const run = await withRunBudget(app.deps, actorOf(req), req.log, model, 1, () =>
        createRun(app.deps, db, actorOf(req), req.log, {
          model,
          input: validInput,
          projectId,
          scenarioId: scenario?.id ?? null,
          scenarioRevision: scenario?.revision ?? null,
          useCache: req.query.cache,
          // Waiting for the result: a short run may execute at once (docs/decisions/0051).
          runNow: req.query.wait > 0,
        }),
      );
      reply.header("location", `/api/v1/runs/${run.id}`);
      if (run.outputJson !== undefined) {
        // Stored by the fast path: the output goes out as the bytes stored, not re-serialized.
        return (
          reply
            .code(200)
            .type("application/json; charset=utf-8")
            // A string is sent as it is (Fastify skips the response schema's serializer for it);
            // its shape is RunDto's by construction.
            .send(withOutputJson(run, run.outputJson) as unknown as z.infer<typeof RunDto>)
        );
      }
      if (run.status === "queued") await wakeWorkers(app.deps);
      const latest = TERMINAL.has(run.status)
        ? run
        : await waitForRun(app.deps, orgId, run.id, req.query.wait);
      return reply.code(TERMINAL.has(latest.status) ? 200 : 202).send(runDto(latest));
    },
  );

  r.get(
    "/runs",
    {
      config: { access: "runs:read" },
      schema: {
        tags,
        summary: "List runs, newest first",
        querystring: RunListQuery,
        response: { 200: RunPage },
      },
    },
    async (req) => {
      const { limit, offset, sort, modelId, status, projectId, scenarioId, sweepId, createdBy } = req.query;
      const where = and(
        eq(runs.orgId, orgOf(req).id),
        modelId ? eq(runs.modelId, modelId) : undefined,
        status ? eq(runs.status, status) : undefined,
        projectId ? eq(runs.projectId, projectId) : undefined,
        scenarioId ? eq(runs.scenarioId, scenarioId) : undefined,
        sweepId ? eq(runs.sweepId, sweepId) : undefined,
        createdBy ? eq(runs.createdBy, createdBy) : undefined,
      );
      const { field, descending } = parseSort<"createdAt" | "finishedAt">(sort);
      const column = { createdAt: runs.createdAt, finishedAt: runs.finishedAt }[field];
      const [rows, [total]] = await Promise.all([
        db
          .select(summaryColumns)
          .from(runs)
          .where(where)
          .orderBy(descending ? desc(column) : asc(column), asc(runs.id))
          .limit(limit)
          .offset(offset),
        db.select({ n: count() }).from(runs).where(where),
      ]);
      return { items: rows.map(runSummaryDto), total: total?.n ?? 0, limit, offset };
    },
  );

  r.get(
    "/runs/:id",
    {
      config: { access: "runs:read" },
      schema: {
        tags,
        summary: "A run with its input and output",
        params: IdParams,
        response: { 200: RunDto },
      },
    },
    async (req) =>
      runDto(
        firstOr404(
          await db
            .select()
            .from(runs)
            .where(inOrg(runs, orgOf(req).id, req.params.id)),
          "Run",
        ),
      ),
  );

  r.get(
    "/runs/:id/output",
    {
      config: { access: "runs:read" },
      schema: {
        tags,
        summary: "A finished run's output, optionally written in another format of its model",
        description:
          "`?format=prototype` writes it as the original prototype did, to reconcile old numbers. " +
          "409 while the run has no output.",
        params: IdParams,
        querystring: RunOutputQuery,
        response: { 200: z.unknown() },
      },
    },
    async (req) => {
      const run = firstOr404(
        await db
          .select()
          .from(runs)
          .where(inOrg(runs, orgOf(req).id, req.params.id)),
        "Run",
      );
      if (run.status !== "succeeded")
        throw new DomainError("run_not_succeeded", `The run has no output: it is ${run.status}.`);
      if (!req.query.format) return run.output;
      const model = catalog.find(run.modelId, run.modelVersion);
      if (!model)
        throw new DomainError("model_not_hosted", `${run.modelId}@${run.modelVersion} is no longer hosted.`);
      const { format, missing } = findFormat(model, req.query.format);
      if (!format) throw unprocessable([{ path: "query.format", message: missing }]);
      return format.fromOutput(run.output, run.input);
    },
  );

  r.post(
    "/runs/:id/cancel",
    {
      config: { access: "runs:execute" },
      schema: {
        tags,
        summary: "Cancel a queued or running run (409 if it has finished)",
        params: IdParams,
        response: { 200: RunDto, 202: RunDto },
      },
    },
    async (req, reply) => {
      const orgId = orgOf(req).id;
      const run = await cancelRun(app.deps, orgId, req.params.id);
      if (!run) throw notFound("Run");
      await recordAudit(db, req, {
        action: "run.cancel_requested",
        orgId,
        targetType: "run",
        targetId: run.id,
      });
      return reply.code(run.status === "canceled" ? 200 : 202).send(runDto(run));
    },
  );

  r.delete(
    "/runs/:id",
    {
      config: { access: "runs:delete" },
      schema: {
        tags,
        summary: "Delete a finished run's record (admins)",
        params: IdParams,
        response: { 204: z.undefined() },
      },
    },
    async (req, reply) => {
      const orgId = orgOf(req).id;
      await db.transaction(async (tx) => {
        const run = firstOr404(
          await tx
            .select()
            .from(runs)
            .where(inOrg(runs, orgId, req.params.id))
            .for("update"),
          "Run",
        );
        if (!TERMINAL.has(run.status))
          throw new DomainError("run_not_finished", "The run has not finished; cancel it first.");
        await tx.delete(runs).where(eq(runs.id, run.id));
        if (run.status === "succeeded" && !run.cacheHit) {
          const key = {
            orgId,
            modelId: run.modelId,
            modelVersion: run.modelVersion,
            inputHash: run.inputHash,
            referenceDataKey: run.referenceDataKey,
          };
          await app.deps.cache.forget(key);
        }
        await recordAudit(tx, req, {
          action: "run.deleted",
          orgId,
          targetType: "run",
          targetId: run.id,
          metadata: { modelId: run.modelId, modelVersion: run.modelVersion, status: run.status },
        });
      });
      return reply.code(204).send();
    },
  );

  r.get(
    "/runs/:id/events",
    {
      config: { access: "runs:read" },
      schema: {
        tags,
        summary: "Follow a run live (Server-Sent Events)",
        description:
          "`event: progress` with `{status, progress, message}` while it runs (and `event: text` with `{text}`, a delta, " +
          "while a language model writes for it), then one `event: status` with the " +
          "final state, after which the stream ends. A finished run answers with its final status at once.",
        params: IdParams,
        produces: ["text/event-stream"],
      },
    },
    async (req, reply) => {
      const orgId = orgOf(req).id;
      const first = firstOr404(
        await db
          .select(stateColumns)
          .from(runs)
          .where(inOrg(runs, orgId, req.params.id)),
        "Run",
      );
      reply.hijack();
      const res = reply.raw;
      res.writeHead(200, {
        "content-type": "text/event-stream; charset=utf-8",
        "cache-control": "no-cache, no-transform",
        connection: "keep-alive",
        "x-accel-buffering": "no",
        "x-request-id": req.id,
      });
      const send = (event: "progress" | "status" | "text", data: RunEvent) =>
        res.write(`event: ${event}\nid: ${Date.now()}\ndata: ${JSON.stringify(data)}\n\n`);
      let closed = false;
      let unsubscribe: () => void = () => {};
      const stopKeepAlive = keepAlive(res);
      const end = () => {
        if (closed) return;
        closed = true;
        openStreams.delete(end);
        stopKeepAlive();
        unsubscribe();
        res.end();
      };
      req.raw.on("close", end);
      openStreams.add(end);
      // Subscribe before re-reading, so no event falls between the read and the subscription.
      unsubscribe = await app.deps.bus.subscribe(first.id, (e) => {
        if (closed) return;
        if (TERMINAL.has(e.status)) {
          send("status", e);
          end();
        } else send(e.text !== undefined ? "text" : "progress", e);
      });
      if (closed) return unsubscribe(); // the client or the server went away meanwhile
      const [now] = await db.select(stateColumns).from(runs).where(eq(runs.id, first.id));
      const state: RunEvent = {
        runId: first.id,
        status: now?.status ?? first.status,
        progress: now?.progress ?? first.progress,
        message: now?.progressMessage ?? null,
      };
      if (TERMINAL.has(state.status)) {
        send("status", state);
        end();
      } else send("progress", state);
    },
  );
}
