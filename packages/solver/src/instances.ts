import type { Highs, ModelData } from "highs";

type Model = ReturnType<Highs["createModel"]>;

/**
 * HiGHS model objects reused within this thread. Creating one (`Highs_create`: options registry,
 * timers, solver objects) and destroying it costs about as much as solving a tiny LP, and an
 * engine solves many small models in a row (what-ifs, duals of the fixed LP, reduced-cost fixing).
 * A released object is cleared — model, solver state and options back to defaults, clocks zeroed
 * — so the next solve starts exactly as on a new object (the tests compare both to the last
 * digit). Objects that held a large model are destroyed instead, so no thread keeps a big
 * allocation alive between runs.
 */
const idle: Model[] = [];
/** At most this many idle objects per thread (nesting depth of a solve is 2: model + fixed LP). */
const MAX_IDLE = 4;
/** Models with more nonzeros than this are not kept (their vectors would stay allocated). */
const MAX_REUSED_NONZEROS = 20_000;
const sizes = new WeakMap<Model, number>();

/** A HiGHS model object holding `data`: an idle one of this thread, or a new one. */
export function openModel(highs: Highs, data: ModelData): Model {
  const nonzeros = data.matrix?.values?.length ?? 0;
  const reused = idle.pop();
  if (reused) {
    reused.passModel(data);
    sizes.set(reused, nonzeros);
    return reused;
  }
  const model = highs.createModel(data);
  sizes.set(model, nonzeros);
  return model;
}

/** Gives the object back: cleared and kept for the next solve, or destroyed. */
export function closeModel(model: Model): void {
  if (model.disposed) return;
  if (idle.length >= MAX_IDLE || (sizes.get(model) ?? 0) > MAX_REUSED_NONZEROS) {
    model.dispose();
    return;
  }
  try {
    model.clear();
    model.zeroAllClocks();
  } catch {
    model.dispose();
    return;
  }
  idle.push(model);
}

/** Destroys this thread's idle model objects (tests; a thread about to idle for long). */
export function releaseIdleModels(): void {
  for (const model of idle.splice(0)) model.dispose();
}

/** How many idle model objects this thread holds (tests). */
export function idleModelCount(): number {
  return idle.length;
}
