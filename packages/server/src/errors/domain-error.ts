import { ERROR_CODES, type ErrorCode } from "@modelworks/contracts/errors";

export interface FieldError {
  path: string;
  message: string;
}

/**
 * An error with a stable code from the catalogue (`@modelworks/contracts/errors`). Domain code
 * throws it without knowing HTTP; `http/errors.ts` is the one place that turns the code into a
 * status, a title and a problem `type`.
 */
export class DomainError extends Error {
  constructor(
    readonly code: ErrorCode,
    readonly detail?: string,
    readonly errors?: FieldError[],
    /** Response headers the answer needs (`Retry-After`, tus offsets); ignored outside HTTP. */
    readonly headers?: Record<string, string>,
  ) {
    super(detail ?? ERROR_CODES[code].title);
    this.name = "DomainError";
  }

  get status(): number {
    return ERROR_CODES[this.code].status;
  }

  get title(): string {
    return ERROR_CODES[this.code].title;
  }
}

// Generic codes, for refusals no more specific code names.
export const badRequest = (detail: string) => new DomainError("bad_request", detail);
export const unauthorized = (detail = "Sign in or send an API key as `Authorization: Bearer <key>`.") =>
  new DomainError("unauthenticated", detail, undefined, { "www-authenticate": 'Bearer realm="modelworks"' });
export const forbidden = (detail: string) => new DomainError("forbidden", detail);
export const notFound = (what: string) => new DomainError("not_found", `${what} not found.`);
export const conflict = (detail: string) => new DomainError("conflict", detail);
export const unprocessable = (errors: FieldError[], detail = "The request has invalid fields.") =>
  new DomainError("validation_failed", detail, errors);
