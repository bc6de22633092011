import net from "node:net";
import { sql } from "drizzle-orm";
import Fastify from "fastify";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { isDatabaseUnavailable } from "../src/db/errors.ts";
import { errorsPlugin } from "../src/http/errors.ts";
import { createTestApp } from "./harness.ts";

/** The error handler's classification of real driver errors (issue 19 items 5 and 10a). */
const t = await createTestApp();
afterAll(async () => t.close());

async function appThrowing(fail: () => Promise<unknown>) {
  const app = Fastify({ logger: false });
  await app.register(errorsPlugin);
  app.get("/x", async () => {
    await fail();
    return {};
  });
  await app.ready();
  return app;
}

describe("the error handler", () => {
  it("answers text the database cannot store with 422, not 500 (backstop behind the NUL rule)", async () => {
    const app = await appThrowing(() => t.database.db.execute(sql`select ${'"a\\u0000b"'}::jsonb`));
    const res = await app.inject({ method: "GET", url: "/x" });
    expect(res.statusCode).toBe(422);
    expect(res.json().detail).toBe("The request holds text that cannot be stored.");
    await app.close();
  });

  it("classifies a refused connection (a real node-postgres error) as the database being unavailable: 503 + Retry-After", async () => {
    // A port that was free a moment ago: nothing listens there.
    const port = await new Promise<number>((resolve) => {
      const s = net.createServer().listen(0, "127.0.0.1", () => {
        const p = (s.address() as net.AddressInfo).port;
        s.close(() => resolve(p));
      });
    });
    const pool = new pg.Pool({ connectionString: `postgres://postgres@127.0.0.1:${port}/x`, max: 1 });
    const app = await appThrowing(() => pool.query("select 1"));
    const res = await app.inject({ method: "GET", url: "/x" });
    expect(res.statusCode).toBe(503);
    expect(res.headers["retry-after"]).toBe("5");
    expect(res.json().title).toBe("Service Unavailable");
    await app.close();
    await pool.end();
  });

  it("looks through Drizzle's wrapping (the cause chain) and leaves other errors alone", () => {
    const terminated = new Error("Connection terminated unexpectedly");
    expect(isDatabaseUnavailable(new Error("Failed query: select 1", { cause: terminated }))).toBe(true);
    expect(
      isDatabaseUnavailable(
        Object.assign(new Error("the database system is shutting down"), { code: "57P03" }),
      ),
    ).toBe(true);
    expect(isDatabaseUnavailable(Object.assign(new Error("duplicate key"), { code: "23505" }))).toBe(false);
    expect(isDatabaseUnavailable(new TypeError("x is undefined"))).toBe(false);
  });
});
