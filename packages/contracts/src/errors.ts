import { z } from "zod";

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
  "request_timeout",
  "body_too_large",
  "unsupported_media_type",
  "headers_too_large",
  "rate_limited",
  "internal",
  "unavailable",
  "revision_conflict",
  "name_taken",
  "already_exists",
  "source_already_followed",
  "post_already_recorded",
  "fetch_in_progress",
  "already_revoked",
  "already_member",
  "invitation_not_pending",
  "invitation_used",
  "invitation_revoked",
  "invitation_expired",
  "verification_link_used",
  "verification_link_expired",
  "invalid_credentials",
  "email_not_verified",
  "sign_in_throttled",
  "sole_owner",
  "run_finished",
  "run_not_finished",
  "run_not_succeeded",
  "model_not_hosted",
  "input_invalid",
  "run_budget_exceeded",
  "sweep_finished",
  "export_empty",
  "export_timeout",
  "export_busy",
  "file_too_large",
  "unsupported_file_type",
  "file_invalid",
  "upload_offset_mismatch",
  "upload_closed",
  "upload_incomplete",
  "upload_version_unsupported",
  "share_link_revoked",
  "share_link_expired",
  "share_link_run_deleted",
  "llm_budget_exhausted",
  "llm_provider_unknown",
  "llm_key_invalid",
  "llm_output_invalid",
  "llm_provider_error",
  "llm_keys_unavailable",
  "llm_key_unreadable",
  "model_gate_failed",
  "artifact_not_approved",
  "artifact_state_conflict",
  "conversation_busy",
  "conversation_file_limit",
  "nothing_to_undo",
  "export_too_large",
  "linkedin_not_configured",
  "linkedin_not_connected",
  "linkedin_state_invalid",
  "linkedin_reconnect_needed",
  "linkedin_rate_limited",
  "linkedin_error",
  "publication_state_conflict",
  "draft_flagged",
  "powerbi_not_connected",
  "powerbi_credentials_rejected",
  "powerbi_service_error",
  "powerbi_model_unsupported",
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
  request_timeout: {
    status: 408,
    title: "Request Timeout",
    description: "The body stopped arriving before it was complete; the connection is closed. Send it again.",
  },
  body_too_large: {
    status: 413,
    title: "Content Too Large",
    description: "The request body exceeds the size limit for JSON bodies.",
  },
  unsupported_media_type: {
    status: 415,
    title: "Unsupported Media Type",
    description:
      "The body has a content type this endpoint does not read (JSON endpoints take `application/json`, uploads `multipart/form-data`).",
  },
  headers_too_large: {
    status: 431,
    title: "Request Header Fields Too Large",
    description: "The request's headers are too large (often too many or too big cookies).",
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
  // Specific codes the web app and clients act on.
  revision_conflict: {
    status: 409,
    title: "Conflict",
    description:
      "Someone saved a newer revision meanwhile (`baseRevision` is stale); reload and re-apply your change.",
  },
  name_taken: {
    status: 409,
    title: "Conflict",
    description:
      "The name (of a project, scenario or field mapping) or the organization slug is already used; choose another.",
  },
  already_exists: {
    status: 409,
    title: "Conflict",
    description: "A record with these values already exists (a concurrent request created it first).",
  },
  source_already_followed: {
    status: 409,
    title: "Conflict",
    description:
      "The organization already follows a content source with this URL; change that source instead.",
  },
  post_already_recorded: {
    status: 409,
    title: "Conflict",
    description:
      "A published post with this LinkedIn URN or URL is already recorded; record feedback on that post instead.",
  },
  fetch_in_progress: {
    status: 409,
    title: "Conflict",
    description: "The content source is being fetched right now; its result will show in the fetch history.",
  },
  already_revoked: {
    status: 409,
    title: "Conflict",
    description: "The API key or share link is already revoked.",
  },
  already_member: {
    status: 409,
    title: "Conflict",
    description: "The person is already a member of the organization.",
  },
  invitation_not_pending: {
    status: 409,
    title: "Conflict",
    description: "The invitation was already accepted, revoked or expired, so it cannot be revoked.",
  },
  invitation_used: { status: 410, title: "Gone", description: "The invitation has already been accepted." },
  invitation_revoked: { status: 410, title: "Gone", description: "The organization revoked the invitation." },
  invitation_expired: {
    status: 410,
    title: "Gone",
    description: "The invitation has expired; ask the organization for a new one.",
  },
  verification_link_used: {
    status: 410,
    title: "Gone",
    description: "The email verification or password reset link was already used or replaced by a newer one.",
  },
  verification_link_expired: {
    status: 410,
    title: "Gone",
    description: "The email verification or password reset link has expired; ask for a new one.",
  },
  invalid_credentials: {
    status: 401,
    title: "Unauthorized",
    description: "The email or password is incorrect.",
  },
  email_not_verified: {
    status: 403,
    title: "Forbidden",
    description: "The account's email address is not verified yet; follow the link in the verification mail.",
  },
  sign_in_throttled: {
    status: 429,
    title: "Too Many Requests",
    description: "Too many failed sign-ins for this email; wait for `Retry-After` seconds.",
  },
  sole_owner: {
    status: 409,
    title: "Conflict",
    description: "The organization would be left without an owner; make another member an owner first.",
  },
  run_finished: {
    status: 409,
    title: "Conflict",
    description: "The run has already finished (succeeded, failed or canceled), so it cannot be canceled.",
  },
  run_not_finished: {
    status: 409,
    title: "Conflict",
    description: "The run is still queued or running; wait for it or cancel it first.",
  },
  run_not_succeeded: {
    status: 409,
    title: "Conflict",
    description: "Only a succeeded run has output to read, export, share or compare.",
  },
  model_not_hosted: {
    status: 409,
    title: "Conflict",
    description: "The model version the run or scenario used is no longer hosted by this server.",
  },
  input_invalid: {
    status: 422,
    title: "Unprocessable Content",
    description:
      "The model input does not satisfy the model's schema; `errors` names each field (`body.input.…`).",
  },
  run_budget_exceeded: {
    status: 429,
    title: "Too Many Requests",
    description:
      "The hourly run budget (standard or heavy models) is spent, or the request asks for more runs than it allows.",
  },
  sweep_finished: {
    status: 409,
    title: "Conflict",
    description: "The sweep has already finished, so it cannot be canceled.",
  },
  export_empty: {
    status: 409,
    title: "Conflict",
    description: "The run produced nothing to put in the requested document.",
  },
  export_timeout: {
    status: 503,
    title: "Service Unavailable",
    description: "The export took too long to prepare and was stopped.",
  },
  export_busy: {
    status: 503,
    title: "Service Unavailable",
    description: "Too many exports are being prepared; retry after `Retry-After` seconds.",
  },
  file_too_large: {
    status: 413,
    title: "Content Too Large",
    description:
      "The uploaded file (or an upload chunk) exceeds the size limit or the upload's declared size.",
  },
  unsupported_file_type: {
    status: 422,
    title: "Unprocessable Content",
    description: "The file's extension is not one the server accepts (CSV, XLSX).",
  },
  file_invalid: {
    status: 422,
    title: "Unprocessable Content",
    description:
      "The file cannot be read as what it claims to be (empty, damaged, binary, no header or rows, a zip bomb).",
  },
  upload_offset_mismatch: {
    status: 409,
    title: "Conflict",
    description:
      "The chunk does not start at the upload's current offset; resume from `Upload-Offset` (tus).",
  },
  upload_closed: {
    status: 409,
    title: "Conflict",
    description: "The upload takes no more chunks: it is complete, failed or being processed.",
  },
  upload_incomplete: {
    status: 409,
    title: "Conflict",
    description: "The upload is missing bytes; send the rest (from `Upload-Offset`) before completing it.",
  },
  upload_version_unsupported: {
    status: 412,
    title: "Precondition Failed",
    description: "Only tus protocol version 1.0.0 is supported (`Tus-Resumable`).",
  },
  share_link_revoked: {
    status: 410,
    title: "Gone",
    description: "The organization that created the share link revoked it.",
  },
  share_link_expired: { status: 410, title: "Gone", description: "The share link has expired." },
  share_link_run_deleted: {
    status: 410,
    title: "Gone",
    description: "A run the share link shares has been deleted, so the link no longer works.",
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
  llm_key_unreadable: {
    status: 503,
    title: "Service Unavailable",
    description:
      "A stored provider key is wrapped by a master key the server no longer has. An operator restores that key (LLM_MASTER_KEY or LLM_MASTER_KEYS), or an admin adds the provider again with its key. Runs that need the model fail with this code; they do not fall back to the built-in path.",
  },
  model_gate_failed: {
    status: 409,
    title: "Conflict",
    description:
      "The model failed its deployment gate (top-decile lift below the threshold), so it cannot be approved as it is; approve it with an `overrideReason` saying why it may be used anyway, or fit a better one.",
  },
  artifact_not_approved: {
    status: 409,
    title: "Conflict",
    description:
      "The model artifact is not approved (a draft, or retired), so it does not score by default; approve it, or score a draft explicitly with `allowDraft: true`.",
  },
  artifact_state_conflict: {
    status: 409,
    title: "Conflict",
    description:
      "The model artifact is not in a state that allows this (only a draft can be approved; a retired one stays retired).",
  },
  conversation_busy: {
    status: 409,
    title: "Conflict",
    description:
      "The dashboard assistant is still answering the conversation's previous message; wait for its reply (or cancel its run) and send again.",
  },
  conversation_file_limit: {
    status: 422,
    title: "Unprocessable Content",
    description:
      "A conversation reads at most 10 files; the message would attach more. Nothing was stored; `errors` names `body.fileIds`.",
  },
  nothing_to_undo: {
    status: 409,
    title: "Conflict",
    description:
      "The conversation's current plan revision is its first (or there is none): there is nothing to go back to.",
  },
  export_too_large: {
    status: 422,
    title: "Unprocessable Content",
    description:
      "The download would carry more rows than the server builds at once; the detail says the limit.",
  },
  draft_flagged: {
    status: 422,
    title: "Unprocessable Content",
    description:
      "The draft (as edited) has a number, percentage, date or quote found in none of the items it cites, or breaks the writer's voice settings; `errors` names each span. Fix it, or publish (or record as published) anyway with `acceptFlags: true` (the flags are kept with the publication or post).",
  },
  linkedin_not_configured: {
    status: 503,
    title: "Service Unavailable",
    description:
      "The server has no LinkedIn app (LINKEDIN_CLIENT_ID, LINKEDIN_CLIENT_SECRET, LINKEDIN_REDIRECT_URL) or no key to store tokens (LLM_MASTER_KEY); an operator must set them. Copy the draft instead.",
  },
  linkedin_not_connected: {
    status: 409,
    title: "Conflict",
    description: "The caller has not connected a LinkedIn account in this organization; connect it first.",
  },
  linkedin_state_invalid: {
    status: 400,
    title: "Bad Request",
    description:
      "The LinkedIn callback's `state` is unknown, used, expired or was issued to someone else, or LinkedIn refused the authorization. Start connecting again.",
  },
  linkedin_reconnect_needed: {
    status: 409,
    title: "Conflict",
    description:
      "LinkedIn no longer accepts the stored authorization (expired, revoked, or refreshed and still refused); the person connects LinkedIn again.",
  },
  linkedin_rate_limited: {
    status: 429,
    title: "Too Many Requests",
    description:
      "LinkedIn is throttling this member or app; try again after `Retry-After` seconds, or schedule the post.",
  },
  linkedin_error: {
    status: 502,
    title: "Bad Gateway",
    description: "LinkedIn failed or could not be reached; nothing was published. Try again later.",
  },
  publication_state_conflict: {
    status: 409,
    title: "Conflict",
    description:
      "Only a scheduled publication can be cancelled; this one is publishing, published, failed or cancelled.",
  },
  powerbi_not_connected: {
    status: 409,
    title: "Conflict",
    description:
      "The organization has no Power BI connection; an admin sets one (tenant, client id, client secret, workspace) at PUT /org/powerbi first.",
  },
  powerbi_credentials_rejected: {
    status: 422,
    title: "Unprocessable Content",
    description:
      "The Microsoft identity platform refused the app's client credentials (wrong tenant, client id or secret, or an expired secret), or Power BI refused the token for the workspace; the detail quotes the service's reason.",
  },
  powerbi_service_error: {
    status: 502,
    title: "Bad Gateway",
    description:
      "The Power BI service answered an error or could not be reached (after waiting out its 429 Retry-After); the detail quotes its status and error code.",
  },
  powerbi_model_unsupported: {
    status: 422,
    title: "Unprocessable Content",
    description:
      "The plan's semantic model does not fit a Power BI push dataset (more than 75 tables or columns, or a table name the service refuses); `errors` names the parts. The .pbip download still carries it.",
  },
} as const satisfies Record<ErrorCode, ErrorCodeDoc>;

/** The problem `type` URI of a code: a path on the API that documents it (RFC 9457 §3.1.1). */
export const problemType = (code: ErrorCode) => `/api/v1/problems/${code}`;

/** One catalogue entry as `GET /api/v1/problems/{code}` serves it: what a problem `type` URI resolves to. */
export const ProblemTypeDto = z
  .object({
    code: z.enum(ERROR_CODE_NAMES),
    type: z.string().describe("The problem `type` URI of this code"),
    status: z.number().int(),
    title: z.string(),
    description: z.string(),
  })
  .meta({ id: "ProblemType" });
export type ProblemTypeDto = z.infer<typeof ProblemTypeDto>;

/** The catalogue entry of a code, in the shape the API serves it. */
export const problemTypeOf = (code: ErrorCode): ProblemTypeDto => ({
  code,
  type: problemType(code),
  ...ERROR_CODES[code],
});
