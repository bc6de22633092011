import robotsParserModule from "robots-parser";
import { FetchError, type FetchResponse } from "./http.ts";

// robots-parser is CommonJS (`module.exports = fn`) while its types declare a default export.
const robotsParser = robotsParserModule as unknown as typeof robotsParserModule.default;

/**
 * robots.txt, fetched once per origin and kept for `ttlMs` (RFC 9309 §2.4: at most 24 h), then
 * honoured for every fetch. Rules are matched by robots-parser (RFC 9309: the group for our
 * product token or `*`, the longest matching Allow/Disallow wins and Allow wins a tie, `*` and
 * `$` in paths). Status handling is the RFC's: 4xx means no rules (allowed), 5xx or no answer
 * means "disallow everything" until the next try, which comes sooner (`unreachableTtlMs`).
 */
export interface RobotsVerdict {
  allowed: boolean;
  /** The site's Crawl-delay for us, as a minimum interval between requests. */
  crawlDelayMs?: number;
  /** Why a fetch is refused, fit for the source's health. */
  reason?: string;
}

interface Entry {
  expiresAt: number;
  verdictFor(url: string): RobotsVerdict;
}

export interface RobotsCacheOptions {
  /** Fetches the robots.txt URL (through the politeness gate and the safe client). */
  fetch: (url: string) => Promise<FetchResponse>;
  /** Our product token, matched against `User-agent:` lines. */
  userAgentToken?: string;
  ttlMs?: number;
  unreachableTtlMs?: number;
  /** Crawl-delays above this are clamped (a site asking 1 request a day is still asked daily). */
  maxCrawlDelayMs?: number;
  now?: () => number;
}

export interface RobotsCache {
  check(url: string): Promise<RobotsVerdict>;
  /** robots.txt requests made per origin (tests). */
  readonly fetchesByOrigin: ReadonlyMap<string, number>;
}

export function createRobotsCache(opts: RobotsCacheOptions): RobotsCache {
  const token = opts.userAgentToken ?? "ModelworksBot";
  const ttlMs = opts.ttlMs ?? 24 * 3600_000;
  const unreachableTtlMs = opts.unreachableTtlMs ?? 10 * 60_000;
  const maxCrawlDelayMs = opts.maxCrawlDelayMs ?? 60_000;
  const now = opts.now ?? Date.now;
  const cache = new Map<string, Entry>();
  const inFlight = new Map<string, Promise<Entry>>();
  const fetchesByOrigin = new Map<string, number>();

  async function load(origin: string): Promise<Entry> {
    const robotsUrl = `${origin}/robots.txt`;
    fetchesByOrigin.set(origin, (fetchesByOrigin.get(origin) ?? 0) + 1);
    let res: FetchResponse;
    try {
      res = await opts.fetch(robotsUrl);
    } catch (err) {
      // A robots.txt too large to read is the RFC's "parse what you can"; we refuse instead of
      // guessing. Unreachable: assume complete disallow for a short while.
      const why = err instanceof FetchError ? err.message : String(err);
      return disallowAll(`robots.txt could not be read (${why})`, unreachableTtlMs);
    }
    if (res.status >= 500) return disallowAll(`robots.txt answered HTTP ${res.status}`, unreachableTtlMs);
    if (res.status >= 400 || res.status < 200)
      return { expiresAt: now() + ttlMs, verdictFor: () => ({ allowed: true }) };
    const robots = robotsParser(robotsUrl, res.decode().text);
    const delaySeconds = robots.getCrawlDelay(token);
    const crawlDelayMs =
      typeof delaySeconds === "number" && delaySeconds > 0
        ? Math.min(maxCrawlDelayMs, delaySeconds * 1000)
        : undefined;
    return {
      expiresAt: now() + ttlMs,
      verdictFor: (url) => {
        // robots-parser answers undefined for another origin; we only ask for this one.
        const allowed = robots.isAllowed(url, token) !== false;
        return {
          allowed,
          ...(crawlDelayMs !== undefined ? { crawlDelayMs } : {}),
          ...(allowed ? {} : { reason: `robots.txt of ${origin} disallows ${new URL(url).pathname}` }),
        };
      },
    };
  }

  function disallowAll(reason: string, forMs: number): Entry {
    return { expiresAt: now() + forMs, verdictFor: () => ({ allowed: false, reason }) };
  }

  async function check(url: string): Promise<RobotsVerdict> {
    const origin = new URL(url).origin;
    let entry = cache.get(origin);
    if (!entry || entry.expiresAt <= now()) {
      // Concurrent fetches to one site share one robots.txt request.
      let p = inFlight.get(origin);
      if (!p) {
        p = load(origin).finally(() => inFlight.delete(origin));
        inFlight.set(origin, p);
      }
      entry = await p;
      cache.set(origin, entry);
    }
    return entry.verdictFor(url);
  }

  return { check, fetchesByOrigin };
}
