/**
 * How often and how many at once we ask each site. Every request to a host goes through
 * `politeness.run(host, …)`: at most `perHostConcurrency` at a time (1 by default), starts at
 * least `minIntervalMs` apart (or the robots.txt crawl-delay when larger), and at most
 * `globalConcurrency` requests in flight over all hosts. Waiting is FIFO per host.
 */
export interface PolitenessOptions {
  perHostConcurrency?: number;
  globalConcurrency?: number;
  /** Minimum gap between the starts of two requests to one host. */
  minIntervalMs?: number;
  now?: () => number;
}

interface HostState {
  active: number;
  lastStartAt: number;
  queue: { minIntervalMs: number; grant: () => void }[];
  timer: NodeJS.Timeout | undefined;
}

export interface Politeness {
  /**
   * `global: false` leaves the global limit out: for a request made while another holds a global
   * slot (robots.txt of a redirect target), which would otherwise wait on itself.
   */
  run<T>(
    host: string,
    task: () => Promise<T>,
    opts?: { minIntervalMs?: number; global?: boolean },
  ): Promise<T>;
  /** Requests started per host since creation (for tests and metrics). */
  readonly startedByHost: ReadonlyMap<string, number>;
}

export function createPoliteness(opts: PolitenessOptions = {}): Politeness {
  const perHost = opts.perHostConcurrency ?? 1;
  const globalLimit = opts.globalConcurrency ?? 8;
  const defaultIntervalMs = opts.minIntervalMs ?? 1_000;
  const now = opts.now ?? Date.now;
  const hosts = new Map<string, HostState>();
  const startedByHost = new Map<string, number>();
  let globalActive = 0;
  const globalQueue: (() => void)[] = [];

  function hostState(host: string): HostState {
    let s = hosts.get(host);
    if (!s) {
      s = { active: 0, lastStartAt: Number.NEGATIVE_INFINITY, queue: [], timer: undefined };
      hosts.set(host, s);
    }
    return s;
  }

  function pump(host: string, s: HostState): void {
    if (s.timer) return;
    while (s.active < perHost && s.queue.length > 0) {
      const next = s.queue[0]!;
      const waitMs = s.lastStartAt + next.minIntervalMs - now();
      if (waitMs > 0) {
        s.timer = setTimeout(() => {
          s.timer = undefined;
          pump(host, s);
        }, waitMs);
        return;
      }
      s.queue.shift();
      s.active++;
      s.lastStartAt = now(); // reserved now so a second slot (perHost > 1) also keeps the gap
      next.grant();
    }
  }

  async function acquireGlobal(): Promise<void> {
    if (globalActive < globalLimit) {
      globalActive++;
      return;
    }
    await new Promise<void>((r) => globalQueue.push(r));
  }
  function releaseGlobal(): void {
    const next = globalQueue.shift();
    if (next)
      next(); // the slot passes straight to the next waiter
    else globalActive--;
  }

  async function run<T>(
    host: string,
    task: () => Promise<T>,
    o: { minIntervalMs?: number; global?: boolean } = {},
  ): Promise<T> {
    const useGlobal = o.global !== false;
    const key = host.toLowerCase();
    const s = hostState(key);
    const minIntervalMs = Math.max(defaultIntervalMs, o.minIntervalMs ?? 0);
    await new Promise<void>((grant) => {
      s.queue.push({ minIntervalMs, grant });
      pump(key, s);
    });
    try {
      if (useGlobal) await acquireGlobal();
      try {
        s.lastStartAt = now(); // the gap counts from the real start, after any global wait
        startedByHost.set(key, (startedByHost.get(key) ?? 0) + 1);
        return await task();
      } finally {
        if (useGlobal) releaseGlobal();
      }
    } finally {
      s.active--;
      pump(key, s);
    }
  }

  return { run, startedByHost };
}

/** A source's fetch health: shown on the sources page; a failing source is backed off, never dropped. */
export interface SourceHealth {
  status: "ok" | "failing";
  /** When the current run of failures began (absent while ok). */
  failingSince?: string;
  consecutiveFailures: number;
  lastError?: string;
  lastAttemptAt?: string;
  lastSuccessAt?: string;
  /** The earliest time the scheduler should try this source again. */
  nextAttemptAt: string;
}

export interface BackoffOptions {
  baseMs?: number;
  capMs?: number;
  /** 0–1; defaults to Math.random. */
  random?: () => number;
}

/**
 * The delay before retry number `failures` (1 = the first failure): exponential from `baseMs`,
 * capped at `capMs`, with "equal jitter" — between half and all of that — so sources that failed
 * together (one host down) do not retry together, and a retry never comes sooner than half the step.
 */
export function backoffDelayMs(failures: number, o: BackoffOptions = {}): number {
  const base = o.baseMs ?? 60_000;
  const cap = o.capMs ?? 24 * 3600_000;
  const step = Math.min(cap, base * 2 ** Math.max(0, failures - 1));
  const r = (o.random ?? Math.random)();
  return Math.round(step / 2 + (step / 2) * r);
}

/** The health after one fetch attempt. */
export function nextHealth(
  prev: SourceHealth | undefined,
  outcome: { ok: true; intervalMinutes: number } | { ok: false; error: string; retryAfterSeconds?: number },
  atMs: number,
  backoff: BackoffOptions = {},
): SourceHealth {
  const at = new Date(atMs).toISOString();
  if (outcome.ok)
    return {
      status: "ok",
      consecutiveFailures: 0,
      lastAttemptAt: at,
      lastSuccessAt: at,
      nextAttemptAt: new Date(atMs + outcome.intervalMinutes * 60_000).toISOString(),
    };
  const failures = (prev?.consecutiveFailures ?? 0) + 1;
  // A server's Retry-After is honoured, but no further out than the backoff cap.
  const capMs = backoff.capMs ?? 24 * 3600_000;
  const retryAfterMs = Math.min(capMs, (outcome.retryAfterSeconds ?? 0) * 1000);
  const delayMs = Math.max(backoffDelayMs(failures, backoff), retryAfterMs);
  return {
    status: "failing",
    failingSince: prev?.status === "failing" && prev.failingSince ? prev.failingSince : at,
    consecutiveFailures: failures,
    lastError: outcome.error,
    lastAttemptAt: at,
    ...(prev?.lastSuccessAt ? { lastSuccessAt: prev.lastSuccessAt } : {}),
    nextAttemptAt: new Date(atMs + delayMs).toISOString(),
  };
}
