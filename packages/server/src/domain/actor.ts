import type { Role } from "@modelworks/contracts/roles";

/**
 * Who acts, as a plain value: built once from the request (`http/actor.ts`) and handed to domain
 * functions instead of the request, so they can be called from a job, a script or a test.
 */
export interface Actor {
  kind: "user" | "key" | "jwt";
  /** The person: for an API key, the member who created it (runs are recorded as theirs). */
  userId: string;
  keyId?: string;
  /** The person's email; null for an API key. */
  email: string | null;
  /** The organization acted in, and the role acted as (a key's role is capped by its creator's). */
  orgId: string;
  role: Role;
  requestId: string;
  ip: string | null;
  userAgent: string | null;
}

/**
 * Who a record is attributed to when there may be no one signed in (sign-up, a failed sign-in,
 * a background job): an actor's identity without the organization.
 */
export type Attribution = Pick<Actor, "requestId" | "ip" | "userAgent"> &
  (
    | { kind: "user" | "jwt"; userId: string; email: string | null }
    | { kind: "key"; userId: string; keyId?: string | undefined }
    | { kind: "anonymous" | "system" }
  );

/** The part of a logger domain code uses (pino's, which Fastify's request loggers are). */
export interface Logger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
  debug(obj: object, msg?: string): void;
  child(bindings: Record<string, unknown>): Logger;
}
