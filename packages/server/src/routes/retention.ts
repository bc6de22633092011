import { RetentionPolicyDto, UpdateRetentionBody } from "@modelworks/contracts/retention";
import { eq } from "drizzle-orm";
import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import { organizations, retentionPolicies } from "../db/schema.ts";
import { notFound } from "../errors/domain-error.ts";
import { orgOf } from "../http/access.ts";
import { actorOf } from "../http/actor.ts";
import { recordAudit } from "../http/audit.ts";
import { contentDisposition } from "../http/content-disposition.ts";
import { orgExportZip } from "../retention/export.ts";
import { policyOf, type RetentionPolicy } from "../retention/policy.ts";

const tags = ["organizations"];

const policyDto = (p: RetentionPolicy) => ({ ...p, updatedAt: p.updatedAt?.toISOString() ?? null });

/**
 * The organization's retention policy (applied by the sweep in ../retention/sweep.ts) and the
 * export of everything it holds. See docs/decisions/0014-retention-and-privacy.md.
 */
export async function retentionRoutes(app: FastifyInstance) {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const { db } = app.deps.database;
  const store = app.fileStore;
  const serverContentDays = app.deps.config.CONTENT_ITEMS_RETENTION_DAYS;

  r.get(
    "/org/retention",
    {
      config: { access: "org:read" },
      schema: {
        tags,
        summary:
          "How long the organization keeps uploaded files, finished runs, expired share links and content items",
        response: { 200: RetentionPolicyDto },
      },
    },
    async (req) => policyDto(await policyOf(db, orgOf(req).id, serverContentDays)),
  );

  r.put(
    "/org/retention",
    {
      config: { access: "retention:manage" },
      schema: {
        tags,
        summary: "Set the retention policy (null keeps forever)",
        description:
          "Each period is 1 to 3650 days, or null to keep forever. The retention sweep (every " +
          "RETENTION_SWEEP_MINUTES) deletes what is older; queued and running runs are never deleted. " +
          '`contentItemsDays` (content items, 1 to 36500 days, null to keep forever, or "server-default" ' +
          "to follow the server's CONTENT_ITEMS_RETENTION_DAYS) may be left out to leave it as it is.",
        body: UpdateRetentionBody,
        response: { 200: RetentionPolicyDto },
      },
    },
    async (req) => {
      const orgId = orgOf(req).id;
      const _p = req.principal!;
      const updatedBy = actorOf(req).userId;
      return db.transaction(async (tx) => {
        const before = await policyOf(tx, orgId, serverContentDays);
        const now = new Date();
        const { contentItemsDays, ...periods } = req.body;
        // Stored: null follows the server, 0 keeps forever, n days (see retention/policy.ts).
        const content =
          contentItemsDays === undefined
            ? {}
            : {
                contentItemsDays:
                  contentItemsDays === "server-default"
                    ? null
                    : contentItemsDays === null
                      ? 0
                      : contentItemsDays,
              };
        await tx
          .insert(retentionPolicies)
          .values({ orgId, ...periods, ...content, updatedBy, updatedAt: now })
          .onConflictDoUpdate({
            target: retentionPolicies.orgId,
            set: { ...periods, ...content, updatedBy, updatedAt: now },
          });
        const after = await policyOf(tx, orgId, serverContentDays);
        await recordAudit(tx, req, {
          action: "retention.policy_updated",
          orgId,
          targetType: "organization",
          targetId: orgId,
          metadata: {
            before: {
              filesDays: before.filesDays,
              runsDays: before.runsDays,
              expiredShareLinksDays: before.expiredShareLinksDays,
              contentItemsDays: before.contentItemsDays,
              contentItemsDaysSource: before.contentItemsDaysSource,
            },
            after: {
              ...periods,
              contentItemsDays: after.contentItemsDays,
              contentItemsDaysSource: after.contentItemsDaysSource,
            },
          },
        });
        return policyDto(after);
      });
    },
  );

  r.get(
    "/org/export",
    {
      config: { access: "data:export" },
      schema: {
        tags,
        summary: "Download everything the organization holds, as a zip",
        description:
          "Streamed as it is read: manifest.json, organization.json, retention-policy.json, members.json " +
          "(no password hashes), one NDJSON file per table (projects, scenarios and their revisions, sweeps, " +
          "runs with inputs and outputs, share links, invitations and API keys without their token hashes, " +
          "field mappings, files, audit events) and the original bytes of every uploaded file under files/. " +
          "Owners and admins only; API keys cannot export. Not a point-in-time snapshot: rows changed while " +
          "the export runs may or may not be in it.",
        produces: ["application/zip"],
        response: { 200: z.any().describe("The zip, as an attachment") },
      },
    },
    async (req, reply) => {
      const orgId = orgOf(req).id;
      const [org] = await db.select().from(organizations).where(eq(organizations.id, orgId));
      if (!org) throw notFound("Organization");
      await recordAudit(db, req, {
        action: "org.exported",
        orgId,
        targetType: "organization",
        targetId: orgId,
      });
      const day = new Date().toISOString().slice(0, 10);
      return reply
        .header("content-type", "application/zip")
        .header("content-disposition", contentDisposition(`${org.slug}-export-${day}.zip`))
        .header("cache-control", "private, no-store")
        .header("x-content-type-options", "nosniff")
        .send(orgExportZip(db, store, orgId, req.log));
    },
  );
}
