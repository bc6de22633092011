import { createHmac, randomBytes } from "node:crypto";
import { hashToken, safeEqual } from "./tokens.ts";

/**
 * Share-link tokens: `mwl_<32 random chars>.<signature>`, the signature an HMAC of the random
 * part under a key derived from SESSION_SECRET. A token that was altered or made up fails the
 * signature check before any database lookup (so guessing costs the server nothing and cannot
 * probe the table); a genuine one is then found by its SHA-256, the only form stored, and
 * checked for expiry and revocation. Rotating SESSION_SECRET invalidates every share link.
 */
const PREFIX = "mwl_";
const SHAPE = /^mwl_([A-Za-z0-9_-]{32})\.([A-Za-z0-9_-]{22})$/;

function sign(secret: string, body: string): string {
  return createHmac("sha256", `share-link:${secret}`)
    .update(body)
    .digest()
    .subarray(0, 16)
    .toString("base64url");
}

export function newShareToken(secret: string): { token: string; tokenHash: string } {
  const body = randomBytes(24).toString("base64url");
  const token = `${PREFIX}${body}.${sign(secret, body)}`;
  return { token, tokenHash: hashToken(token) };
}

/** The stored hash to look the token up by, or null when it is malformed or its signature is wrong. */
export function verifyShareToken(secret: string, token: string): string | null {
  const m = SHAPE.exec(token);
  if (!m || !safeEqual(m[2]!, sign(secret, m[1]!))) return null;
  return hashToken(token);
}
