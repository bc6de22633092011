import { createHash } from "node:crypto";
import canonicalize from "canonicalize";

/**
 * The identity of an input: SHA-256 of its RFC 8785 canonical JSON (keys sorted, numbers in
 * shortest form), so `{a:1,b:2}` and `{b:2,a:1.0}` are the same input. Hashes are taken of the
 * *validated* input (defaults filled), so leaving out a default does not miss the cache.
 */
export function canonicalJson(value: unknown): string {
  return canonicalize(value) ?? "null";
}

export function inputHash(value: unknown): string {
  return createHash("sha256").update(canonicalJson(value)).digest("hex");
}
