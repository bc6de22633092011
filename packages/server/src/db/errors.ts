/** How database driver errors are recognised, wherever they are handled (HTTP, workers, jobs). */

/** Node socket errors: the connection could not be made, or broke. */
const CONNECTION_ERROR_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EPIPE",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "EAI_AGAIN",
  "ENOTFOUND",
]);
/** node-postgres's own messages for a lost connection and for the pool's connect timeout. */
const CONNECTION_ERROR_MESSAGES = [
  /^Connection terminated/,
  /^timeout exceeded when trying to connect$/,
  /^Client has encountered a connection error and is not queryable$/,
  /^Client was closed and is not queryable$/,
];

/**
 * The database (driver) cannot be reached: connection refused, reset or terminated, the pool's
 * connect timeout, or the server saying it is shutting down or full (SQLSTATE class 08, 57P01–
 * 57P03, 53300). Drizzle wraps the driver's error as `cause`, so the chain is followed.
 */
export function isDatabaseUnavailable(err: unknown): boolean {
  for (
    let e = err as { code?: unknown; message?: unknown; cause?: unknown } | null, depth = 0;
    e && depth < 5;
    depth++
  ) {
    const code = typeof e.code === "string" ? e.code : "";
    if (CONNECTION_ERROR_CODES.has(code)) return true;
    if (/^08[0-9A-Z]{3}$/.test(code) || ["57P01", "57P02", "57P03", "53300"].includes(code)) return true;
    if (
      typeof e.message === "string" &&
      CONNECTION_ERROR_MESSAGES.some((re) => re.test(e!.message as string))
    )
      return true;
    e = e.cause as typeof e;
  }
  return false;
}

/** A unique-constraint violation (SQLSTATE 23505), also when Drizzle wraps the driver's error as `cause`. */
export function isUniqueViolation(err: unknown): boolean {
  const e = err as { code?: string; cause?: { code?: string } } | null;
  return e?.code === "23505" || e?.cause?.code === "23505";
}
