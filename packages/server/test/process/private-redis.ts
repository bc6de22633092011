import { spawnSync } from "node:child_process";
import { Redis } from "ioredis";
import { type Child, startChild } from "./spawn.ts";

/** Tests that start their own redis-server need the binary (CI installs it: .ci/run). */
export const HAS_REDIS_SERVER = spawnSync("redis-server", ["--version"]).status === 0;

/**
 * A private redis-server on a loopback port of the test's choosing (never the shared one), which
 * a test may kill, restart on the same port, or pause.
 */
export class PrivateRedis {
  proc: Child | null = null;
  constructor(readonly port: number) {}
  get url() {
    return `redis://127.0.0.1:${this.port}`;
  }
  async start() {
    this.proc = startChild(
      "redis-server",
      ["--port", String(this.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
      { env: {} },
    );
    await this.proc.waitForLine(/Ready to accept connections/, 10_000);
  }
  async kill() {
    await this.proc?.stop("SIGKILL");
  }
  signal(sig: "SIGSTOP" | "SIGCONT") {
    process.kill(this.proc!.pid, sig);
  }
  /** A one-off client that gives up at once, to look inside without riding out outages. */
  async inspect<T>(fn: (r: Redis) => Promise<T>): Promise<T> {
    const r = new Redis(this.url, { maxRetriesPerRequest: 0, retryStrategy: () => null });
    r.on("error", () => {});
    try {
      return await fn(r);
    } finally {
      r.disconnect();
    }
  }
}
