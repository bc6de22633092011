import { isFinishedRunStatus, type RunStatus } from "@modelworks/contracts/run-status";

/** How often the run page re-reads an unfinished run while its event stream is down. */
export const RUN_POLL_MS = 3_000;
/**
 * …and while the stream is open: it carries the progress, so the re-read is only a safety net for a
 * stream that stalls without an error. The record holds the run's whole input — a 50k-row fit's
 * ~20 MB — so at 3 s a fit's page re-read it some 70 times.
 */
export const RUN_POLL_STREAMING_MS = 30_000;

/** The run page's re-read interval (TanStack Query's `refetchInterval`): false once finished. */
export function runRefetchMs(status: RunStatus | undefined, streamOpen: boolean): number | false {
  if (status === undefined || isFinishedRunStatus(status)) return false;
  return streamOpen ? RUN_POLL_STREAMING_MS : RUN_POLL_MS;
}
