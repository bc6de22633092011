import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from "rate-limiter-flexible";
import type { Config } from "../config.ts";
import { DomainError } from "../errors/domain-error.ts";
import type { RedisLink } from "../redis/link.ts";

/**
 * How many runs a caller (user or API key) may start per hour — 120 an hour for heavy models by
 * default (the seed's 10 stopped an analyst exploring what-ifs; issue 18 item 16). A sweep of N points costs N runs, and runs and sweeps draw on
 * one budget, which is why this is rate-limiter-flexible (weighted, shared across routes, Redis
 * when configured) rather than @fastify/rate-limit (one request = one point, per route).
 */
export interface RunBudget {
  /**
   * Spends `runs` from the caller's budget, or throws 429 with Retry-After. Only accepted runs
   * count: callers spend after validating, refund when recording the runs then fails, and a
   * refused attempt gives back what the limiter counted for it.
   */
  spend(caller: string, heavy: boolean, runs: number): Promise<void>;
  /** Gives back what `spend` took when the runs it paid for were not started after all. */
  refund(caller: string, heavy: boolean, runs: number): Promise<void>;
  /** Gives this instance's unspent leases back to the shared count (at shutdown). */
  close(): Promise<void>;
}

/** A refused spend: what the caller had used of the window before it, and when it frees up. */
interface Refusal {
  usedBefore: number;
  msBeforeNext: number;
}

interface Limiter {
  points: number;
  /** Counts `runs` against the caller's window; a refusal counts nothing. */
  spend(caller: string, runs: number): Promise<Refusal | null>;
  /** Gives points back to whichever store counts now (at an outage's edge, possibly the other). */
  reward(caller: string, runs: number): Promise<unknown>;
  close(): Promise<void>;
}

/**
 * Runs this instance has counted in the shared (Redis) window ahead of a busy caller, to start
 * without a Redis call each (issue 20: the script per run was ~0.35 ms of the machine's CPU per
 * persisted run). Points are only ever taken from the shared count first, so leases can never let
 * a caller start more than the limit; what they cost is the other way: points another instance
 * holds cannot be spent here until they come back, after LEASE_IDLE_MS without a spend. Near the
 * limit nothing is leased (a lease is at most 1/16 of what is left), so there a refusal is exact.
 */
interface Lease {
  points: number;
  /** End of the shared window the points were counted in: after it they are worth nothing. */
  windowEndsAtMs: number;
  lastSpentAtMs: number;
  /** What the shared window had left after this instance's last call for the caller. */
  remaining: number;
}

const LEASE_IDLE_MS = 1_000;
/**
 * A lease is not used this close to its window's end (the end is estimated from Redis's answer,
 * a little late): points of a window about to close must not pay for runs of the next one.
 */
const WINDOW_MARGIN_MS = 2_000;
const usable = (lease: Lease, nowMs: number) => lease.windowEndsAtMs - WINDOW_MARGIN_MS > nowMs;
const MAX_LEASE = 15;
/** A lease is at most this share of what the window has left. */
const LEASE_SHARE = 16;

function memoryLimiter(points: number): Limiter {
  const memory = new RateLimiterMemory({ points, duration: 3600 });
  return {
    points,
    async spend(caller, runs) {
      const answer = await consumeOrGiveBack(memory, caller, runs);
      return answer.ok ? null : refusalOf(answer.res, runs);
    },
    reward: (caller, runs) => memory.reward(caller, runs),
    close: async () => {},
  };
}

/**
 * Consumes `n` on `store`: its answer, or its refusal once `giveBack` has returned what the
 * limiter counted for the refused attempt (it starts nothing, so it must not count). Any other
 * error (Redis failing) is thrown.
 */
async function consumeOrGiveBack(
  store: RateLimiterMemory | RateLimiterRedis,
  caller: string,
  n: number,
  giveBack: (caller: string, n: number) => Promise<unknown> = (c, k) => store.reward(c, k),
): Promise<{ ok: boolean; res: RateLimiterRes }> {
  try {
    return { ok: true, res: await store.consume(caller, n) };
  } catch (err) {
    if (!(err instanceof RateLimiterRes)) throw err;
    await giveBack(caller, n);
    return { ok: false, res: err };
  }
}

/** A refusal of `runs`: what the caller had used before them counts all it holds, spent or leased. */
const refusalOf = (res: RateLimiterRes, runs: number): Refusal => ({
  usedBefore: res.consumedPoints - runs,
  msBeforeNext: res.msBeforeNext,
});

function sharedLimiter(points: number, kind: string, config: Config, link: RedisLink): Limiter {
  // Per-instance counting: the fallback while Redis is down.
  const memory = memoryLimiter(points);
  const shared = new RateLimiterRedis({
    storeClient: link.client,
    keyPrefix: `${config.REDIS_KEY_PREFIX}runbudget:${kind}`,
    points,
    duration: 3600,
    rejectIfRedisNotReady: true,
  });
  const leases = new Map<string, Lease>();
  let sweeper: NodeJS.Timeout | undefined;

  /** Gives an idle lease's points back to the window they were counted in, if it still runs. */
  const giveBack = (caller: string, lease: Lease) => {
    leases.delete(caller);
    const points = lease.points;
    lease.points = 0;
    // Lost (Redis down, the window over): the caller can start fewer runs, never more.
    if (points > 0 && link.up && usable(lease, Date.now()))
      return shared.reward(caller, points).catch((err) => link.failed(err));
  };
  const sweep = () => {
    const idleSince = Date.now() - LEASE_IDLE_MS;
    for (const [caller, lease] of leases) if (lease.lastSpentAtMs <= idleSince) void giveBack(caller, lease);
    if (leases.size === 0) {
      clearInterval(sweeper);
      sweeper = undefined;
    }
  };

  /** One call to Redis for `n` runs (what is needed plus a lease); null when Redis did not answer. */
  const consumeShared = async (caller: string, n: number) => {
    try {
      return await consumeOrGiveBack(shared, caller, n, (c, k) =>
        shared.reward(c, k).catch((err) => link.failed(err)),
      );
    } catch (err) {
      link.failed(err);
      return null;
    }
  };

  return {
    points,
    async spend(caller, runs) {
      // Redis trouble must not stop runs: count per instance until it answers again.
      if (!link.up) return memory.spend(caller, runs);
      const now = Date.now();
      let lease = leases.get(caller);
      if (lease && !usable(lease, now)) {
        leases.delete(caller);
        lease = undefined;
      }
      if (lease && lease.points >= runs) {
        lease.points -= runs;
        lease.lastSpentAtMs = now;
        return null;
      }
      // Taken now, before waiting on Redis, so concurrent spends here cannot use them twice.
      const held = lease ? lease.points : 0;
      if (lease) lease.points = 0;
      const need = runs - held;
      // Lease only for a caller that spent here within the idle period (one who comes back), and
      // only a small share of what the window has left.
      const busy = lease !== undefined && now - lease.lastSpentAtMs < LEASE_IDLE_MS;
      const extra = busy ? Math.min(MAX_LEASE, Math.floor(lease!.remaining / LEASE_SHARE)) : 0;
      let leased = extra;
      let answer = await consumeShared(caller, need + extra);
      if (answer && !answer.ok && extra > 0) {
        // The lease did not fit: ask for the runs alone.
        leased = 0;
        answer = await consumeShared(caller, need);
      }
      // Refused, or Redis failed meanwhile: what this instance held stays leased (it is counted
      // there as used). On a failure the runs count in memory.
      if (!answer?.ok && lease) lease.points += held;
      if (!answer) return memory.spend(caller, runs);
      if (!answer.ok) return refusalOf(answer.res, runs);
      const res = answer.res;
      const answeredAt = Date.now();
      const windowEndsAtMs = answeredAt + res.msBeforeNext;
      const current = leases.get(caller);
      if (current && usable(current, answeredAt)) {
        current.points += leased;
        current.lastSpentAtMs = now;
        current.remaining = res.remainingPoints;
        current.windowEndsAtMs = Math.min(current.windowEndsAtMs, windowEndsAtMs);
      } else {
        leases.set(caller, {
          points: leased,
          windowEndsAtMs,
          lastSpentAtMs: now,
          remaining: res.remainingPoints,
        });
      }
      sweeper ??= setInterval(sweep, LEASE_IDLE_MS).unref();
      return null;
    },
    async reward(caller, runs) {
      if (!link.up) return memory.reward(caller, runs);
      try {
        return await shared.reward(caller, runs);
      } catch (err) {
        link.failed(err);
        return memory.reward(caller, runs);
      }
    },
    async close() {
      clearInterval(sweeper);
      sweeper = undefined;
      await Promise.all([...leases].map(([caller, lease]) => giveBack(caller, lease)));
    },
  };
}

export function createRunBudget(config: Config, link: RedisLink | null): RunBudget {
  const limiter = (points: number, kind: string): Limiter =>
    link ? sharedLimiter(points, kind, config, link) : memoryLimiter(points);
  const standard = limiter(config.RUN_RATE_LIMIT_PER_HOUR, "standard");
  const heavy = limiter(config.RUN_HEAVY_RATE_LIMIT_PER_HOUR, "heavy");
  return {
    async spend(caller, isHeavy, runs) {
      const l = isHeavy ? heavy : standard;
      const which = isHeavy ? " for heavy models" : "";
      // Refused before consuming: a request that can never fit must not spend what it cannot use.
      if (runs > l.points) {
        throw new DomainError(
          "run_budget_exceeded",
          `This would start ${runs} runs, more than the ${l.points} per hour allowed${which}.`,
        );
      }
      const refusal = await l.spend(caller, runs);
      if (!refusal) return;
      const retryAfter = Math.max(1, Math.ceil(refusal.msBeforeNext / 1000));
      throw new DomainError(
        "run_budget_exceeded",
        `Run limit of ${l.points} per hour${which} reached (${refusal.usedBefore} used); the next run is allowed at ${nextRunAt(retryAfter)} (in ${inWords(retryAfter)}).`,
        undefined,
        { "retry-after": String(retryAfter) },
      );
    },
    async refund(caller, isHeavy, runs) {
      await (isHeavy ? heavy : standard).reward(caller, runs);
    },
    async close() {
      await Promise.all([standard.close(), heavy.close()]);
    },
  };
}

/** When a refused caller may run again, to the second, in UTC (the 429 says so, not only Retry-After). */
function nextRunAt(retryAfterSeconds: number): string {
  return `${new Date(Date.now() + retryAfterSeconds * 1000).toISOString().slice(0, 19).replace("T", " ")} UTC`;
}

function inWords(seconds: number): string {
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.ceil(seconds / 60);
  return minutes === 1 ? "1 minute" : `${minutes} minutes`;
}
