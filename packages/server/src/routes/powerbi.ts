import { IdParams } from "@modelworks/contracts/common";
import { ConversationRevisionParams } from "@modelworks/contracts/conversations";
import {
  PowerBiConnectionDto,
  PowerBiConnectionState,
  PowerBiPublishBody,
  PowerBiPublishList,
  PowerBiPublishStarted,
  PowerBiTestResult,
  PutPowerBiConnectionBody,
} from "@modelworks/contracts/powerbi";
import type { FastifyInstance, FastifyRequest } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import { loadConversation } from "../conversations/store.ts";
import { DomainError, notFound, unprocessable } from "../errors/domain-error.ts";
import { orgOf } from "../http/access.ts";
import { actorOf } from "../http/actor.ts";
import { recordAudit } from "../http/audit.ts";
import { PowerBiClient } from "../powerbi/client.ts";
import { createPublishRun, endpointsOf } from "../powerbi/publish.ts";
import { earlierPublishes } from "../powerbi/publishes.ts";
import {
  connectionCredentials,
  connectionView,
  credentialsOf,
  deleteConnection,
  findConnection,
  markConnectionTested,
  putConnection,
} from "../powerbi/store.ts";
import { wakeWorkers } from "../runs/service.ts";
import { withRunBudget } from "../runs/with-budget.ts";

const tags = ["power bi"];

const userOf = (req: FastifyRequest) => {
  const p = req.principal;
  return p && p.kind !== "api_key" ? p.userId : null;
};

/**
 * Power BI publishing (issue 16 item 5d): the organization's connection (admins: the client
 * secret is sealed and never returned), a connection test (a token and the workspace's dataset
 * list), and publishing a plan revision as a run that creates a push dataset and posts its rows.
 */
export async function powerBiRoutes(app: FastifyInstance) {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const { db } = app.deps.database;
  const ring = () => app.deps.llm.keyring;

  r.get(
    "/org/powerbi",
    {
      config: { access: "keys:manage" },
      schema: {
        tags,
        summary: "The organization's Power BI connection (never its client secret)",
        response: { 200: PowerBiConnectionState },
      },
    },
    async (req) => {
      const row = await findConnection(db, orgOf(req).id);
      return { connection: row ? connectionView(row, ring()) : null, canStoreSecrets: ring() !== null };
    },
  );

  r.put(
    "/org/powerbi",
    {
      config: { access: "keys:manage" },
      schema: {
        tags,
        summary: "Set the organization's Power BI connection (an Entra app registration and a workspace)",
        description:
          "The client secret is sealed with the server's master key and never returned; omit it to keep the stored one. " +
          "Nothing is sent to Microsoft here: `POST /org/powerbi/test` checks the credentials.",
        body: PutPowerBiConnectionBody,
        response: { 200: PowerBiConnectionDto },
      },
    },
    async (req) => {
      const orgId = orgOf(req).id;
      const keyring = ring();
      if (!keyring)
        throw new DomainError(
          "llm_keys_unavailable",
          "The server has no LLM_MASTER_KEY, so it cannot store a Power BI client secret.",
        );
      const row = await db.transaction(async (tx) => {
        let secret = req.body.clientSecret;
        if (secret === undefined) {
          const existing = await findConnection(tx, orgId);
          if (!existing)
            throw unprocessable([{ path: "body.clientSecret", message: "required for a new connection" }]);
          secret = credentialsOf(existing, keyring).clientSecret;
        }
        const row = await putConnection(tx, keyring, {
          orgId,
          userId: userOf(req),
          tenantId: req.body.tenantId,
          clientId: req.body.clientId,
          groupId: req.body.groupId,
          clientSecret: secret,
        });
        await recordAudit(tx, req, {
          action: "powerbi_connection.saved",
          orgId,
          targetType: "powerbi_connection",
          targetId: orgId,
          metadata: {
            tenantId: row.tenantId,
            clientId: row.clientId,
            groupId: row.groupId,
            secretHint: row.secretHint,
          },
        });
        return row;
      });
      return connectionView(row, keyring);
    },
  );

  r.delete(
    "/org/powerbi",
    {
      config: { access: "keys:manage" },
      schema: {
        tags,
        summary: "Remove the organization's Power BI connection (the sealed secret is erased at once)",
        response: { 204: z.undefined() },
      },
    },
    async (req, reply) => {
      const orgId = orgOf(req).id;
      await db.transaction(async (tx) => {
        if (!(await deleteConnection(tx, orgId))) throw notFound("Power BI connection");
        await recordAudit(tx, req, {
          action: "powerbi_connection.deleted",
          orgId,
          targetType: "powerbi_connection",
          targetId: orgId,
        });
      });
      return reply.code(204).send();
    },
  );

  r.post(
    "/org/powerbi/test",
    {
      config: { access: "keys:manage" },
      schema: {
        tags,
        summary: "Test the connection: a client-credentials token, then the workspace's dataset list",
        description:
          "A refused secret, tenant or client id answers 422 `powerbi_credentials_rejected` quoting the identity platform; " +
          "a token Power BI refuses for the workspace the same; an unreachable service 502 `powerbi_service_error`.",
        response: { 200: PowerBiTestResult },
      },
    },
    async (req) => {
      const orgId = orgOf(req).id;
      const { creds } = await connectionCredentials(db, orgId, ring());
      const started = Date.now();
      const datasets = await new PowerBiClient(creds, endpointsOf(app.deps.config)).listDatasets();
      await markConnectionTested(db, orgId);
      return { ok: true as const, datasetsInWorkspace: datasets.length, latencyMs: Date.now() - started };
    },
  );

  r.get(
    "/conversations/:id/powerbi-publishes",
    {
      config: { access: "runs:read" },
      schema: {
        tags,
        summary: "The Power BI datasets earlier publishes of this dashboard made",
        description:
          "One entry per push dataset a succeeded publish run of this conversation created, with its first and " +
          "latest publish and the revision it carries; the newest dataset first. Pass an entry's `datasetId` to " +
          "POST …/powerbi-publish to refresh that dataset instead of creating another.",
        params: IdParams,
        response: { 200: PowerBiPublishList },
      },
    },
    async (req) => {
      const orgId = orgOf(req).id;
      const c = await loadConversation(db, orgId, req.params.id);
      return { items: await earlierPublishes(db, orgId, c.id) };
    },
  );

  r.post(
    "/conversations/:id/plan-revisions/:revision/powerbi-publish",
    {
      config: { access: "runs:execute" },
      schema: {
        tags,
        summary: "Publish the plan revision's model and data to Power BI as a push dataset (a run)",
        description:
          "Creates a push dataset (tables, typed columns, the plan's measures, relationships) in the connection's " +
          "workspace and posts every row in batches of at most 10,000, waiting out 429 Retry-After. Follow the run " +
          "(progress 10 → 30 → 50…90 → 100); its output has the dataset id and the web URL the service returned, if any. " +
          "Report pages are not published: the Imports API takes .pbix files, not .pbip projects (download the .pbip). " +
          "With `datasetId` (an earlier publish's), that dataset is refreshed instead: DeleteRowsInGroup per table, " +
          "PutTableInGroup for a table whose columns or measures changed, then the rows; a refresh that fails leaves " +
          "the dataset in place (it is not deleted).",
        params: ConversationRevisionParams,
        // No body (a new dataset) arrives as null.
        body: PowerBiPublishBody.nullish(),
        response: { 202: PowerBiPublishStarted },
      },
    },
    async (req, reply) => {
      const actor = actorOf(req);
      const run = await withRunBudget(app.deps, actor, req.log, { heavy: true }, 1, () =>
        createPublishRun(db, actor, app.deps.config, req.params.id, req.params.revision, req.body?.datasetId),
      );
      await wakeWorkers(app.deps);
      return reply.code(202).header("location", `/api/v1/runs/${run.id}`).send({ runId: run.id });
    },
  );
}
