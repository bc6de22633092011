import type { AnyModel } from "@modelworks/model-kit";
import type { AppDeps } from "../deps.ts";
import type { Actor, Logger } from "../domain/actor.ts";

/**
 * Charges `runs` to the caller's hourly run budget (429 when spent), then records them with
 * `start`; sweeps call it too. Call it once the request is known valid: only accepted runs count,
 * so when `start` fails (a 422 from the model's own rules, a database error) the charge is refunded.
 */
export async function withRunBudget<T>(
  deps: AppDeps,
  actor: Actor,
  log: Logger,
  /** The model run (or, for platform runs such as scoring, just whether it is heavy). */
  model: Pick<AnyModel, "heavy">,
  runs: number,
  start: () => Promise<T>,
): Promise<T> {
  const caller = actor.kind === "key" ? `key:${actor.keyId}` : `user:${actor.userId}`;
  const heavy = model.heavy === true;
  await deps.runBudget.spend(caller, heavy, runs);
  try {
    return await start();
  } catch (err) {
    await deps.runBudget
      .refund(caller, heavy, runs)
      .catch((e) => log.warn({ err: e }, "run budget refund failed"));
    throw err;
  }
}
