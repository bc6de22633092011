/**
 * Fan-out: a model may split a long computation into independent *parts* — pure, synchronous
 * functions it declares by name (`defineModel({ parts })`) — and ask the platform to run them on
 * several threads. The platform's engine pool does it with helper threads; without one (CLI,
 * tests) `runParts` runs them in the calling thread. Results are the same either way, in item
 * order: a part may depend only on its arguments (derive random seeds from the item, not from
 * the thread or the order of execution).
 *
 * Work is shared through a board of counters in a SharedArrayBuffer: every worker (the run's
 * own thread and each helper) claims the next item with an atomic increment, so no item is done
 * twice, a helper that starts late claims nothing and costs nothing, and the run's own thread
 * never waits for a helper that has not started — it does the remaining items itself.
 */
import type { ModelContext } from "./context.ts";
import { ModelCanceledError } from "./errors.ts";

/** A model's part: `(shared, item) → result`, pure and synchronous; arguments and result are structured-cloneable. */
// biome-ignore lint/suspicious/noExplicitAny: parts of every shape live in one registry
export type ModelPart = (shared: any, item: any) => unknown;

/** Board slots (Int32 indices). */
const NEXT = 0; // the next unclaimed item
const DONE = 1; // items finished, by anyone
const STOP = 2; // 1 = stop claiming (canceled, or the run is over)
const BOARD_SLOTS = 3;

export function createBoard(): Int32Array {
  return new Int32Array(new SharedArrayBuffer(BOARD_SLOTS * Int32Array.BYTES_PER_ELEMENT));
}

export function stopBoard(board: Int32Array): void {
  Atomics.store(board, STOP, 1);
}

export function boardDone(board: Int32Array): number {
  return Atomics.load(board, DONE);
}

/**
 * A helper's share of the work: claims items until none is left or the board says stop.
 * Returns `[index, result]` pairs of the items it did.
 */
export function workParts(
  fn: ModelPart,
  shared: unknown,
  items: readonly unknown[],
  board: Int32Array,
): [number, unknown][] {
  const done: [number, unknown][] = [];
  while (Atomics.load(board, STOP) === 0) {
    const i = Atomics.add(board, NEXT, 1);
    if (i >= items.length) break;
    done.push([i, fn(shared, items[i])]);
    Atomics.add(board, DONE, 1);
  }
  return done;
}

/** What the platform offers a running model to fan work out (absent: everything runs in its thread). */
export interface FanOut {
  /** Threads that may help, besides the run's own. */
  readonly helpers: number;
  /**
   * Starts up to `count` helpers on `part` of the running model; each works the board (see
   * `workParts`) and resolves with the pairs it did — or rejects if its thread failed. A helper
   * that cannot be started resolves with none.
   */
  startHelpers(req: {
    part: string;
    shared: unknown;
    items: readonly unknown[];
    board: Int32Array;
    count: number;
  }): Promise<[number, unknown][]>[];
}

export interface RunPartsOptions<S, I, R> {
  /** The part's name in the model's `parts` (how helper threads find it). */
  part: string;
  /** The same function, for this thread. */
  fn: (shared: S, item: I) => R;
  shared: S;
  items: readonly I[];
  /** Called as items finish (by any thread), with (done, total). */
  onProgress?: (done: number, total: number) => void;
}

/** How long this thread works before it lets its event loop run (abort messages arrive there). */
const YIELD_EVERY_MS = 25;

/**
 * Runs `fn(shared, item)` for every item — on the platform's helper threads as well as this one
 * when `ctx.fanOut` is there — and returns the results in item order. Honours `ctx.signal`
 * between items (and stops the helpers); throws ModelCanceledError when aborted.
 */
export async function runParts<S, I, R>(ctx: ModelContext, o: RunPartsOptions<S, I, R>): Promise<R[]> {
  const n = o.items.length;
  const results = new Array<R>(n);
  const have = new Uint8Array(n);
  let missing = n;
  const put = (i: number, r: R) => {
    if (have[i]) return;
    have[i] = 1;
    results[i] = r;
    missing--;
  };
  const board = createBoard();
  const wanted = Math.min(ctx.fanOut?.helpers ?? 0, n - 1);
  const helpers =
    wanted > 0 && ctx.fanOut
      ? ctx.fanOut.startHelpers({ part: o.part, shared: o.shared, items: o.items, board, count: wanted })
      : [];
  let helperFailed = false;
  const pending = new Set<Promise<void>>();
  for (const h of helpers) {
    const p: Promise<void> = h.then(
      (pairs) => {
        for (const [i, r] of pairs) put(i, r as R);
      },
      () => {
        helperFailed = true;
      },
    );
    pending.add(p);
    void p.finally(() => pending.delete(p));
  }
  const report = () => o.onProgress?.(Math.min(n, boardDone(board)), n);

  try {
    let lastYield = performance.now();
    while (true) {
      if (ctx.signal.aborted) throw new ModelCanceledError();
      const i = Atomics.add(board, NEXT, 1);
      if (i >= n) break;
      put(i, o.fn(o.shared, o.items[i]!));
      Atomics.add(board, DONE, 1);
      report();
      if (performance.now() - lastYield > YIELD_EVERY_MS) {
        await yieldToEventLoop();
        lastYield = performance.now();
      }
    }
    // Every item is claimed; wait only for those a helper is still working on.
    while (missing > 0 && !helperFailed && pending.size > 0) {
      if (ctx.signal.aborted) throw new ModelCanceledError();
      await Promise.race([...pending, delay(YIELD_EVERY_MS)]);
      report();
    }
    // A helper thread died with items it had claimed: do them here (parts are deterministic,
    // so a late duplicate from another helper changes nothing).
    for (let i = 0; i < n && missing > 0; i++) {
      if (ctx.signal.aborted) throw new ModelCanceledError();
      if (!have[i]) put(i, o.fn(o.shared, o.items[i]!));
    }
    report();
    return results;
  } finally {
    stopBoard(board);
  }
}

function yieldToEventLoop(): Promise<void> {
  const g = globalThis as { setImmediate?: (cb: () => void) => unknown };
  return new Promise((resolve) => (g.setImmediate ? g.setImmediate(resolve) : setTimeout(resolve, 0)));
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
