import { IdParams, parseSort } from "@modelworks/contracts/common";
import { ModelIdParams } from "@modelworks/contracts/runs";
import {
  CreateSweepBody,
  SWEEP_MAX_RUNS,
  SweepDto,
  SweepListQuery,
  SweepPage,
  SweepQuery,
  SweepSummaryDto,
} from "@modelworks/contracts/sweeps";
import type { AnyModel } from "@modelworks/model-kit";
import { and, asc, count, desc, eq, inArray } from "drizzle-orm";
import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import { runs, sweeps } from "../db/schema.ts";
import { firstOr404, inOrg } from "../db/scope.ts";
import { DomainError, unprocessable } from "../errors/domain-error.ts";
import { orgOf } from "../http/access.ts";
import { actorOf } from "../http/actor.ts";
import { recordAudit } from "../http/audit.ts";
import { cancelRun, createRun, referenceDataFor, validateInput, wakeWorkers } from "../runs/service.ts";
import { resolveRunSource } from "../runs/source.ts";
import {
  countStatuses,
  describePoint,
  expandGrid,
  expandValues,
  gridSize,
  numberAt,
  numericOutputPath,
  pathProblem,
  pointInput,
  type SweepCounts,
  type SweepParameter,
  sensitivityTable,
  sweepStatus,
  topLevelNumericFields,
} from "../runs/sweep.ts";
import { withRunBudget } from "../runs/with-budget.ts";

const tags = ["sweeps"];
type SweepRow = typeof sweeps.$inferSelect;

const CreateSweepQuery = z
  .object({
    cache: z
      .enum(["true", "false"], { message: "must be true or false" })
      .default("true")
      .transform((v) => v === "true")
      .describe("false: compute every point even if an identical run exists"),
  })
  .strict();

function summaryDto(s: SweepRow, counts: SweepCounts) {
  return {
    id: s.id,
    modelId: s.modelId,
    modelVersion: s.modelVersion,
    projectId: s.projectId,
    parameters: s.parameters as SweepParameter[],
    outputs: s.outputs,
    status: sweepStatus(counts),
    counts,
    createdBy: s.createdBy,
    createdAt: s.createdAt.toISOString(),
  };
}

const outputSchemaOf = (model: AnyModel) =>
  z.toJSONSchema(model.output, { io: "output", unrepresentable: "any" }) as Record<string, unknown>;

/**
 * What-if sweeps: one input field (or a grid of two) run across values as a batch of ordinary
 * runs, read back as points and a sensitivity table. Helpers: ../runs/sweep.ts.
 */
export async function sweepRoutes(app: FastifyInstance) {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const { db } = app.deps.database;

  /** Counts by status of each sweep's runs. */
  async function countsOf(rows: SweepRow[]): Promise<Map<string, SweepCounts>> {
    const ids = rows.map((s) => s.id);
    const found = ids.length
      ? await db
          .select({ sweepId: runs.sweepId, status: runs.status, n: count() })
          .from(runs)
          .where(and(eq(runs.orgId, rows[0]!.orgId), inArray(runs.sweepId, ids)))
          .groupBy(runs.sweepId, runs.status)
      : [];
    return new Map(
      rows.map((s) => [
        s.id,
        countStatuses(
          s.runIds.length,
          found.filter((f) => f.sweepId === s.id).map((f) => [f.status, f.n] as [string, number]),
        ),
      ]),
    );
  }

  r.post(
    "/models/:id/sweeps",
    {
      config: { access: "runs:execute" },
      schema: {
        tags,
        summary: "Start a what-if sweep of a model",
        description:
          "Varies one input field (or a grid of two) of a base input across values and starts a run for each " +
          `point (at most ${SWEEP_MAX_RUNS}). Every point is validated first: if any fails, 422 names the point ` +
          "and field and nothing is started. Points identical to an earlier run are served from the result " +
          "cache. Answers 202 with Location of the sweep to poll.",
        params: ModelIdParams,
        querystring: CreateSweepQuery,
        body: CreateSweepBody,
        response: { 202: SweepSummaryDto },
      },
    },
    async (req, reply) => {
      const orgId = orgOf(req).id;
      const body = req.body;
      const {
        model,
        input: rawInput,
        scenario,
        projectId,
        inputPath,
      } = await resolveRunSource(app.deps, orgId, { ...body, modelId: req.params.id });

      // The base input, defaults filled in: parameters name its fields.
      const base = validateInput(model, rawInput, inputPath);
      const parameters: SweepParameter[] = body.parameters.map((p) => ({
        path: p.path,
        values: expandValues(p),
      }));
      const pathErrors = parameters.flatMap((p, i) => {
        const problem = pathProblem(base, p.path);
        return problem ? [{ path: `body.parameters.${i}.path`, message: problem }] : [];
      });
      if (pathErrors.length)
        throw unprocessable(pathErrors, "A parameter does not name a field of the input.");
      const size = gridSize(parameters);
      if (size > SWEEP_MAX_RUNS) {
        throw unprocessable(
          [
            {
              path: "body.parameters",
              message: `make a grid of ${size} points; a sweep runs at most ${SWEEP_MAX_RUNS}`,
            },
          ],
          `The sweep would start ${size} runs; at most ${SWEEP_MAX_RUNS} are allowed.`,
        );
      }

      const outputSchema = outputSchemaOf(model);
      // Omitted: the model's key results (its numeric KPIs), else the top-level numbers.
      const keyResults = (model.kpis ?? []).filter((k) => k.format !== "text").map((k) => k.path);
      const outputs =
        body.outputs ?? (keyResults.length ? keyResults.slice(0, 20) : topLevelNumericFields(outputSchema));
      const outputErrors = (body.outputs ?? []).flatMap((path, i) =>
        numericOutputPath(outputSchema, path) === "no"
          ? [{ path: `body.outputs.${i}`, message: `is not a numeric field of the output of ${model.id}` }]
          : [],
      );
      if (outputErrors.length) throw unprocessable(outputErrors);

      // Validate every point before writing anything: one bad point and nothing starts.
      const grid = expandGrid(parameters);
      const inputs = grid.map((point, i) => {
        try {
          return validateInput(model, pointInput(base, point), inputPath);
        } catch (err) {
          if (!(err instanceof DomainError) || err.code !== "input_invalid") throw err;
          const where = `grid point ${i + 1} of ${grid.length}: ${describePoint(point)}`;
          throw new DomainError(
            "input_invalid",
            `The input at ${where} does not satisfy ${model.id}@${model.version}; nothing was started.`,
            (err.errors ?? []).map((e) => ({ path: e.path, message: `${e.message} (${where})` })),
          );
        }
      });

      // Refunded if recording the sweep fails: only accepted runs count against the budget.
      const actor = actorOf(req);
      const { sweep, created } = await withRunBudget(
        app.deps,
        actor,
        req.log,
        model,
        inputs.length,
        async () => {
          // Once for every grid point, and outside the transaction: a fetch must not hold it open.
          const referenceData = await referenceDataFor(app.deps, req.log, model);
          return db.transaction(async (tx) => {
            const [inserted] = await tx
              .insert(sweeps)
              .values({
                orgId,
                modelId: model.id,
                modelVersion: model.version,
                projectId,
                baseInput: base,
                parameters,
                outputs,
                createdBy: actor.userId,
              })
              .returning();
            const made = [];
            for (const input of inputs) {
              made.push(
                await createRun(app.deps, tx, actor, req.log, {
                  model,
                  input,
                  projectId,
                  scenarioId: scenario?.id ?? null,
                  scenarioRevision: scenario?.revision ?? null,
                  sweepId: inserted!.id,
                  useCache: req.query.cache,
                  referenceData,
                }),
              );
            }
            const [withRuns] = await tx
              .update(sweeps)
              .set({ runIds: made.map((run) => run.id) })
              .where(eq(sweeps.id, inserted!.id))
              .returning();
            await recordAudit(tx, req, {
              action: "sweep.created",
              orgId,
              targetType: "sweep",
              targetId: inserted!.id,
              metadata: {
                modelId: model.id,
                modelVersion: model.version,
                parameters: parameters.map((x) => x.path),
                points: made.length,
                cacheHits: made.filter((run) => run.cacheHit).length,
              },
            });
            return { sweep: withRuns!, created: made };
          });
        },
      );
      if (created.some((run) => run.status === "queued")) await wakeWorkers(app.deps);

      const byStatus = new Map<string, number>();
      for (const run of created) byStatus.set(run.status, (byStatus.get(run.status) ?? 0) + 1);
      reply.header("location", `/api/v1/sweeps/${sweep.id}`);
      return reply.code(202).send(summaryDto(sweep, countStatuses(created.length, byStatus)));
    },
  );

  r.get(
    "/sweeps",
    {
      config: { access: "runs:read" },
      schema: {
        tags,
        summary: "List sweeps, newest first",
        querystring: SweepListQuery,
        response: { 200: SweepPage },
      },
    },
    async (req) => {
      const { limit, offset, sort, modelId, projectId } = req.query;
      const where = and(
        eq(sweeps.orgId, orgOf(req).id),
        modelId ? eq(sweeps.modelId, modelId) : undefined,
        projectId ? eq(sweeps.projectId, projectId) : undefined,
      );
      const { descending } = parseSort<"createdAt">(sort);
      const [rows, [total]] = await Promise.all([
        db
          .select()
          .from(sweeps)
          .where(where)
          .orderBy(descending ? desc(sweeps.createdAt) : asc(sweeps.createdAt), asc(sweeps.id))
          .limit(limit)
          .offset(offset),
        db.select({ n: count() }).from(sweeps).where(where),
      ]);
      const counts = await countsOf(rows);
      return {
        items: rows.map((s) => summaryDto(s, counts.get(s.id)!)),
        total: total?.n ?? 0,
        limit,
        offset,
      };
    },
  );

  r.get(
    "/sweeps/:id",
    {
      config: { access: "runs:read" },
      schema: {
        tags,
        summary: "A sweep: its points, their outputs and a sensitivity table",
        description:
          "Points are in grid order (first parameter outermost). The table of a one-parameter sweep has a row " +
          "per value and a column per output; of a two-parameter sweep, a matrix of one output (`output`, " +
          "default the first of `outputs`).",
        params: IdParams,
        querystring: SweepQuery,
        response: { 200: SweepDto },
      },
    },
    async (req) => {
      const orgId = orgOf(req).id;
      const sweep = firstOr404(
        await db
          .select()
          .from(sweeps)
          .where(inOrg(sweeps, orgId, req.params.id)),
        "Sweep",
      );
      if (req.query.output !== undefined && !sweep.outputs.includes(req.query.output)) {
        throw unprocessable([
          {
            path: "query.output",
            message: `must be one of the sweep's outputs: ${sweep.outputs.join(", ")}`,
          },
        ]);
      }
      const rows = sweep.runIds.length
        ? await db
            .select({
              id: runs.id,
              status: runs.status,
              output: runs.output,
              error: runs.error,
              cacheHit: runs.cacheHit,
            })
            .from(runs)
            .where(and(eq(runs.orgId, orgId), inArray(runs.id, sweep.runIds)))
        : [];
      const byId = new Map(rows.map((row) => [row.id, row]));
      const parameters = sweep.parameters as SweepParameter[];
      const points = expandGrid(parameters).map((values, index) => {
        const runId = sweep.runIds[index]!;
        const run = byId.get(runId);
        const succeeded = run?.status === "succeeded";
        return {
          index,
          values,
          runId,
          status: run?.status ?? ("deleted" as const),
          cacheHit: run?.cacheHit ?? false,
          outputs: Object.fromEntries(
            sweep.outputs.map((o) => [o, succeeded ? numberAt(run.output, o) : null]),
          ) as Record<string, number | null>,
          error: run?.error ?? null,
        };
      });
      const byStatus = new Map<string, number>();
      for (const row of rows) byStatus.set(row.status, (byStatus.get(row.status) ?? 0) + 1);
      return {
        ...summaryDto(sweep, countStatuses(sweep.runIds.length, byStatus)),
        points,
        table: sensitivityTable(
          parameters,
          sweep.outputs,
          points.map((pt) => pt.outputs),
          req.query.output,
        ),
      };
    },
  );

  r.post(
    "/sweeps/:id/cancel",
    {
      config: { access: "runs:execute" },
      schema: {
        tags,
        summary: "Cancel a sweep's unfinished runs (409 if all have finished)",
        description:
          "Queued runs end at once; running ones stop at their next heartbeat (202 until they have). " +
          "Finished points keep their results.",
        params: IdParams,
        response: { 200: SweepSummaryDto, 202: SweepSummaryDto },
      },
    },
    async (req, reply) => {
      const orgId = orgOf(req).id;
      const sweep = firstOr404(
        await db
          .select()
          .from(sweeps)
          .where(inOrg(sweeps, orgId, req.params.id)),
        "Sweep",
      );
      const open = await db
        .select({ id: runs.id })
        .from(runs)
        .where(
          and(eq(runs.orgId, orgId), eq(runs.sweepId, sweep.id), inArray(runs.status, ["queued", "running"])),
        );
      if (open.length === 0) throw new DomainError("sweep_finished", "The sweep has already finished.");
      let requested = 0;
      for (const { id } of open) {
        try {
          const run = await cancelRun(app.deps, orgId, id);
          if (run) requested++;
        } catch (err) {
          // It finished between the read and the cancel: nothing left to stop.
          if (!(err instanceof DomainError && err.code === "run_finished")) throw err;
        }
      }
      await recordAudit(db, req, {
        action: "sweep.cancel_requested",
        orgId,
        targetType: "sweep",
        targetId: sweep.id,
        metadata: { runs: requested },
      });
      const counts = (await countsOf([sweep])).get(sweep.id)!;
      const summary = summaryDto(sweep, counts);
      return reply.code(counts.running > 0 ? 202 : 200).send(summary);
    },
  );
}
