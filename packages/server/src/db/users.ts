import { and, eq, isNotNull, isNull, or, type SQL } from "drizzle-orm";
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

/**
 * The row that holds this address under users_email_key (same predicate): a password account, or
 * a passwordless row provisioned by an external JWT before identities were keyed by issuer. A new
 * sign-up with the address conflicts with it; proving the address (the mailed link) claims it.
 */
export function addressHolder(email: string): SQL {
  return and(eq(users.email, email), or(isNotNull(users.passwordHash), isNull(users.externalIssuer)))!;
}
