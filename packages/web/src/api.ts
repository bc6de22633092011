import type { ErrorCode, Problem } from "@modelworks/contracts";
import { type ArgsOf, type Endpoint, pathOf, type ResponseOf } from "./client/endpoint.ts";
import { takeEarly } from "./lib/early-requests.ts";

/**
 * The one way the app talks to the server: the public REST API under /api/v1 with the session
 * cookie, and the session's CSRF token on every unsafe request (the server refuses them otherwise).
 * Requests go through `call(endpoints.x, …)`: typed by the API's contracts, declared once in
 * client/endpoints.ts.
 */
export const API = "/api/v1";

let csrfToken: string | null = null;
export function setCsrfToken(token: string | null) {
  csrfToken = token;
}
/** For requests `call()` cannot make (an upload with progress over XMLHttpRequest). */
export const getCsrfToken = () => csrfToken;

/** A code of the error catalogue, or `network_error` when no answer came back at all. */
export type ClientErrorCode = ErrorCode | "network_error";

/**
 * The generic code of a status, for problems that carry no `code` (answers of servers older than
 * the error catalogue, a proxy's own error page). The one place the app reads a status.
 */
const GENERIC_CODES: Record<number, ErrorCode> = {
  400: "bad_request",
  401: "unauthenticated",
  403: "forbidden",
  404: "not_found",
  408: "request_timeout",
  409: "conflict",
  410: "gone",
  422: "validation_failed",
  429: "rate_limited",
  503: "unavailable",
};

/** A refused request: the server's problem+json, with field errors for 422s. */
export class ApiError extends Error {
  readonly status: number;
  readonly problem: Partial<Problem>;
  /** What went wrong, from the error catalogue (contracts/errors.ts): what the app branches on. */
  readonly code: ClientErrorCode;
  constructor(status: number, problem: Partial<Problem>) {
    super(problem.detail ?? problem.title ?? `Request failed (${status})`);
    this.status = status;
    this.problem = problem;
    this.code =
      problem.code ??
      (status === 0
        ? "network_error"
        : (GENERIC_CODES[status] ?? (status >= 500 ? "internal" : "bad_request")));
  }
  get fieldErrors() {
    return this.problem.errors ?? [];
  }
}

/** Whether `err` is a refusal with one of these codes. */
export function hasCode(err: unknown, ...codes: ClientErrorCode[]): err is ApiError {
  return err instanceof ApiError && codes.includes(err.code);
}

/** Calls a declared endpoint: `call(endpoints.scenario, { params: { id } })`. */
export function call<E extends Endpoint>(
  e: E,
  ...[args]: Record<never, never> extends ArgsOf<E> ? [ArgsOf<E>?] : [ArgsOf<E>]
): Promise<ResponseOf<E>> {
  const a = (args ?? {}) as { params?: Record<string, string | number>; query?: object; body?: unknown };
  return request(e.method, pathOf(e.path, a.params), a.query as Record<string, unknown>, a.body) as Promise<
    ResponseOf<E>
  >;
}

async function request(
  method: string,
  path: string,
  query: Record<string, unknown> | undefined,
  body: unknown,
): Promise<unknown> {
  const headers: Record<string, string> = { accept: "application/json" };
  if (body !== undefined) headers["content-type"] = "application/json";
  if (method !== "GET" && csrfToken) headers["x-csrf-token"] = csrfToken;
  let url = `${API}${path}`;
  if (query) {
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== "") q.set(k, String(v));
    const s = q.toString();
    if (s) url += `?${s}`;
  }
  const json = body === undefined ? undefined : JSON.stringify(body);
  let res: Response;
  try {
    // The same request started by the entry module for the first page (lib/early-requests.ts).
    res =
      (await takeEarly(method, url, json)) ??
      (await fetch(url, { method, headers, credentials: "same-origin", body: json }));
  } catch {
    throw new ApiError(0, {
      title: "Network error",
      detail: "The server could not be reached. Check your connection and try again.",
    });
  }
  if (res.status === 204) return undefined;
  const text = await res.text();
  const data = text ? safeJson(text) : undefined;
  if (!res.ok) {
    const problem = (data && typeof data === "object" ? data : { title: res.statusText }) as Partial<Problem>;
    throw new ApiError(res.status, problem);
  }
  return data;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return { title: "Unexpected response", detail: text.slice(0, 200) };
  }
}

/** Words for an error a person can act on. */
export function errorMessage(err: unknown): string {
  if (err instanceof ApiError) {
    if (err.code === "unauthenticated") return "Your session has ended. Sign in again.";
    if (err.code === "rate_limited")
      return err.problem.detail ?? "Too many requests; wait a moment and try again.";
    return err.problem.detail ?? err.problem.title ?? err.message;
  }
  return err instanceof Error ? err.message : String(err);
}

/**
 * Worth retrying by itself: no answer, or the server's own fault. Refusals (bad input, no
 * access, a conflict) come back the same however often they are asked.
 */
export function isTransient(err: unknown): boolean {
  return !(err instanceof ApiError) || hasCode(err, "network_error", "internal", "unavailable");
}
