import { and, eq, isNull } from "drizzle-orm";
import { hashToken, newToken } from "../auth/tokens.ts";
import type { Config } from "../config.ts";
import type { Db } from "../db/client.ts";
import { emailTokens } from "../db/schema.ts";
import type { Mail } from "./mailer.ts";

/**
 * Issues a fresh verification link for a user; earlier unused links stop working, so only the
 * newest mail's link is live. Only the token's SHA-256 is stored (as for sessions and keys).
 */
export async function issueVerificationToken(db: Db, userId: string, config: Config): Promise<string> {
  const now = new Date();
  await db
    .update(emailTokens)
    .set({ usedAt: now })
    .where(
      and(
        eq(emailTokens.userId, userId),
        eq(emailTokens.purpose, "verify_email"),
        isNull(emailTokens.usedAt),
      ),
    );
  const token = newToken("verifyEmail");
  await db.insert(emailTokens).values({
    userId,
    purpose: "verify_email",
    tokenHash: hashToken(token),
    expiresAt: new Date(now.getTime() + config.EMAIL_TOKEN_TTL_HOURS * 3_600_000),
  });
  return token;
}

/**
 * The page asks for the sign-up's password next to the address it confirms, so the link names the
 * address (the mail goes to it anyway); only the token is a secret.
 */
export function verifyLink(config: Config, token: string, email: string): string {
  return `${config.PUBLIC_URL}/verify-email?token=${encodeURIComponent(token)}&email=${encodeURIComponent(email)}`;
}

export function verificationMail(config: Config, to: string, token: string): Mail {
  return {
    to,
    subject: "Confirm your Modelworks email address",
    text: [
      "Hello,",
      "",
      "Open this link and enter the password you signed up with to confirm your email address and",
      "sign in to Modelworks:",
      "",
      verifyLink(config, token, to),
      "",
      `The link works once and expires in ${config.EMAIL_TOKEN_TTL_HOURS} hours.`,
      "If you did not sign up for Modelworks, ignore this message: no account is usable without it.",
    ].join("\n"),
  };
}

/** To the owner of an existing account, instead of telling the person signing up that it exists. */
export function signUpAttemptMail(config: Config, to: string): Mail {
  return {
    to,
    subject: "Someone tried to sign up to Modelworks with your address",
    text: [
      "Hello,",
      "",
      "Someone (perhaps you) tried to create a Modelworks account with this email address,",
      "which already has one. Nothing was changed.",
      "",
      `If it was you, sign in instead: ${config.PUBLIC_URL}/sign-in`,
      "If it was not you, you can ignore this message.",
    ].join("\n"),
  };
}
