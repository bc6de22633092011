import type { Redis } from "ioredis";
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from "rate-limiter-flexible";
import type { Config } from "../config.ts";
import { HttpProblem } from "../http/problem.ts";

/**
 * How many runs a caller (user or API key) may start per hour — the seed for the optimizers asks
 * for 10 an hour for heavy models. A sweep of N points costs N runs, and runs and sweeps draw on
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

export function createRunBudget(config: Config, redis: Redis | null): RunBudget {
  const limiter = (points: number, kind: string) =>
    redis
      ? new RateLimiterRedis({
          storeClient: redis,
          keyPrefix: `${config.REDIS_KEY_PREFIX}runbudget:${kind}`,
          points,
          duration: 3600,
          // Redis trouble must not stop runs: fall back to per-instance counting meanwhile.
          insuranceLimiter: new RateLimiterMemory({ points, duration: 3600 }),
        })
      : new RateLimiterMemory({ points, duration: 3600 });
  const standard = limiter(config.RUN_RATE_LIMIT_PER_HOUR, "standard");
  const heavy = limiter(config.RUN_HEAVY_RATE_LIMIT_PER_HOUR, "heavy");
  return {
    async spend(caller, isHeavy, runs) {
      const l = isHeavy ? heavy : standard;
      const which = isHeavy ? " for heavy models" : "";
      // Refused before consuming: a request that can never fit must not spend what it cannot use.
      if (runs > l.points) {
        throw new HttpProblem(
          429,
          "Too Many Requests",
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
        throw new HttpProblem(
          429,
          "Too Many Requests",
          `Run limit of ${l.points} per hour${which} reached (${err.consumedPoints - runs} used); retry in ${retryAfter} s.`,
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
