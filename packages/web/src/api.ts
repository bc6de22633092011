import type { Problem } from "@modelworks/contracts";

/**
 * The one way the app talks to the server: the public REST API under /api/v1 with the session
 * cookie, and the session's CSRF token on every unsafe request (the server refuses them otherwise).
 */
export const API = "/api/v1";

let csrfToken: string | null = null;
export function setCsrfToken(token: string | null) {
  csrfToken = token;
}
/** For requests `api()` cannot make (an upload with progress over XMLHttpRequest). */
export const getCsrfToken = () => csrfToken;

/** A refused request: the server's problem+json, with field errors for 422s. */
export class ApiError extends Error {
  readonly status: number;
  readonly problem: Partial<Problem>;
  constructor(status: number, problem: Partial<Problem>) {
    super(problem.detail ?? problem.title ?? `Request failed (${status})`);
    this.status = status;
    this.problem = problem;
  }
  get fieldErrors() {
    return this.problem.errors ?? [];
  }
}

export async function api<T>(
  path: string,
  init: { method?: string; body?: unknown; query?: Record<string, string | number | undefined> } = {},
): Promise<T> {
  const method = init.method ?? "GET";
  const headers: Record<string, string> = { accept: "application/json" };
  if (init.body !== undefined) headers["content-type"] = "application/json";
  if (method !== "GET" && csrfToken) headers["x-csrf-token"] = csrfToken;
  let url = `${API}${path}`;
  if (init.query) {
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(init.query)) if (v !== undefined && v !== "") q.set(k, String(v));
    const s = q.toString();
    if (s) url += `?${s}`;
  }
  let res: Response;
  try {
    res = await fetch(url, {
      method,
      headers,
      credentials: "same-origin",
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
    });
  } catch {
    throw new ApiError(0, {
      title: "Network error",
      detail: "The server could not be reached. Check your connection and try again.",
    });
  }
  if (res.status === 204) return undefined as T;
  const text = await res.text();
  const data = text ? safeJson(text) : undefined;
  if (!res.ok) {
    const problem = (data && typeof data === "object" ? data : { title: res.statusText }) as Partial<Problem>;
    throw new ApiError(res.status, problem);
  }
  return data as T;
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
    if (err.status === 401) return "Your session has ended. Sign in again.";
    if (err.status === 429) return err.problem.detail ?? "Too many requests; wait a moment and try again.";
    return err.problem.detail ?? err.problem.title ?? err.message;
  }
  return err instanceof Error ? err.message : String(err);
}

export interface Page<T> {
  items: T[];
  total: number;
  limit: number;
  offset: number;
}
