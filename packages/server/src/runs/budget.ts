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
}

interface Limiter {
  points: number;
  consume(caller: string, runs: number): Promise<RateLimiterRes>;
  /** Gives points back to whichever store counts now (at an outage's edge, possibly the other). */
  reward(caller: string, runs: number): Promise<unknown>;
}

export function createRunBudget(config: Config, link: RedisLink | null): RunBudget {
  const limiter = (points: number, kind: string): Limiter => {
    // Per-instance counting: the store without Redis, and the fallback while Redis is down.
    const memory = new RateLimiterMemory({ points, duration: 3600 });
    if (!link)
      return {
        points,
        consume: (caller, n) => memory.consume(caller, n),
        reward: (c, n) => memory.reward(c, n),
      };
    const shared = new RateLimiterRedis({
      storeClient: link.client,
      keyPrefix: `${config.REDIS_KEY_PREFIX}runbudget:${kind}`,
      points,
      duration: 3600,
      rejectIfRedisNotReady: true,
    });
    return {
      points,
      async consume(caller, n) {
        // Redis trouble must not stop runs: count per instance until it answers again.
        if (!link.up) return memory.consume(caller, n);
        try {
          return await shared.consume(caller, n);
        } catch (err) {
          if (err instanceof RateLimiterRes) throw err;
          link.failed(err);
          return memory.consume(caller, n);
        }
      },
      async reward(caller, n) {
        if (!link.up) return memory.reward(caller, n);
        try {
          return await shared.reward(caller, n);
        } catch (err) {
          link.failed(err);
          return memory.reward(caller, n);
        }
      },
    };
  };
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
      try {
        await l.consume(caller, runs);
      } catch (err) {
        if (!(err instanceof RateLimiterRes)) throw err;
        // The limiter counted the refused attempt; it started nothing, so it must not count.
        await l.reward(caller, runs);
        const retryAfter = Math.max(1, Math.ceil(err.msBeforeNext / 1000));
        throw new DomainError(
          "run_budget_exceeded",
          `Run limit of ${l.points} per hour${which} reached (${err.consumedPoints - runs} used); the next run is allowed at ${nextRunAt(retryAfter)} (in ${inWords(retryAfter)}).`,
          undefined,
          { "retry-after": String(retryAfter) },
        );
      }
    },
    async refund(caller, isHeavy, runs) {
      await (isHeavy ? heavy : standard).reward(caller, runs);
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
