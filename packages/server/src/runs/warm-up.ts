import type { AnyModel } from "@modelworks/model-kit";

/**
 * An engine thread's warm-up beyond loading the engines' modules: each distinct `warmUp` of the
 * given models (a solver's WebAssembly, compiled per thread), once. A hook that fails does not
 * fail the thread: the first run that needs what it loads loads it again, and meets the error
 * itself if there is one.
 */
export async function warmUpEngines(models: readonly AnyModel[]): Promise<number> {
  const hooks = new Set(models.flatMap((m) => (m.warmUp ? [m.warmUp] : [])));
  await Promise.all([...hooks].map((warmUp) => warmUp().catch(() => undefined)));
  return hooks.size;
}
