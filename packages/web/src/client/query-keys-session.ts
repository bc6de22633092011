/**
 * The query keys the first screen needs (session, catalog, project list) and the key factory
 * itself; client/query-keys.ts adds the rest for the pages' chunks. See query-keys.ts.
 */
type Part = string | number | boolean | null | undefined | Record<string, unknown>;
export type Org = string | null | undefined;

/** A family of keys `[name, ...args]`, with `.all` = `[name]` to invalidate every key of it. */
export function family<const N extends string, A extends Part[]>(name: N) {
  return Object.assign((...args: A) => [name, ...args] as const, { all: [name] as const });
}

export const sessionKeys = {
  /** Kept across organizations (the session's own change clears everything else). */
  session: family<"session", []>("session"),
  /** The catalog is public and the same for everyone: kept across organizations too. */
  models: family<"models", []>("models"),
  model: family<"model", [id: string | undefined, version: string]>("model"),
  projects: family<"projects", [org: Org]>("projects"),
  org: family<"org", [org: Org]>("org"),
};

/** Families that survive a change of session or organization (session.ts clears the rest). */
export const SESSION_INDEPENDENT: readonly string[] = ["session", "models", "model"];
