import { and, eq, isNotNull, type SQL } from "drizzle-orm";
import { users } from "./schema.ts";

/**
 * The password account with this (lower-cased) email: at most one. External identities may share
 * the address (users_email_key is unique only among password accounts and rows without an issuer)
 * and never match; a password account linked to an external identity carries that issuer and
 * still matches.
 */
export function passwordAccount(email: string): SQL {
  return and(eq(users.email, email), isNotNull(users.passwordHash))!;
}
