import type { Logger } from "./domain/actor.ts";

/** A started background task: stop it and it has no timer, no pending work left. */
export interface Stoppable {
  stop(): Promise<void>;
}

/** One registered task, as the registry reports it. */
export interface BackgroundTask {
  readonly name: string;
  /** True from a successful start until its stop has finished. */
  readonly running: boolean;
}

interface Entry {
  name: string;
  start: () => Promise<Stoppable | null> | Stoppable | null;
  handle: Stoppable | null;
  running: boolean;
}

/**
 * The one place background work starts and stops: run workers, the retention and upload sweeps,
 * and whatever the next engines schedule. Tasks register by name before `start`; `stop` stops them
 * in reverse order (a worker after the sweeps that feed it nothing, connections by the caller
 * afterwards). Route plugins never start timers of their own (test/background.test.ts).
 */
export class Background {
  readonly #entries: Entry[] = [];
  #started = false;

  constructor(private readonly log?: Pick<Logger, "info" | "error">) {}

  /** Adds a task; `start` may return null when the task is configured off (e.g. an interval of 0). */
  register(name: string, start: Entry["start"]): void {
    if (this.#entries.some((e) => e.name === name))
      throw new Error(`background task ${name} registered twice`);
    if (this.#started) throw new Error(`background task ${name} registered after start`);
    this.#entries.push({ name, start, handle: null, running: false });
  }

  get tasks(): readonly BackgroundTask[] {
    return this.#entries.map(({ name, running }) => ({ name, running }));
  }

  /** Starts every task, in registration order; a task that fails to start stops those started before it. */
  async start(): Promise<void> {
    if (this.#started) return;
    this.#started = true;
    for (const e of this.#entries) {
      try {
        e.handle = await e.start();
      } catch (err) {
        this.log?.error({ err, task: e.name }, "background task failed to start");
        await this.stop();
        throw err;
      }
      e.running = e.handle !== null;
      if (e.running) this.log?.info({ task: e.name }, "background task started");
    }
  }

  /** Stops every running task, last started first, waiting for work in progress. */
  async stop(): Promise<void> {
    for (const e of [...this.#entries].reverse()) {
      if (!e.handle) continue;
      const handle = e.handle;
      e.handle = null;
      await handle.stop();
      e.running = false;
    }
  }
}

/**
 * A task that runs `tick` every `intervalMs` (the first after `firstDelayMs`, when given), never two at once;
 * `stop` clears its timers and waits for a tick in progress. Timers are unref'd: they never keep a
 * process alive on their own.
 */
export function everyInterval(o: {
  intervalMs: number;
  firstDelayMs?: number;
  tick: () => Promise<unknown>;
  onError: (err: unknown) => void;
}): Stoppable {
  let inFlight: Promise<void> | null = null;
  let stopped = false;
  const run = () => {
    if (stopped || inFlight) return;
    inFlight = o
      .tick()
      .then(() => {}, o.onError)
      .finally(() => {
        inFlight = null;
      });
  };
  // Without `firstDelayMs` the first tick is one interval in.
  const first = o.firstDelayMs === undefined ? undefined : setTimeout(run, o.firstDelayMs);
  const every = setInterval(run, o.intervalMs);
  first?.unref();
  every.unref();
  return {
    async stop() {
      stopped = true;
      clearTimeout(first);
      clearInterval(every);
      await inFlight;
    },
  };
}
