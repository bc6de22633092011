import { randomUUID } from "node:crypto";
import Fastify, { type FastifyInstance, LogController } from "fastify";
import { validatorCompiler, type ZodTypeProvider } from "fastify-type-provider-zod";
import { Background } from "./background.ts";
import type { AppDeps } from "./deps.ts";
import { createFileStore, type FileStore } from "./files/store.ts";
import { startUploadSweeper } from "./files/upload-sweep.ts";
import { accessPlugin } from "./http/access.ts";
import { bodyTimeoutPlugin, clientErrorHandler } from "./http/client-errors.ts";
import { errorsPlugin } from "./http/errors.ts";
import { identityPlugin } from "./http/identity.ts";
import { metricsPlugin } from "./http/metrics.ts";
import { openApiPlugin } from "./http/openapi.ts";
import { rateLimitPlugin } from "./http/rate-limit.ts";
import { securityPlugin } from "./http/security.ts";
import { responseSerializerCompiler } from "./http/serializer.ts";
import { textRulePlugin } from "./http/text-rule.ts";
import { webAppRoutes } from "./http/web-app.ts";
import { createOutbox, type Outbox } from "./mail/outbox.ts";
import { accountRoutes } from "./routes/account.ts";
import { apiKeyRoutes } from "./routes/api-keys.ts";
import { auditRoutes } from "./routes/audit.ts";
import { authRoutes } from "./routes/auth.ts";
import { compareRoutes } from "./routes/compare.ts";
import { contentHistoryRoutes } from "./routes/content-history.ts";
import { contentPostRoutes } from "./routes/content-posts.ts";
import { contentSourceRoutes } from "./routes/content-sources.ts";
import { conversationRoutes } from "./routes/conversations.ts";
import { dashboardShareLinkRoutes } from "./routes/dashboard-share-links.ts";
import { exportRoutes } from "./routes/exports.ts";
import { externalIdentityRoutes } from "./routes/external-identity.ts";
import { fieldMappingRoutes } from "./routes/field-mappings.ts";
import { fileRoutes } from "./routes/files.ts";
import { healthRoutes } from "./routes/health.ts";
import { invitationRoutes } from "./routes/invitations.ts";
import { linkedinRoutes } from "./routes/linkedin.ts";
import { llmAdminRoutes } from "./routes/llm-admin.ts";
import { memberRoutes } from "./routes/members.ts";
import { modelArtifactRoutes } from "./routes/model-artifacts.ts";
import { modelRoutes } from "./routes/models.ts";
import { orgRoutes } from "./routes/orgs.ts";
import { powerBiRoutes } from "./routes/powerbi.ts";
import { problemRoutes } from "./routes/problems.ts";
import { projectRoutes } from "./routes/projects.ts";
import { referenceDataRoutes } from "./routes/reference-data.ts";
import { retentionRoutes } from "./routes/retention.ts";
import { runRoutes } from "./routes/runs.ts";
import { scenarioCrudRoutes } from "./routes/scenarios/crud.ts";
import { scenarioImportExportRoutes } from "./routes/scenarios/import-export.ts";
import { scenarioRevisionRoutes } from "./routes/scenarios/revisions.ts";
import { shareLinkRoutes } from "./routes/share-links.ts";
import { sweepRoutes } from "./routes/sweeps.ts";
import { uploadChunkRoutes } from "./routes/uploads/chunks.ts";
import { uploadCompleteRoutes } from "./routes/uploads/complete.ts";
import { uploadSessionRoutes } from "./routes/uploads/sessions.ts";

export type { AppDeps } from "./deps.ts";

export type App = FastifyInstance;

const REQUEST_ID_RE = /^[A-Za-z0-9._:-]{1,128}$/;

export async function buildApp(
  deps: AppDeps,
  /** `logStream`: where the JSON log lines go (stdout by default; tests read them). */
  opts: { logStream?: { write(line: string): void } } = {},
): Promise<App> {
  const { config } = deps;
  const app = Fastify({
    logger: {
      level: config.LOG_LEVEL,
      ...(opts.logStream ? { stream: opts.logStream } : {}),
      redact: {
        paths: [
          "req.headers.authorization",
          "req.headers.cookie",
          'req.headers["x-csrf-token"]',
          'res.headers["set-cookie"]',
        ],
        censor: "[redacted]",
      },
    },
    // Honour a caller's (or nginx's) request id so one id follows a request across hops.
    genReqId: (req) => {
      const incoming = req.headers["x-request-id"];
      return typeof incoming === "string" && REQUEST_ID_RE.test(incoming) ? incoming : randomUUID();
    },
    logController: new LogController({ requestIdLogLabel: "requestId" }),
    bodyLimit: config.BODY_LIMIT_BYTES,
    // onReady starts the background tasks, the run worker's engine host (a child process and its
    // threads) among them: on a busy machine that takes longer than Fastify's 10 s default, and
    // a timeout there fails the whole start.
    pluginTimeout: 60_000,
    trustProxy: config.TRUST_PROXY,
    // On close: stop accepting, drop idle keep-alive sockets, let in-flight requests finish.
    forceCloseConnections: "idle",
    // Broken HTTP (a body cut short by its client) answers problem+json too.
    clientErrorHandler,
  }).withTypeProvider<ZodTypeProvider>();

  app.setValidatorCompiler(validatorCompiler);
  // zod's check-then-stringify, or the compiled serializer for schemas marked compiledResponse()
  // (checked against zod's output in tests).
  app.setSerializerCompiler(responseSerializerCompiler({ crossCheck: config.NODE_ENV === "test" }));
  app.decorate("deps", deps);
  // One file store per app: every route and the retention sweeper share its S3 client and cache.
  app.decorate("fileStore", createFileStore(config));
  // Every background loop of this app starts when it is ready and stops when it closes; the
  // server adds the run worker and the retention sweep before listening (server.ts).
  const background = new Background(app.log.child({ component: "background" }));
  app.decorate("background", background);
  background.register("upload-sweep", () =>
    startUploadSweeper({
      db: deps.database.db,
      store: app.fileStore,
      log: app.log.child({ component: "uploads" }),
    }),
  );
  app.addHook("onReady", async () => background.start());
  app.addHook("onClose", async () => background.stop());
  const outbox = createOutbox(deps.mailer, app.log.child({ component: "mail" }));
  app.decorate("outbox", outbox);
  app.addHook("onClose", async () => outbox.drain());
  app.addHook("onRequest", async (req, reply) => {
    reply.header("x-request-id", req.id);
  });
  // Requests in flight when closing starts end with `Connection: close`: a keep-alive client
  // (nginx's upstream pool) would otherwise hold its socket and close() wait out the keep-alive timeout.
  let closing = false;
  app.addHook("preClose", async () => {
    closing = true;
  });
  app.addHook("onSend", async (_req, reply) => {
    if (closing) reply.header("connection", "close");
  });

  await app.register(errorsPlugin);
  await app.register(bodyTimeoutPlugin, { idleMs: config.BODY_IDLE_TIMEOUT_MS });
  await app.register(securityPlugin);
  await app.register(metricsPlugin);
  await app.register(identityPlugin);
  await app.register(rateLimitPlugin);
  await app.register(accessPlugin);
  await app.register(textRulePlugin);
  await app.register(openApiPlugin);

  await app.register(healthRoutes);
  await app.register(
    async (api) => {
      await api.register(authRoutes);
      await api.register(orgRoutes);
      await api.register(memberRoutes);
      await api.register(invitationRoutes);
      await api.register(apiKeyRoutes);
      await api.register(auditRoutes);
      await api.register(projectRoutes);
      await api.register(modelRoutes);
      await api.register(referenceDataRoutes);
      await api.register(runRoutes);
      await api.register(compareRoutes);
      await api.register(sweepRoutes);
      await api.register(scenarioCrudRoutes);
      await api.register(scenarioRevisionRoutes);
      await api.register(scenarioImportExportRoutes);
      await api.register(exportRoutes);
      await api.register(shareLinkRoutes);
      await api.register(fileRoutes);
      await api.register(conversationRoutes);
      await api.register(dashboardShareLinkRoutes);
      await api.register(uploadSessionRoutes);
      await api.register(uploadChunkRoutes);
      await api.register(uploadCompleteRoutes);
      await api.register(fieldMappingRoutes);
      // Fitted models as artifacts, and scoring with them (issue 15 item 8).
      await api.register(modelArtifactRoutes);
      await api.register(retentionRoutes);
      await api.register(accountRoutes);
      await api.register(externalIdentityRoutes);
      // Language models: providers, keys, settings, usage (issue 14).
      await api.register(llmAdminRoutes);
      // Publishing dashboards to the Power BI service (issue 16 item 5d).
      await api.register(powerBiRoutes);
      // Content sources, stored items, posts and feedback (issue 17).
      await api.register(contentSourceRoutes);
      await api.register(contentPostRoutes);
      await api.register(linkedinRoutes);
      await api.register(contentHistoryRoutes);
      await api.register(problemRoutes);
    },
    { prefix: "/api/v1" },
  );
  // The web app: its files, and index.html for its own routes (the API keeps problem+json 404s).
  await app.register(webAppRoutes);
  return app;
}

declare module "fastify" {
  interface FastifyInstance {
    deps: AppDeps;
    background: Background;
    fileStore: FileStore;
    outbox: Outbox;
  }
}
