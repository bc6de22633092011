import { createHash, createHmac, randomBytes, timingSafeEqual } from "node:crypto";

/**
 * Secrets handed to clients: a kind prefix (so a leaked string says what it is and secret
 * scanners can find it) plus 32 random bytes. Only the SHA-256 is stored — the tokens carry
 * 256 bits of entropy, so a slow hash would add cost without adding safety.
 */
export type TokenKind = "session" | "apiKey" | "invitation" | "verifyEmail";
const PREFIX: Record<TokenKind, string> = {
  session: "mws_",
  apiKey: "mwk_",
  invitation: "mwi_",
  verifyEmail: "mwv_",
};

export function newToken(kind: TokenKind): string {
  return PREFIX[kind] + randomBytes(32).toString("base64url");
}

export function tokenKind(token: string): TokenKind | null {
  for (const [kind, prefix] of Object.entries(PREFIX)) if (token.startsWith(prefix)) return kind as TokenKind;
  return null;
}

export function hashToken(token: string): string {
  return createHash("sha256").update(token).digest("base64url");
}

/** The CSRF token of a session: bound to it, so it is useless with any other cookie. */
export function csrfTokenFor(secret: string, sessionTokenHash: string): string {
  return createHmac("sha256", secret).update(`csrf:${sessionTokenHash}`).digest("base64url");
}

export function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
