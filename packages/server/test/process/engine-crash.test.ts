import { randomBytes } from "node:crypto";
import { afterAll, describe, expect, it } from "vitest";
import {
  jsonLines,
  killAll,
  makeTempDir,
  postJson,
  sessionBody,
  sessionCookie,
  signUpVerified,
  startReadyServer,
} from "./spawn.ts";

/**
 * Issue 19's defect, with a real server process: an engine bug that kills its process (here a
 * real V8 fatal error — one allocation beyond the thread's heap limit, which V8 answers with a
 * process-wide FATAL ERROR, not with the thread's out-of-memory handler) used to take the whole
 * server down, and the lease sweep then handed the same run to the next instance. Now the engine
 * process dies alone: the server keeps answering, the innocent run that shared the process
 * completes, and the poison run fails with `engine_crashed` after exactly one isolated retry.
 */
const MODEL = "test-montecarlo-sum";

afterAll(async () => killAll());

interface RunView {
  status: string;
  progress: number;
  attempts: number;
  error: { code: string; message: string } | null;
  output: { analyticMean: number } | null;
}

describe("an engine that kills its process", () => {
  it("leaves the server serving, fails the poison run after one isolated retry and completes its neighbour", async () => {
    const data = makeTempDir("mw-engine-crash-");
    try {
      const server = await startReadyServer({
        DATA_DIR: data.dir,
        SESSION_SECRET: "engine-crash-session-secret-0123456789",
        COOKIE_SECURE: "false",
        SEED_DEMO: "false",
        LOG_LEVEL: "warn",
        INTERNAL_MODELS: "true",
        RUN_WORKER_THREADS: "2",
        RUN_POLL_MS: "200",
        RUN_HEARTBEAT_MS: "200",
        ENGINE_MAX_HEAP_MB: "64",
      });
      const signUp = await signUpVerified(server.url, server, {
        email: `engine-${randomBytes(4).toString("hex")}@example.com`,
        password: "correct horse battery staple",
        name: "Engine",
      });
      const headers = {
        cookie: sessionCookie(signUp),
        "x-csrf-token": (await sessionBody(signUp)).csrfToken,
      };
      expect((await postJson(`${server.url}/api/v1/orgs`, { name: "Engine Org" }, headers)).status).toBe(201);
      const start = async (input: unknown) => {
        const res = await postJson(
          `${server.url}/api/v1/models/${MODEL}/runs?cache=false`,
          { input },
          headers,
        );
        expect(res.status).toBe(202);
        return ((await res.json()) as { id: string }).id;
      };
      const get = async (id: string) =>
        (await (await fetch(`${server.url}/api/v1/runs/${id}`, { headers })).json()) as RunView;
      const until = async (id: string, ok: (r: RunView) => boolean, timeoutMs = 90_000) => {
        const deadline = Date.now() + timeoutMs;
        for (;;) {
          const r = await get(id);
          if (ok(r)) return r;
          if (Date.now() > deadline) throw new Error(`run ${id} still ${JSON.stringify(r)}`);
          await new Promise((res) => setTimeout(res, 100));
        }
      };

      // /health is polled the whole time: every answer must be 200.
      const health: number[] = [];
      let polling = true;
      const poller = (async () => {
        while (polling) {
          const res = await fetch(`${server.url}/health`).catch(() => null);
          health.push(res?.status ?? 0);
          await res?.arrayBuffer();
          await new Promise((r) => setTimeout(r, 100));
        }
      })();

      // ~40 chunks × 200 ms: still running when its neighbour kills their shared process.
      const innocent = await start({
        terms: [{ mean: 4, sd: 1 }],
        samples: 400_000,
        seed: 3,
        pauseMsPerChunk: 200,
      });
      await until(innocent, (r) => r.status === "running" && r.progress > 0);
      const poison = await start({ terms: [{ mean: 1, sd: 1 }], samples: 10, failure: "v8-fatal" });

      // It crashed the shared process while the innocent run was still in it.
      const during = await until(innocent, (r) => r.attempts === 2 || r.status === "succeeded");
      expect(during.status).not.toBe("succeeded");
      const failed = await until(poison, (r) => r.status === "failed");
      expect(failed.attempts).toBe(2); // the shared attempt and exactly one isolated retry
      expect(failed.error!.code).toBe("engine_crashed");
      expect(failed.error!.message).toContain(`crashed while running this input`);
      expect(failed.error!.message).toContain(`Quote run id ${poison}`);
      expect(failed.error!.message).toMatch(/engine process stopped \(signal SIGABRT\) with this run alone/);

      const done = await until(innocent, (r) => r.status === "succeeded");
      expect(done.attempts).toBe(2); // it shared the crashed process, then ran alone
      expect(done.output!.analyticMean).toBe(4);

      // A thread that fills its heap in small steps loses only its thread: a final answer.
      const hungry = await start({ terms: [{ mean: 1, sd: 1 }], samples: 10, failure: "exhaust-heap" });
      const oom = await until(hungry, (r) => r.status === "failed");
      expect(oom.attempts).toBe(1);
      expect(oom.error!.code).toBe("resource_limit");
      expect(oom.error!.message).toMatch(/heap limit of 64 MB/);

      // And the replacement engine process serves ordinary runs.
      const after = await start({ terms: [{ mean: 2, sd: 1 }], samples: 1_000, seed: 9 });
      expect((await until(after, (r) => r.status === "succeeded")).output!.analyticMean).toBe(2);

      polling = false;
      await poller;
      expect(server.hasExited()).toBe(false);
      expect(health.length).toBeGreaterThan(20);
      expect(health.filter((s) => s !== 200)).toEqual([]);
      // One shared engine process died (the one-shot retry's death is the run's, not the pool's).
      const crashes = jsonLines(server.stderr() + server.stdout()).filter((l) =>
        String(l.msg).startsWith("engine process stopped unexpectedly"),
      );
      expect(crashes).toHaveLength(1);
      expect(crashes[0]).toMatchObject({ signal: "SIGABRT", runsInFlight: 2 });
      expect(server.stderr()).toMatch(/FATAL ERROR/);
      await server.stop();
    } finally {
      data.remove();
    }
  }, 180_000);
});
