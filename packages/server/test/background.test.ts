import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { Background, everyInterval } from "../src/background.ts";
import { createTestApp } from "./harness.ts";

afterEach(() => {
  vi.useRealTimers();
});

describe("the background registry", () => {
  it("starts every task, runs their ticks, and leaves no timer after stop", async () => {
    vi.useFakeTimers();
    const ticks = { a: 0, b: 0 };
    const bg = new Background();
    bg.register("a", () =>
      everyInterval({ intervalMs: 1000, tick: async () => ticks.a++, onError: () => {} }),
    );
    bg.register("b", () =>
      everyInterval({ intervalMs: 5000, firstDelayMs: 10, tick: async () => ticks.b++, onError: () => {} }),
    );
    bg.register("off", () => null);
    expect(vi.getTimerCount()).toBe(0);
    await bg.start();
    expect(bg.tasks).toEqual([
      { name: "a", running: true },
      { name: "b", running: true },
      { name: "off", running: false },
    ]);
    expect(vi.getTimerCount()).toBe(3);
    await vi.advanceTimersByTimeAsync(5_010);
    expect(ticks).toEqual({ a: 5, b: 2 });
    await bg.stop();
    expect(bg.tasks.every((t) => !t.running)).toBe(true);
    expect(vi.getTimerCount()).toBe(0);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(ticks).toEqual({ a: 5, b: 2 });
  });

  it("stops last-started first and waits for a tick in progress", async () => {
    const order: string[] = [];
    let finishTick: () => void = () => {};
    const bg = new Background();
    bg.register("first", () => ({ stop: async () => void order.push("first") }));
    bg.register("slow", () =>
      everyInterval({
        intervalMs: 60_000,
        firstDelayMs: 0,
        tick: () => new Promise<void>((r) => (finishTick = r)),
        onError: () => {},
      }),
    );
    await bg.start();
    await new Promise((r) => setTimeout(r, 20)); // the first tick is now in progress
    const stopping = bg.stop().then(() => order.push("stopped"));
    await new Promise((r) => setTimeout(r, 20));
    expect(order).toEqual([]); // "slow" waits for its tick before "first" is stopped
    finishTick();
    await stopping;
    expect(order).toEqual(["first", "stopped"]);
  });

  it("refuses a name twice and a task registered after start", async () => {
    const bg = new Background();
    bg.register("x", () => null);
    expect(() => bg.register("x", () => null)).toThrow(/twice/);
    await bg.start();
    expect(() => bg.register("y", () => null)).toThrow(/after start/);
  });

  it("runs the app's upload sweep while the app is open, and stops it on close", async () => {
    const t = await createTestApp();
    await t.app.ready();
    const background = t.app.background;
    expect(background.tasks).toEqual(expect.arrayContaining([{ name: "upload-sweep", running: true }]));
    await t.close();
    expect(background.tasks.every((task) => !task.running)).toBe(true);
  });

  it("starts a test app's run worker as the server does — a background task — and stops it on close", async () => {
    const t = await createTestApp({}, { worker: true });
    const background = t.app.background;
    expect(background.tasks).toEqual(expect.arrayContaining([{ name: "run-worker", running: true }]));
    // Stopped before the upload sweep registered ahead of it: last started, first stopped.
    expect(background.tasks.map((task) => task.name).slice(-1)).toEqual(["run-worker"]);
    expect(t.worker).toBeDefined();
    await t.close();
    expect(background.tasks.every((task) => !task.running)).toBe(true);
  });
});

describe("route plugins", () => {
  it("start no timers of their own (background work registers in src/background.ts)", async () => {
    const dir = path.resolve(import.meta.dirname, "../src/routes");
    const files = (await readdir(dir, { recursive: true })).filter((f) => f.endsWith(".ts"));
    expect(files.length).toBeGreaterThan(15);
    const offenders = [];
    for (const f of files) {
      const text = await readFile(path.join(dir, f), "utf8");
      if (/\bsetInterval\s*\(/.test(text)) offenders.push(f);
    }
    expect(offenders).toEqual([]);
  });
});
