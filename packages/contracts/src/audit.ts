import { z } from "zod";
import { listQuery, page, Timestamp, Uuid } from "./common.ts";

export const AuditEventDto = z
  .object({
    id: z.number().int(),
    actorType: z.enum(["user", "api_key", "anonymous", "system"]),
    actorUserId: Uuid.nullable(),
    actorApiKeyId: Uuid.nullable(),
    actorEmail: z.string().nullable(),
    action: z.string(),
    targetType: z.string().nullable(),
    targetId: z.string().nullable(),
    ip: z.string().nullable(),
    userAgent: z.string().nullable(),
    requestId: z.string().nullable(),
    metadata: z.record(z.string(), z.unknown()),
    createdAt: Timestamp,
  })
  .meta({ id: "AuditEvent" });

export const AuditListQuery = listQuery(["createdAt"], {
  action: z
    .string()
    .max(80)
    .regex(/^[a-z_.*]+$/, "must be an action name such as project.created, or a prefix such as project.*")
    .optional(),
  actorUserId: Uuid.optional(),
  targetType: z.string().max(40).optional(),
  targetId: z.string().max(80).optional(),
  since: Timestamp.optional(),
  until: Timestamp.optional(),
});
export const AuditPage = page(AuditEventDto);
