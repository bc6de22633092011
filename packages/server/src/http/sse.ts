import type { ServerResponse } from "node:http";

/** How often an idle event stream sends a comment, so proxies do not time it out. */
const KEEP_ALIVE_MS = 15_000;

/**
 * Keeps one event stream alive with SSE comments until the returned function is called (the
 * stream ending). A per-response timer, not a background loop: it lives and dies with the response.
 */
export function keepAlive(res: ServerResponse): () => void {
  const timer = setInterval(() => res.write(": keep-alive\n\n"), KEEP_ALIVE_MS);
  return () => clearInterval(timer);
}
