import type { SourceDefinition } from "@modelworks/engine-content-intel";
import { sourceKindOf } from "@modelworks/engine-content-intel";
import type { contentSources } from "../db/schema.ts";
import type { SourceHealth } from "../sources/index.ts";

/** A followed source as stored (db/schema.ts `content_sources`). */
export type SourceRow = typeof contentSources.$inferSelect;

const iso = (d: Date | null) => d?.toISOString() ?? null;

/** The host a source is paced and cited under: lower-case, without "www.". */
export function hostOf(url: string): string {
  return new URL(url).hostname.toLowerCase().replace(/^www\./, "");
}

/** The kind given, or the one the URL most likely is (the engine's rule; the fetch confirms it). */
export function kindFor(url: string, given?: SourceRow["kind"]): SourceRow["kind"] {
  return given ?? sourceKindOf(url);
}

/** What the fetcher needs of a stored source (the engine's SourceDefinition, id = the row's id). */
export function definitionOf(row: SourceRow): SourceDefinition {
  return {
    id: row.id,
    name: row.name,
    kind: row.kind,
    url: row.url,
    host: row.host,
    domains: row.domains,
    credibility: row.credibility,
    tier: row.tier,
    intervalMinutes: row.intervalMinutes,
  };
}

/** The stored health as the fetcher's SourceHealth (undefined before the first fetch). */
export function healthOf(row: SourceRow): SourceHealth | undefined {
  if (row.status === "new") return undefined;
  return {
    status: row.status,
    consecutiveFailures: row.consecutiveFailures,
    nextAttemptAt: row.nextAttemptAt.toISOString(),
    ...(row.failingSince ? { failingSince: row.failingSince.toISOString() } : {}),
    ...(row.lastError ? { lastError: row.lastError } : {}),
    ...(row.lastAttemptAt ? { lastAttemptAt: row.lastAttemptAt.toISOString() } : {}),
    ...(row.lastSuccessAt ? { lastSuccessAt: row.lastSuccessAt.toISOString() } : {}),
  };
}

/** The fetcher's SourceHealth as the row's columns. */
export function healthColumns(h: SourceHealth) {
  const at = (s: string | undefined) => (s ? new Date(s) : null);
  return {
    status: h.status,
    consecutiveFailures: h.consecutiveFailures,
    failingSince: at(h.failingSince),
    lastError: h.lastError ?? null,
    lastAttemptAt: at(h.lastAttemptAt),
    lastSuccessAt: at(h.lastSuccessAt),
    nextAttemptAt: new Date(h.nextAttemptAt),
  };
}

export function sourceDto(row: SourceRow, itemCount: number) {
  return {
    id: row.id,
    name: row.name,
    url: row.url,
    kind: row.kind,
    host: row.host,
    domains: row.domains,
    credibility: row.credibility,
    tier: row.tier,
    intervalMinutes: row.intervalMinutes,
    enabled: row.enabled,
    ownerUserId: row.ownerUserId,
    health: {
      status: row.status,
      consecutiveFailures: row.consecutiveFailures,
      failingSince: iso(row.failingSince),
      lastError: row.lastError,
      lastAttemptAt: iso(row.lastAttemptAt),
      lastSuccessAt: iso(row.lastSuccessAt),
      nextAttemptAt: row.nextAttemptAt.toISOString(),
    },
    itemCount,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}
