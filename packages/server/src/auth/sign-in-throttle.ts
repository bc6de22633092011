import { createHash } from "node:crypto";
import type { Redis } from "ioredis";
import { RateLimiterMemory, RateLimiterRedis, type RateLimiterRes } from "rate-limiter-flexible";
import type { Config } from "../config.ts";
import { DomainError } from "../errors/domain-error.ts";

/**
 * Per-account sign-in throttle, beside the per-IP limit: after SIGN_IN_ACCOUNT_MAX_FAILURES
 * wrong passwords for one email within SIGN_IN_ACCOUNT_WINDOW_SECONDS, that email is refused
 * (429 + Retry-After) from every IP until the window passes — a botnet spreading guesses over
 * many addresses gets the same few guesses per account as one machine. Unknown emails are
 * counted the same way, so the answer never tells whether an account exists. A successful
 * sign-in clears the count. Keys are the email's SHA-256, so Redis holds no addresses.
 *
 * The price: anyone can lock an account out for one window by guessing wrong on purpose; the
 * window is short and the owner's other sessions keep working.
 */
export interface SignInThrottle {
  /** Throws 429 when this email has no attempts left. */
  check(email: string): Promise<void>;
  failed(email: string): Promise<void>;
  succeeded(email: string): Promise<void>;
}

export function createSignInThrottle(
  config: Config,
  redis: Redis | null,
  onStoreError: (err: unknown) => void = () => {},
): SignInThrottle {
  const points = config.SIGN_IN_ACCOUNT_MAX_FAILURES;
  const duration = config.SIGN_IN_ACCOUNT_WINDOW_SECONDS;
  const limiter = redis
    ? new RateLimiterRedis({
        storeClient: redis,
        keyPrefix: `${config.REDIS_KEY_PREFIX}signin-account`,
        points,
        duration,
        // Redis trouble must not lock everyone out (nor let guesses through unchecked).
        insuranceLimiter: new RateLimiterMemory({ points, duration }),
      })
    : new RateLimiterMemory({ points, duration });
  const key = (email: string) => createHash("sha256").update(email.toLowerCase()).digest("base64url");
  // Like the per-IP limiter (skipOnError), a store that cannot answer lets the attempt through.
  const guard = async <T>(f: () => Promise<T>): Promise<T | null> => {
    try {
      return await f();
    } catch (err) {
      onStoreError(err);
      return null;
    }
  };
  return {
    async check(email) {
      const res: RateLimiterRes | null = await guard(() => limiter.get(key(email)));
      if (res && res.consumedPoints >= points) {
        const retryAfter = Math.max(1, Math.ceil(res.msBeforeNext / 1000));
        throw new DomainError(
          "sign_in_throttled",
          `Too many failed sign-ins for this email; retry in ${retryAfter} s.`,
          undefined,
          { "retry-after": String(retryAfter) },
        );
      }
    },
    async failed(email) {
      await guard(() => limiter.penalty(key(email), 1));
    },
    async succeeded(email) {
      await guard(() => limiter.delete(key(email)));
    },
  };
}
