import { createRemoteJWKSet, type JWTPayload, type JWTVerifyGetKey, jwtVerify } from "jose";
import type { Config } from "../config.ts";

/**
 * Verifies bearer JWTs issued by another application's login, so Modelworks can sit behind it.
 * Configured by JWT_HS256_SECRET (shared secret) or JWT_JWKS_URL (RS256 keys fetched and cached
 * by jose); returns null when neither is set.
 */
export type JwtVerifier = (token: string) => Promise<JWTPayload>;

export function createJwtVerifier(config: Config): JwtVerifier | null {
  // A token without an expiry would be valid forever: require `exp`.
  const options = {
    requiredClaims: ["exp"],
    ...(config.JWT_ISSUER ? { issuer: config.JWT_ISSUER } : {}),
    ...(config.JWT_AUDIENCE ? { audience: config.JWT_AUDIENCE } : {}),
  };
  if (config.JWT_HS256_SECRET) {
    const secret = new TextEncoder().encode(config.JWT_HS256_SECRET);
    return async (token) => (await jwtVerify(token, secret, { ...options, algorithms: ["HS256"] })).payload;
  }
  if (config.JWT_JWKS_URL) {
    const jwks: JWTVerifyGetKey = createRemoteJWKSet(new URL(config.JWT_JWKS_URL), {
      cooldownDuration: 30_000,
    });
    return async (token) => (await jwtVerify(token, jwks, { ...options, algorithms: ["RS256"] })).payload;
  }
  return null;
}

export function looksLikeJwt(token: string): boolean {
  return /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/.test(token);
}

/**
 * The issuer an identity is recorded under: the token's `iss`, else who the verifier trusts —
 * JWT_ISSUER (which then every token carries), the JWKS URL, or the shared HS256 secret as one
 * fixed name. Users are keyed by (issuer, subject), so two issuers' `sub`s never meet.
 */
export const HS256_ISSUER = "urn:modelworks:jwt-hs256";
export function issuerOf(claims: JWTPayload, config: Config): string {
  if (typeof claims.iss === "string" && claims.iss) return claims.iss;
  return config.JWT_ISSUER ?? config.JWT_JWKS_URL ?? HS256_ISSUER;
}
