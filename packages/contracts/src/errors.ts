/**
 * The error catalogue: every problem the API answers carries one of these codes (`code`) and a
 * `type` URI naming it (`problemType(code)`). Clients branch on codes, never on statuses or
 * titles; the server maps a code to its status in one place; a test fails when a code thrown by
 * the server is missing here or undocumented. Codes are stable: rename never, add freely.
 */
export interface ErrorCodeDoc {
  status: number;
  title: string;
  /** When it happens and what the caller can do — shown in the API docs. */
  description: string;
}

/**
 * The codes, as a list of their own: the `Problem` schema (and so every client that imports the
 * contracts) needs only the names; the documentation below stays out of the web bundle.
 */
export const ERROR_CODE_NAMES = [
  "bad_request",
  "unauthenticated",
  "forbidden",
  "not_found",
  "conflict",
  "gone",
  "validation_failed",
  "rate_limited",
  "internal",
  "unavailable",
  "request_timeout",
  "revision_conflict",
  "email_not_verified",
  "link_expired",
  "sole_owner",
  "upload_offset_mismatch",
  "upload_not_receiving",
  "llm_budget_exhausted",
  "llm_provider_unknown",
  "llm_key_invalid",
  "llm_output_invalid",
  "llm_provider_error",
  "llm_keys_unavailable",
] as const;
export type ErrorCode = (typeof ERROR_CODE_NAMES)[number];

/** Every code's status and documentation; the compiler holds its keys to ERROR_CODE_NAMES. */
export const ERROR_CODES = {
  // Generic codes, one per status, for problems no more specific code names.
  bad_request: {
    status: 400,
    title: "Bad Request",
    description: "The request cannot be read (malformed JSON, a wrong content type, a bad header).",
  },
  unauthenticated: {
    status: 401,
    title: "Unauthorized",
    description: "No valid session, API key or token. Sign in or send `Authorization: Bearer <key>`.",
  },
  forbidden: {
    status: 403,
    title: "Forbidden",
    description: "Authenticated, but your role (or your key's scope) does not allow this action.",
  },
  not_found: {
    status: 404,
    title: "Not Found",
    description:
      "No such resource in the organization you act in (other organizations' resources also answer this).",
  },
  conflict: {
    status: 409,
    title: "Conflict",
    description: "The request conflicts with the resource's current state.",
  },
  gone: { status: 410, title: "Gone", description: "The resource existed but has expired or been used." },
  validation_failed: {
    status: 422,
    title: "Unprocessable Content",
    description: "Fields are invalid; `errors` lists each one by path (`body.input.landCostUsd`).",
  },
  rate_limited: {
    status: 429,
    title: "Too Many Requests",
    description: "Too many requests or runs; wait for `Retry-After` seconds.",
  },
  internal: {
    status: 500,
    title: "Internal Server Error",
    description: "A fault on our side; quote the `requestId` when reporting it.",
  },
  unavailable: {
    status: 503,
    title: "Service Unavailable",
    description: "A dependency (the database) cannot be reached; retry after `Retry-After` seconds.",
  },
  request_timeout: {
    status: 408,
    title: "Request Timeout",
    description: "The request did not arrive in time (a stalled upload chunk, say); send it again.",
  },
  // Specific codes the web app and clients act on.
  revision_conflict: {
    status: 409,
    title: "Conflict",
    description:
      "Someone saved a newer revision meanwhile (`baseRevision` is stale); reload and re-apply your change.",
  },
  email_not_verified: {
    status: 403,
    title: "Forbidden",
    description:
      "POST /auth/sign-in: the password is right but the address is not confirmed yet; a fresh verification link was mailed.",
  },
  link_expired: {
    status: 410,
    title: "Gone",
    description:
      "A mailed link or share link was used, replaced, revoked or has expired; ask for a new one (an unknown link answers `not_found`).",
  },
  sole_owner: {
    status: 409,
    title: "Conflict",
    description:
      "DELETE /session/account: you are the only owner of an organization others still belong to; appoint another owner or delete the organization first.",
  },
  upload_offset_mismatch: {
    status: 409,
    title: "Conflict",
    description:
      "PATCH /uploads/{id}: `Upload-Offset` is not the session's offset (a chunk was lost or sent twice), or POST /uploads/{id}/complete before every byte arrived; resume from the `Upload-Offset` header of the answer.",
  },
  upload_not_receiving: {
    status: 409,
    title: "Conflict",
    description:
      "The upload takes no more chunks or completions for now: all its bytes are in and it is being processed (or it failed); read GET /uploads/{id} for its phase, or ask again shortly.",
  },
  // Language models (issue 14). Runs that fail for these reasons carry the same code in `error.code`.
  llm_budget_exhausted: {
    status: 429,
    title: "Too Many Requests",
    description:
      "The organization's monthly language-model budget is spent; an admin can raise it (`PUT /org/llm/settings`). Runs that need a model fail with this code.",
  },
  llm_provider_unknown: {
    status: 422,
    title: "Unprocessable Content",
    description: "Unknown provider or model (the provider answered 404 for it); `errors` names the field.",
  },
  llm_key_invalid: {
    status: 422,
    title: "Unprocessable Content",
    description:
      "The provider rejected the API key when it was tested at save time; `errors` names `body.apiKey`.",
  },
  llm_output_invalid: {
    status: 422,
    title: "Unprocessable Content",
    description: "The model's answer did not satisfy the expected schema after retries; nothing was written.",
  },
  llm_provider_error: {
    status: 502,
    title: "Bad Gateway",
    description: "The language-model provider failed, timed out or could not be reached after retries.",
  },
  llm_keys_unavailable: {
    status: 503,
    title: "Service Unavailable",
    description:
      "The server has no LLM_MASTER_KEY, so it cannot store provider keys; an operator must set one.",
  },
} as const satisfies Record<ErrorCode, ErrorCodeDoc>;

/** The problem `type` URI of a code: a path on the API that documents it (RFC 9457 §3.1.1). */
export const problemType = (code: ErrorCode) => `/api/v1/problems/${code}`;
