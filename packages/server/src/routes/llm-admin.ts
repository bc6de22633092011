import { IdParams } from "@modelworks/contracts/common";
import { ERROR_CODES, problemType } from "@modelworks/contracts/errors";
import {
  CreateLlmProviderBody,
  LlmProviderDto,
  LlmProviderList,
  LlmProviderListQuery,
  LlmSettings,
  LlmStatus,
  LlmTestResult,
  LlmUsage,
  LlmUsageQuery,
} from "@modelworks/contracts/llm";
import { LlmError, type LlmErrorCode, type LlmTask } from "@modelworks/model-kit";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import { conflict, DomainError, notFound, unprocessable } from "../errors/domain-error.ts";
import { orgOf } from "../http/access.ts";
import { recordAudit } from "../http/audit.ts";
import { sendProblem } from "../http/errors.ts";
import { configIssues, type ProviderConfig, type TaskModels } from "../llm/providers.ts";
import {
  activeProviderRow,
  findProvider,
  getLlmSettings,
  insertProvider,
  listProviders,
  markTested,
  type ProviderRow,
  providerView,
  putLlmSettings,
  revokeProvider,
  type TaskRoute,
  type TaskRoutes,
} from "../llm/store.ts";
import { currentMonth, monthlyUsage } from "../llm/usage.ts";

const tags = ["language models"];

/** Which request field a failed key test points at. */
const FIELD_OF: Partial<Record<LlmErrorCode, string>> = {
  llm_key_invalid: "body.apiKey",
  llm_provider_unknown: "body.models.default",
  llm_provider_error: "body.baseUrl",
};

/** An LlmError as problem+json with its catalogue code (and the field it concerns, if any). */
function sendLlmProblem(req: FastifyRequest, reply: FastifyReply, err: LlmError, field?: string) {
  const code = err.code === "llm_unavailable" ? "llm_provider_error" : err.code;
  const doc = ERROR_CODES[code];
  // A save-time test failure is the request's fault: 422 naming the field, whatever the provider said.
  const status = field && code !== "llm_budget_exhausted" ? 422 : doc.status;
  return sendProblem(reply, {
    type: problemType(code),
    code,
    title: status === 422 ? "Unprocessable Content" : doc.title,
    status,
    detail: err.message,
    instance: req.url.split("?")[0],
    requestId: req.id,
    ...(field ? { errors: [{ path: field, message: err.message }] } : {}),
  });
}

const userOf = (req: FastifyRequest) => {
  const p = req.principal;
  return p && p.kind !== "api_key" ? p.userId : null;
};

/**
 * Language models for an organization (issue 14): provider configs with their keys (admins; a key
 * is tested with a one-token request before it is saved, stored encrypted and never returned),
 * settings (monthly budget, body storage, prices), usage, and whether a model is available.
 */
export async function llmAdminRoutes(app: FastifyInstance) {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const { db } = app.deps.database;
  const llm = app.deps.llm;

  r.get(
    "/org/llm/status",
    {
      config: { access: "org:read" },
      schema: {
        tags,
        summary: "Whether a language model serves this organization, and whose",
        description:
          "`source`: the organization's own provider, the platform's (LLM_PROVIDER), or `built-in` — engines then use their deterministic built-in path and label outputs `generatedBy: \"built-in\"`.",
        response: { 200: LlmStatus },
      },
    },
    async (req) => {
      const orgId = orgOf(req).id;
      const tasks = await llm.describeTasks(orgId);
      try {
        const resolved = await llm.resolve(orgId);
        return {
          available: resolved !== null,
          source: resolved?.source ?? ("built-in" as const),
          provider: resolved?.cfg.provider ?? null,
          models: resolved ? (resolved.cfg.models as Record<string, string>) : null,
          canStoreKeys: llm.canStoreKeys,
          problem: null,
          tasks,
        };
      } catch (err) {
        // The default provider's key cannot be opened: say so (and how to fix it), not a 500.
        if (!(err instanceof LlmError)) throw err;
        const row = await activeProviderRow(db, orgId);
        return {
          available: true,
          source: "organization" as const,
          provider: row?.provider ?? null,
          models: (row?.models as Record<string, string> | undefined) ?? null,
          canStoreKeys: llm.canStoreKeys,
          problem: { code: err.code, message: err.message },
          tasks,
        };
      }
    },
  );

  r.get(
    "/org/llm/providers",
    {
      config: { access: "keys:manage" },
      schema: {
        tags,
        summary: "List language-model providers (never their keys)",
        querystring: LlmProviderListQuery,
        response: { 200: LlmProviderList },
      },
    },
    async (req) => ({
      items: (await listProviders(db, orgOf(req).id, req.query.includeRevoked)).map((r) =>
        providerView(r, llm.keyring),
      ),
    }),
  );

  r.post(
    "/org/llm/providers",
    {
      config: { access: "keys:manage" },
      schema: {
        tags,
        summary: "Add a language-model provider (tested with a one-token request first)",
        description:
          "The newest unrevoked provider serves the organization. The key is checked by a one-token request before anything is saved: a rejected key answers 422 `llm_key_invalid` naming `body.apiKey`, an unknown model `llm_provider_unknown`, an unreachable endpoint `llm_provider_error` naming `body.baseUrl`.",
        body: CreateLlmProviderBody,
        response: { 201: LlmProviderDto },
      },
    },
    async (req, reply) => {
      const orgId = orgOf(req).id;
      const ring = llm.keyring;
      if (!ring)
        throw new DomainError(
          "llm_keys_unavailable",
          "The server has no LLM_MASTER_KEY, so it cannot store provider keys.",
        );
      const { provider, label, baseUrl, apiKey } = req.body;
      const models = req.body.models as TaskModels;
      const issues = configIssues({ provider, baseUrl, models });
      if (issues.length) throw unprocessable(issues.map((i) => ({ ...i, path: `body.${i.path}` })));
      const cfg: ProviderConfig = { provider, baseUrl, apiKey, models };
      try {
        await llm.test({ orgId, userId: userOf(req) }, cfg);
      } catch (err) {
        if (!(err instanceof LlmError)) throw err;
        return sendLlmProblem(req, reply, err, FIELD_OF[err.code] ?? "body");
      }
      const row = await db.transaction(async (tx) => {
        const row = await insertProvider(tx, ring, {
          orgId,
          userId: userOf(req),
          provider,
          label,
          baseUrl,
          models,
          apiKey,
        });
        await recordAudit(tx, req, {
          action: "llm_provider.created",
          orgId,
          targetType: "llm_provider",
          targetId: row.id,
          metadata: { provider, baseUrl, models, keyHint: row.keyHint },
        });
        return row;
      });
      return reply
        .code(201)
        .header("location", `/api/v1/org/llm/providers/${row.id}`)
        .send(providerView(row, ring));
    },
  );

  r.post(
    "/org/llm/providers/:id/test",
    {
      config: { access: "keys:manage" },
      schema: {
        tags,
        summary: "Test a stored provider with a one-token request",
        params: IdParams,
        response: { 200: LlmTestResult },
      },
    },
    async (req, reply) => {
      const orgId = orgOf(req).id;
      const row = await findProvider(db, orgId, req.params.id);
      if (!row) throw notFound("Language-model provider");
      if (row.revokedAt) throw conflict("This provider is revoked.");
      const started = Date.now();
      try {
        // An unreadable key (master key gone) is llm_key_unreadable, 503, with what to do.
        await llm.test({ orgId, userId: userOf(req) }, llm.configOfRow(row));
      } catch (err) {
        if (!(err instanceof LlmError)) throw err;
        return sendLlmProblem(req, reply, err);
      }
      await markTested(db, orgId, row.id);
      return { ok: true as const, latencyMs: Date.now() - started };
    },
  );

  r.delete(
    "/org/llm/providers/:id",
    {
      config: { access: "keys:manage" },
      schema: {
        tags,
        summary: "Revoke a provider (its encrypted key is erased at once)",
        params: IdParams,
        response: { 204: z.undefined() },
      },
    },
    async (req, reply) => {
      const orgId = orgOf(req).id;
      await db.transaction(async (tx) => {
        const existing = await findProvider(tx, orgId, req.params.id);
        if (!existing) throw notFound("Language-model provider");
        if (existing.revokedAt) throw conflict("This provider is already revoked.");
        await revokeProvider(tx, orgId, existing.id);
        await recordAudit(tx, req, {
          action: "llm_provider.revoked",
          orgId,
          targetType: "llm_provider",
          targetId: existing.id,
          metadata: { provider: existing.provider },
        });
      });
      return reply.code(204).send();
    },
  );

  r.get(
    "/org/llm/settings",
    {
      config: { access: "keys:manage" },
      schema: { tags, summary: "Language-model settings", response: { 200: LlmSettings } },
    },
    async (req) => getLlmSettings(db, orgOf(req).id),
  );

  r.put(
    "/org/llm/settings",
    {
      config: { access: "keys:manage" },
      schema: {
        tags,
        summary: "Set the monthly budget, body storage, price overrides and per-task providers",
        description:
          "`taskRoutes` sends a task to a chosen provider config and model. A new or changed route is tested with a one-token request: an unknown or revoked provider answers 422 naming `body.taskRoutes.<task>.providerId`, a model the provider does not serve 422 naming `body.taskRoutes.<task>.model`; nothing is saved.",
        body: LlmSettings,
        response: { 200: LlmSettings },
      },
    },
    async (req, reply) => {
      const orgId = orgOf(req).id;
      const routes = req.body.taskRoutes as TaskRoutes;
      const previous = (await getLlmSettings(db, orgId)).taskRoutes;
      const missing: { path: string; message: string }[] = [];
      const toTest: [LlmTask, ProviderRow, string][] = [];
      for (const [task, route] of Object.entries(routes) as [LlmTask, TaskRoute][]) {
        const row = await findProvider(db, orgId, route.providerId);
        const path = `body.taskRoutes.${task}.providerId`;
        if (!row) missing.push({ path, message: "is not a provider of this organization" });
        else if (row.revokedAt) missing.push({ path, message: "is a revoked provider" });
        else {
          const before = previous[task];
          if (before?.providerId !== route.providerId || before.model !== route.model)
            toTest.push([task, row, route.model]);
        }
      }
      if (missing.length) throw unprocessable(missing);
      // A route only counts once its provider has answered its model (a one-token request).
      for (const [task, row, model] of toTest) {
        try {
          const cfg = llm.configOfRow(row);
          await llm.test({ orgId, userId: userOf(req) }, { ...cfg, models: { default: model } });
        } catch (err) {
          if (!(err instanceof LlmError)) throw err;
          if (err.code === "llm_key_unreadable" || err.code === "llm_budget_exhausted")
            return sendLlmProblem(req, reply, err);
          const field = err.code === "llm_provider_unknown" ? "model" : "providerId";
          return sendLlmProblem(req, reply, err, `body.taskRoutes.${task}.${field}`);
        }
      }
      return db.transaction(async (tx) => {
        const saved = await putLlmSettings(tx, orgId, userOf(req), req.body);
        await recordAudit(tx, req, { action: "llm_settings.updated", orgId, metadata: { ...req.body } });
        return saved;
      });
    },
  );

  r.get(
    "/org/llm/usage",
    {
      config: { access: "audit:read" },
      schema: {
        tags,
        summary: "Language-model usage of a month: calls, tokens, estimated cost, by user, engine and model",
        querystring: LlmUsageQuery,
        response: { 200: LlmUsage },
      },
    },
    async (req) => {
      const orgId = orgOf(req).id;
      const [usage, settings] = await Promise.all([
        monthlyUsage(db, orgId, req.query.month ?? currentMonth()),
        getLlmSettings(db, orgId),
      ]);
      return { ...usage, budgetUsd: settings.monthlyBudgetUsd };
    },
  );
}
