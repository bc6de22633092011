import type { ResolvedDatasetDto } from "@modelworks/contracts/reference-data";
import type { ReferenceDataset } from "@modelworks/model-kit";
import { inputHash } from "../runs/canonical.ts";
import type { CachedEdition, EditionCache } from "./cache.ts";
import { fetchEdition } from "./upstream.ts";

/** What a run gets: the tables (for `ctx.data`), how each was resolved, and their fingerprint. */
export interface ReferenceSnapshot {
  /** SHA-256 of the canonical tables: part of the result-cache key, so a new edition recomputes. */
  key: string;
  datasets: ResolvedDatasetDto[];
  /** connector → table, handed to the engine thread as `ctx.data`. */
  data: Record<string, unknown>;
}

export interface ReferenceDataOptions {
  datasets: readonly ReferenceDataset[];
  /** connector → HTTP source of its current edition; datasets without one use the shipped edition. */
  urls: Readonly<Record<string, string | undefined>>;
  timeoutMs: number;
  /** How long a fetched edition is used before it is fetched again. */
  ttlMs: number;
  /** How long, after a failed fetch, runs use the shipped edition before the source is tried again. */
  failureTtlMs: number;
  cache: EditionCache;
  now?: () => number;
  fetch?: typeof fetch;
}

interface Log {
  warn(obj: object, msg: string): void;
}

/**
 * Resolves reference data for runs (docs/decisions/0008): the upstream edition when a source is
 * configured and answers with a valid table, cached for a TTL (Redis when configured, else this
 * process's memory); otherwise the edition shipped with the engine, with the reason. This is the
 * only place reference data is fetched — engines receive the resolved tables and stay pure.
 */
export class ReferenceDataService {
  private readonly byConnector: Map<string, ReferenceDataset>;
  /** One fetch per dataset at a time: concurrent runs share it. */
  private readonly inflight = new Map<string, Promise<CachedEdition>>();

  constructor(private readonly o: ReferenceDataOptions) {
    this.byConnector = new Map(o.datasets.map((d) => [d.connector as string, d]));
  }

  datasets(): readonly ReferenceDataset[] {
    return this.o.datasets;
  }

  upstreamConfigured(connector: string): boolean {
    return Boolean(this.o.urls[connector]);
  }

  async resolve(connectors: readonly string[], log: Log): Promise<ReferenceSnapshot> {
    const resolved = await Promise.all(connectors.map((c) => this.resolveOne(c, log)));
    const data = Object.fromEntries(resolved.map((r) => [r.info.connector, r.table]));
    return { key: this.keyOf(data), datasets: resolved.map((r) => r.info), data };
  }

  /** The last fingerprint taken, and of which table objects (by connector). */
  private lastKey: { tables: Map<string, unknown>; key: string } | null = null;

  /**
   * The tables' fingerprint. Every run of a model with reference data asks for it, and the tables
   * are mostly the very same objects as last time (the shipped edition, or one cached in memory),
   * so the last one is reused when they are: hashing them costs more than the engine's own run
   * for a small model.
   */
  private keyOf(data: Record<string, unknown>): string {
    const last = this.lastKey;
    const entries = Object.entries(data);
    if (
      last &&
      last.tables.size === entries.length &&
      entries.every(([c, t]) => last.tables.has(c) && last.tables.get(c) === t)
    )
      return last.key;
    const key = inputHash(data);
    this.lastKey = { tables: new Map(entries), key };
    return key;
  }

  async resolveOne(connector: string, log: Log): Promise<{ info: ResolvedDatasetDto; table: unknown }> {
    const ds = this.byConnector.get(connector);
    if (!ds) throw new Error(`No reference dataset is registered under connector "${connector}"`);
    const url = this.o.urls[connector];
    const shipped = (fallbackReason: string | null) => ({
      info: describe(ds, ds.shipped, { origin: "shipped", fetchedAt: null, fallbackReason }),
      table: ds.shipped,
    });
    if (!url) return shipped(null);
    let edition = await this.o.cache.get(connector);
    if (edition?.ok && !ds.schema.safeParse(edition.table).success) edition = null; // not ours: refetch
    if (!edition) edition = await this.fetchShared(ds, url, log);
    if (!edition.ok) return shipped(edition.reason);
    return {
      info: describe(ds, edition.table, {
        origin: "upstream",
        fetchedAt: edition.fetchedAt,
        fallbackReason: null,
      }),
      table: edition.table,
    };
  }

  private fetchShared(ds: ReferenceDataset, url: string, log: Log): Promise<CachedEdition> {
    const connector = ds.connector as string;
    let p = this.inflight.get(connector);
    if (!p) {
      p = (async () => {
        const edition = await fetchEdition(ds, url, {
          timeoutMs: this.o.timeoutMs,
          ...(this.o.fetch ? { fetch: this.o.fetch } : {}),
          ...(this.o.now ? { now: this.o.now } : {}),
        });
        if (!edition.ok)
          log.warn(
            { dataset: ds.dataset, reason: edition.reason, retryInMs: this.o.failureTtlMs },
            "reference data: upstream edition unavailable, using the shipped edition",
          );
        await this.o.cache.set(connector, edition, edition.ok ? this.o.ttlMs : this.o.failureTtlMs);
        return edition;
      })().finally(() => this.inflight.delete(connector));
      this.inflight.set(connector, p);
    }
    return p;
  }
}

function describe(
  ds: ReferenceDataset,
  table: unknown,
  how: Pick<ResolvedDatasetDto, "origin" | "fetchedAt" | "fallbackReason">,
): ResolvedDatasetDto {
  const t = table as { version: string; effectiveDate: string | null; source: string };
  return {
    connector: ds.connector as string,
    dataset: ds.dataset,
    version: t.version,
    effectiveDate: t.effectiveDate,
    source: t.source,
    ...how,
  };
}
