import { z } from "zod";
import { Email, Name, Timestamp, Uuid } from "./common.ts";
import { Role } from "./orgs.ts";

/**
 * Length over composition (NIST SP 800-63B): at least 10 characters, not a well-known password,
 * not one repeated character. Checked again against the email at sign-up.
 */
const COMMON_PASSWORDS = new Set([
  "password",
  "password1",
  "password12",
  "password123",
  "password1234",
  "passw0rd",
  "123456789",
  "1234567890",
  "12345678910",
  "qwertyuiop",
  "qwerty1234",
  "qwerty12345",
  "1q2w3e4r5t",
  "iloveyou12",
  "letmein123",
  "welcome123",
  "admin12345",
  "administrator",
  "abc1234567",
  "changeme123",
  "football12",
  "baseball12",
  "sunshine12",
  "princess12",
  "monkey1234",
  "dragon1234",
  "trustno1234",
  "1qaz2wsx3edc",
  "zaq12wsxcde",
  "qazwsxedcrfv",
  "aaaaaaaaaa",
  "0123456789",
  "9876543210",
  "modelworks",
  "modelworks1",
]);

export const Password = z
  .string()
  .min(10, "must be at least 10 characters")
  .max(200, "must be at most 200 characters")
  .refine((p) => !COMMON_PASSWORDS.has(p.toLowerCase()), "is too common; choose a less guessable password")
  .refine((p) => new Set(p).size >= 4, "must contain at least 4 different characters");

export const SignUpBody = z
  .object({
    email: Email,
    password: Password,
    name: Name(120),
  })
  .strict()
  .superRefine((v, ctx) => {
    const local = v.email.split("@")[0] ?? "";
    if (local.length >= 4 && v.password.toLowerCase().includes(local)) {
      ctx.addIssue({ code: "custom", path: ["password"], message: "must not contain your email address" });
    }
  });

export const SignInBody = z
  .object({
    email: Email,
    password: z.string().min(1, "is required").max(200, "must be at most 200 characters"),
  })
  .strict();

export const ChangePasswordBody = z
  .object({
    currentPassword: z.string().min(1, "is required").max(200),
    newPassword: Password,
  })
  .strict();

export const UserDto = z
  .object({ id: Uuid, email: z.string(), name: z.string(), createdAt: Timestamp })
  .meta({ id: "User" });

export const MembershipSummary = z.object({
  orgId: Uuid,
  name: z.string(),
  slug: z.string(),
  role: Role,
});

export const SessionDto = z
  .object({
    user: UserDto,
    organizations: z.array(MembershipSummary),
    activeOrgId: Uuid.nullable(),
    csrfToken: z
      .string()
      .nullable()
      .describe("Send as the `x-csrf-token` header on every unsafe request made with the session cookie"),
    expiresAt: Timestamp.nullable().describe("Null when authenticated by an external JWT"),
  })
  .meta({ id: "Session" });

export const ActiveOrgBody = z.object({ orgId: Uuid }).strict();

/**
 * The answer to sign-up and to a request for a new link: the same for a new address, a known
 * one and an unverified one, so it never tells whether an account exists. The mail says the rest.
 */
export const VerificationSentDto = z
  .object({
    status: z.literal("verification_sent"),
    email: z.string(),
  })
  .meta({ id: "VerificationSent" });

export const VerifyEmailBody = z
  .object({
    token: z
      .string()
      .min(1, "is required")
      .max(200, "must be at most 200 characters")
      .describe("The `token` query parameter of the link in the verification mail"),
    password: z
      .string()
      .min(1, "is required")
      .max(200, "must be at most 200 characters")
      .describe(
        "The password given at the sign-up that mailed this link: proving the mailbox and the password " +
          "together is what makes the account yours (docs/decisions/0018-email.md)",
      ),
  })
  .strict();

export const ResendVerificationBody = z.object({ email: Email }).strict();

export const LinkExternalIdentityBody = z
  .object({
    token: z
      .string()
      .min(1, "is required")
      .max(8192)
      .describe("A JWT your identity provider issued to you, as you would send it as a bearer token"),
  })
  .strict();
export const ExternalIdentityDto = z
  .object({
    issuer: z.string().describe("The token's `iss` (or the configured verifier's identity when it has none)"),
    subject: z.string().describe("The token's `sub`"),
    userId: Uuid.describe("Your account, which that identity now acts as"),
  })
  .meta({ id: "ExternalIdentity" });
