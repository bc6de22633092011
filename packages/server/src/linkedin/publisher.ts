import { everyInterval, type Stoppable } from "../background.ts";
import type { Logger } from "../domain/actor.ts";
import type { LinkedInService } from "./service.ts";

/** The background task posting due scheduled publications; null (off) for an interval of 0. */
export function startLinkedinPublisher(
  li: LinkedInService,
  intervalSeconds: number,
  log?: Pick<Logger, "info" | "warn">,
): Stoppable | null {
  if (intervalSeconds <= 0) return null;
  return everyInterval({
    intervalMs: intervalSeconds * 1000,
    firstDelayMs: 5_000,
    tick: async () => {
      const s = await li.publishDue();
      if (s.claimed) log?.info({ ...s }, "scheduled LinkedIn posts handled");
    },
    onError: (err) => log?.warn({ err }, "LinkedIn publisher tick failed"),
  });
}
