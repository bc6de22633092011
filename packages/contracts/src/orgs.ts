import { z } from "zod";
import { Email, listQuery, Name, page, Timestamp, Uuid } from "./common.ts";
import { Locale, NegativeNumbers } from "./number-style.ts";
import { API_KEY_SCOPES, ROLES } from "./roles.ts";

export const Role = z.enum(ROLES, { message: `must be one of ${ROLES.join(", ")}` });
export const ApiKeyScope = z.enum(API_KEY_SCOPES, { message: `must be one of ${API_KEY_SCOPES.join(", ")}` });

export const Slug = z
  .string()
  .min(2, "must be at least 2 characters")
  .max(40, "must be at most 40 characters")
  .regex(/^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/, "must be lower-case letters, digits and inner hyphens");

export const OrgDto = z
  .object({
    id: Uuid,
    name: z.string(),
    slug: z.string(),
    locale: z
      .string()
      .nullable()
      .describe(
        "Language and region (en-US): paper of printed exports and date format; null = from each run's money",
      ),
    negativeNumbers: NegativeNumbers.describe(
      "Negatives as −1,234 (minus) or (1,234) (brackets), in views and exports",
    ),
    negativesRed: z.boolean().describe("Negatives also shown in red"),
    createdAt: Timestamp,
    updatedAt: Timestamp,
  })
  .meta({ id: "Organization" });
export const OrgWithRoleDto = OrgDto.extend({ role: Role });
export const CreateOrgBody = z.object({ name: Name(120), slug: Slug.optional() }).strict();
export const UpdateOrgBody = z
  .object({
    name: Name(120).optional(),
    slug: Slug.optional(),
    locale: Locale.nullable().optional(),
    negativeNumbers: NegativeNumbers.optional(),
    negativesRed: z.boolean().optional(),
  })
  .strict()
  .refine(
    (v) => Object.values(v).some((x) => x !== undefined),
    "give at least one of name, slug, locale, negativeNumbers, negativesRed",
  );

export const MemberDto = z
  .object({
    userId: Uuid,
    email: z.string(),
    name: z.string(),
    role: Role,
    joinedAt: Timestamp,
  })
  .meta({ id: "Member" });
export const MemberListQuery = listQuery(["joinedAt", "email", "role"], {
  role: Role.optional(),
});
export const MemberPage = page(MemberDto);
export const UserIdParams = z.object({ userId: Uuid }).strict();
export const UpdateMemberBody = z.object({ role: Role }).strict();

export const InvitationDto = z
  .object({
    id: Uuid,
    email: z.string(),
    role: Role,
    status: z.enum(["pending", "accepted", "revoked", "expired"]),
    createdAt: Timestamp,
    expiresAt: Timestamp,
  })
  .meta({ id: "Invitation" });
export const CreateInvitationBody = z
  .object({
    email: Email,
    role: Role.default("viewer"),
    expiresInHours: z
      .number()
      .int()
      .min(1)
      .max(24 * 30)
      .default(24 * 7),
  })
  .strict();
export const InvitationCreatedDto = InvitationDto.extend({
  token: z.string().describe("Shown once. Give it to the invitee; they accept it while signed in."),
  acceptUrl: z.url(),
});
export const InvitationListQuery = listQuery(["createdAt", "email"], {
  status: z.enum(["pending", "accepted", "revoked", "expired"]).optional(),
});
export const InvitationPage = page(InvitationDto);
export const AcceptInvitationBody = z.object({ token: z.string().min(1, "is required").max(200) }).strict();

export const ApiKeyDto = z
  .object({
    id: Uuid,
    name: z.string(),
    prefix: z.string().describe("The first characters of the key, to tell keys apart"),
    scope: ApiKeyScope,
    createdBy: z
      .object({
        userId: Uuid,
        name: z.string(),
        email: z.string(),
        role: Role.nullable().describe(
          "Their role in the organization now (the key acts at most at it); null when they have left and the key no longer works",
        ),
      })
      .nullable()
      .describe("Who created the key; null when their account has been deleted (the key no longer works)"),
    createdAt: Timestamp,
    lastUsedAt: Timestamp.nullable(),
    expiresAt: Timestamp.nullable(),
    revokedAt: Timestamp.nullable(),
  })
  .meta({ id: "ApiKey" });
export const CreateApiKeyBody = z
  .object({
    name: Name(80),
    scope: ApiKeyScope,
    expiresInDays: z.number().int().min(1).max(3650).optional(),
  })
  .strict();
export const ApiKeyCreatedDto = ApiKeyDto.extend({
  key: z.string().describe("Shown once; store it now. Send it as `Authorization: Bearer <key>`."),
});
export const ApiKeyListQuery = listQuery(["createdAt", "name", "lastUsedAt"], {
  includeRevoked: z
    .enum(["true", "false"], { message: "must be true or false" })
    .default("false")
    .transform((v) => v === "true"),
});
export const ApiKeyPage = page(ApiKeyDto);
