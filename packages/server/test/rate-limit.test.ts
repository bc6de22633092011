import { randomBytes } from "node:crypto";
import { and, count, eq } from "drizzle-orm";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditEvents } from "../src/db/schema.ts";
import { BatchedCounter } from "../src/http/rate-limit.ts";
import { RedisLink } from "../src/redis/link.ts";
import {
  createApiKey,
  createOwner,
  PASSWORD,
  signUp,
  type TestApp,
  createTestApp as testApp,
  uniqueEmail,
} from "./harness.ts";

/**
 * Request budgets: per API key, per user, per IP for anonymous callers; a tighter per-IP budget
 * on sign-in; shared across instances through Redis; never applied to health and metrics.
 */

type Res = Awaited<ReturnType<TestApp["app"]["inject"]>>;
const REDIS_URL = process.env.REDIS_URL ?? "";

/** Bearer / cookie / anonymous GET, from a chosen client IP (inject's default is 127.0.0.1). */
function get(t: TestApp, url: string, opts: { bearer?: string; cookie?: string; ip?: string } = {}) {
  return t.app.inject({
    method: "GET",
    url,
    remoteAddress: opts.ip ?? "127.0.0.1",
    headers: {
      ...(opts.bearer ? { authorization: `Bearer ${opts.bearer}` } : {}),
      ...(opts.cookie ? { cookie: opts.cookie } : {}),
    },
  });
}

function signInAttempt(t: TestApp, email: string, password: string, ip: string) {
  return t.app.inject({
    method: "POST",
    url: "/api/v1/auth/sign-in",
    remoteAddress: ip,
    payload: { email, password },
  });
}

function expectTooMany(res: Res, max: number) {
  expect(res.statusCode).toBe(429);
  expect(res.headers["content-type"]).toMatch(/^application\/problem\+json/);
  const retryAfter = String(res.headers["retry-after"]);
  expect(retryAfter).toMatch(/^\d+$/);
  expect(Number(retryAfter)).toBeGreaterThan(0);
  expect(Number(retryAfter)).toBeLessThanOrEqual(60);
  expect(res.json()).toMatchObject({
    type: "/api/v1/problems/rate_limited",
    code: "rate_limited",
    title: "Too Many Requests",
    status: 429,
    detail: `Rate limit of ${max} requests exceeded; retry in ${retryAfter} s.`,
    requestId: res.headers["x-request-id"],
  });
}

const failedSignIns = async (t: TestApp, email: string) => {
  const [row] = await t.database.db
    .select({ n: count() })
    .from(auditEvents)
    .where(and(eq(auditEvents.action, "auth.sign_in_failed"), eq(auditEvents.actorEmail, email)));
  return Number(row!.n);
};

// The per-caller rules hold for both stores; Redis runs when REDIS_URL is set (as in CI).
const stores = [["memory", ""] as const, ...(REDIS_URL ? [["redis", REDIS_URL] as const] : [])];

describe.each(stores)("per-caller budgets (%s store)", (store, redisUrl) => {
  const MAX = 5;
  let t: TestApp;
  beforeAll(async () => {
    // An empty REDIS_URL counts as unset (loadConfig drops empty strings), overriding the harness.
    t = await testApp({ RATE_LIMIT_MAX: String(MAX), REDIS_URL: redisUrl });
  });
  afterAll(async () => t?.close());

  it(`counts in the ${store} store`, () => {
    expect(t.app.deps.redis === null).toBe(store === "memory");
  });

  it("limits each API key separately, and users separately from keys", async () => {
    const owner = await createOwner(t.app, "Limited"); // 1 request on the owner's budget
    const keyA = await createApiKey(t.app, owner, "read"); // 2
    const keyB = await createApiKey(t.app, owner, "read"); // 3

    for (let i = 1; i <= MAX; i++) {
      const ok = await get(t, "/api/v1/projects", { bearer: keyA.key });
      expect(ok.statusCode).toBe(200);
      expect(ok.headers["x-ratelimit-limit"]).toBe(String(MAX));
      expect(ok.headers["x-ratelimit-remaining"]).toBe(String(MAX - i));
    }
    expectTooMany(await get(t, "/api/v1/projects", { bearer: keyA.key }), MAX);
    // Every route draws on the same per-caller budget.
    expectTooMany(await get(t, "/api/v1/org", { bearer: keyA.key }), MAX);

    // Another key from the same IP, the key's creator and another user all have their own budgets.
    expect((await get(t, "/api/v1/projects", { bearer: keyB.key })).statusCode).toBe(200);
    expect((await get(t, "/api/v1/session", { cookie: owner.cookie })).statusCode).toBe(200); // 4
    expect((await get(t, "/api/v1/session", { cookie: owner.cookie })).statusCode).toBe(200); // 5
    expectTooMany(await get(t, "/api/v1/session", { cookie: owner.cookie }), MAX);
    const other = await signUp(t.app);
    expect((await get(t, "/api/v1/session", { cookie: other.cookie })).statusCode).toBe(200);
  });

  it("limits anonymous callers per IP, counting requests that fail authentication", async () => {
    const ip = "198.51.100.7";
    for (let i = 0; i < MAX; i++) {
      const res = await get(t, "/api/v1/projects", { ip });
      expect(res.statusCode).toBe(401);
    }
    expectTooMany(await get(t, "/api/v1/projects", { ip }), MAX);
    // A bad API key is anonymous too: it cannot buy a fresh budget.
    expectTooMany(await get(t, "/api/v1/projects", { ip, bearer: "mwk_guessing" }), MAX);
    const elsewhere = await get(t, "/api/v1/projects", { ip: "198.51.100.8" });
    expect(elsewhere.statusCode).toBe(401);
  });
});

describe("sign-in brute-force protection", () => {
  const AUTH_MAX = 3;
  let t: TestApp;
  beforeAll(async () => {
    t = await testApp({ AUTH_RATE_LIMIT_MAX: String(AUTH_MAX), REDIS_URL: "" });
  });
  afterAll(async () => t?.close());

  it("refuses the 4th attempt from one IP with 429, before checking the password or auditing", async () => {
    const user = await signUp(t.app);
    const ip = "203.0.113.5";
    for (let i = 0; i < AUTH_MAX; i++) {
      const res = await signInAttempt(t, user.email, "wrong password!", ip);
      expect(res.statusCode).toBe(401);
    }
    expect(await failedSignIns(t, user.email)).toBe(AUTH_MAX);

    expectTooMany(await signInAttempt(t, user.email, "wrong password!", ip), AUTH_MAX);
    expect(await failedSignIns(t, user.email)).toBe(AUTH_MAX);
    // Even the right password waits out the window.
    const right = await signInAttempt(t, user.email, PASSWORD, ip);
    expectTooMany(right, AUTH_MAX);
    expect(right.cookies).toEqual([]);

    // Another IP may still sign in.
    const other = await signInAttempt(t, user.email, PASSWORD, "203.0.113.6");
    expect(other.statusCode).toBe(200);
  });

  it("counts attempts for unknown emails too", async () => {
    const ip = "203.0.113.9";
    for (let i = 0; i < AUTH_MAX; i++) {
      expect((await signInAttempt(t, uniqueEmail("ghost"), "wrong password!", ip)).statusCode).toBe(401);
    }
    const email = uniqueEmail("ghost");
    expectTooMany(await signInAttempt(t, email, "wrong password!", ip), AUTH_MAX);
    expect(await failedSignIns(t, email)).toBe(0);
  });
});

describe.skipIf(!REDIS_URL)("budgets shared through Redis", () => {
  const MAX = 4;
  const AUTH_MAX = 3;
  const prefix = `mwshared${randomBytes(4).toString("hex")}:`;
  let a: TestApp;
  let b: TestApp;
  beforeAll(async () => {
    const env = {
      RATE_LIMIT_MAX: String(MAX),
      AUTH_RATE_LIMIT_MAX: String(AUTH_MAX),
      REDIS_KEY_PREFIX: prefix,
    };
    // Two instances, two databases, one Redis and one key prefix.
    [a, b] = await Promise.all([testApp(env), testApp(env)]);
  });
  afterAll(async () => {
    const redis = a?.app.deps.redis;
    if (redis) {
      const keys = await redis.keys(`${prefix}*`);
      if (keys.length > 0) await redis.del(...keys);
    }
    await a?.close();
    await b?.close();
  });

  it("counts anonymous requests from one IP across both instances", async () => {
    expect(a.app.deps.redis).not.toBeNull();
    const ip = "192.0.2.10";
    for (const t of [a, b, a, b]) expect((await get(t, "/api/v1/projects", { ip })).statusCode).toBe(401);
    expectTooMany(await get(a, "/api/v1/projects", { ip }), MAX);
    expectTooMany(await get(b, "/api/v1/projects", { ip }), MAX);
    expect((await get(b, "/api/v1/projects", { ip: "192.0.2.11" })).statusCode).toBe(401);
  });

  it("counts sign-in attempts from one IP across both instances", async () => {
    const ip = "192.0.2.20";
    for (const t of [a, b, a]) {
      expect((await signInAttempt(t, uniqueEmail("split"), "wrong password!", ip)).statusCode).toBe(401);
    }
    expectTooMany(await signInAttempt(b, uniqueEmail("split"), "wrong password!", ip), AUTH_MAX);
    expectTooMany(await signInAttempt(a, uniqueEmail("split"), "wrong password!", ip), AUTH_MAX);
  });
});

describe("operational endpoints", () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await testApp({ RATE_LIMIT_MAX: "2" });
  });
  afterAll(async () => t?.close());

  it("never rate-limits /health, /ready or /metrics, nor charges them to the caller's budget", async () => {
    const ip = "192.0.2.50";
    for (const url of ["/health", "/ready", "/metrics", "/health?probe=lb", "/ready?verbose=1"]) {
      for (let i = 0; i < 6; i++) {
        const res = await get(t, url, { ip });
        expect(res.statusCode, `${url} #${i + 1}`).toBe(200);
        expect(res.headers["x-ratelimit-limit"], url).toBeUndefined();
      }
    }
    // The IP's API budget is untouched by all of that.
    expect((await get(t, "/api/v1/projects", { ip })).statusCode).toBe(401);
    expect((await get(t, "/api/v1/projects", { ip })).statusCode).toBe(401);
    expectTooMany(await get(t, "/api/v1/projects", { ip }), 2);
    // ...and an exhausted caller can still be probed.
    expect((await get(t, "/health", { ip })).statusCode).toBe(200);
    expect((await get(t, "/ready", { ip })).statusCode).toBe(200);
  });
});

/**
 * API keys' and users' budgets with Redis (RATE_LIMIT_SYNC_MS, src/http/rate-limit.ts): counted
 * in the instance at once, sent to Redis in one INCRBY per caller per period, and shared.
 */
describe.skipIf(!REDIS_URL)("batched counts for identified callers", () => {
  const WINDOW_MS = 60_000;
  const nameSpace = `mwbatch${randomBytes(4).toString("hex")}:rl:`;
  let links: RedisLink[] = [];
  const link = async () => {
    const l = new RedisLink({
      url: REDIS_URL,
      commandTimeoutMs: 1000,
      breakerMs: 500,
      log: pino({ level: "silent" }),
    });
    links.push(l);
    await l.ready(5000);
    return l;
  };
  afterAll(async () => {
    const keys = await links[0]?.client.keys(`${nameSpace}*`);
    if (keys?.length) await links[0]!.client.del(...keys);
    await Promise.all(links.map((l) => l.close()));
    links = [];
  });
  const incr = (c: BatchedCounter, key: string) =>
    new Promise<number>((resolve, reject) =>
      c.incr(key, (err, res) => (err ? reject(err) : resolve(res!.current)), WINDOW_MS),
    );
  const until = async (what: string, check: () => Promise<boolean>) => {
    for (let i = 0; i < 200; i++) {
      if (await check()) return;
      await new Promise((r) => setTimeout(r, 25));
    }
    throw new Error(`timed out waiting for ${what}`);
  };

  it("counts 50 requests exactly with 2 Redis commands, and another instance sees them", async () => {
    const [la, lb] = [await link(), await link()];
    const a = new BatchedCounter(la, nameSpace, 100);
    const b = new BatchedCounter(lb, nameSpace, 100);
    let sent = 0;
    const original = la.client.rlIncrBy.bind(la.client);
    la.client.rlIncrBy = (...args: Parameters<typeof original>) => {
      sent++;
      return original(...args);
    };
    try {
      const currents: number[] = [];
      for (let i = 0; i < 50; i++) currents.push(await incr(a, "key:k1"));
      expect(currents).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
      await until("the count in Redis", async () => (await la.client.get(`${nameSpace}key:k1`)) === "50");
      // The window's first request at once, the other 49 together at the next period.
      expect(sent).toBe(2);
      expect(await la.client.pttl(`${nameSpace}key:k1`)).toBeGreaterThan(WINDOW_MS - 10_000);

      // Instance B: its first request is judged before Redis answers (the documented overshoot),
      // every later one on the shared count.
      expect(await incr(b, "key:k1")).toBe(1);
      await until("B to hear the shared count", async () => (await incr(b, "key:k1")) > 50);
      expect(await incr(b, "key:k1")).toBeGreaterThan(51);
      // Another caller's count is its own.
      expect(await incr(b, "user:u1")).toBe(1);
    } finally {
      a.close();
      b.close();
    }
  });

  it("sends what it counted during an outage as soon as Redis is back, not at the next period", async () => {
    const l = await link();
    // A period far longer than the test: only the recovery can have sent the count.
    const c = new BatchedCounter(l, nameSpace, 5000);
    try {
      l.failed(new Error("test outage"));
      expect(l.up).toBe(false);
      for (let i = 0; i < 7; i++) await incr(c, "key:outage");
      expect(await l.client.get(`${nameSpace}key:outage`)).toBeNull();
      await until("the link back up", async () => l.up);
      const startedMs = Date.now();
      await until(
        "the outage's count in Redis",
        async () => (await l.client.get(`${nameSpace}key:outage`)) === "7",
      );
      expect(Date.now() - startedMs).toBeLessThan(1000);
    } finally {
      c.close();
    }
  });
});
