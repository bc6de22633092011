/**
 * A dashboard's first render is a chain of requests: the session, then (once the shell has drawn
 * and the page's chunk has loaded) the conversation, then its plan revision and the visuals'
 * query. Profiled cold (bench/README.md, issue 16), the query left the browser ~1.2 s after
 * navigation start, each link waiting for code to load and run before it. For a conversation's
 * URL the app's entry module starts that chain itself, before React is even set up: the session
 * and the conversation at once, the page's chunk alongside, and the revision and its query as
 * soon as the conversation names one. The requests are exactly the ones the page makes; `api.ts`
 * hands the page an answer started here instead of asking again.
 *
 * Each answer is given out once, and only soon after it was asked: later, the page asks afresh
 * (the conversation may have a new revision by then).
 */
const FRESH_MS = 30_000;

interface Early {
  response: Promise<Response>;
  at: number;
}
const early = new Map<string, Early>();

const keyOf = (method: string, url: string, body: string | undefined) => `${method} ${url} ${body ?? ""}`;

/**
 * A successful answer already asked for this exact request (method, URL with query, JSON body),
 * once; null when there is none, it failed or is not a 2xx (the page asks afresh: a 401 asked
 * before signing in must not stand for the answer after it).
 */
export async function takeEarly(
  method: string,
  url: string,
  body: string | undefined,
): Promise<Response | null> {
  const key = keyOf(method, url, body);
  const e = early.get(key);
  if (!e) return null;
  early.delete(key);
  if (performance.now() - e.at >= FRESH_MS) return null;
  const res = await e.response.catch(() => null);
  return res?.ok ? res : null;
}

/** Drops every answer not yet handed out (a sign-in, sign-out or organization switch). */
export function forgetEarly(): void {
  early.clear();
}

function ask(method: string, url: string, csrf?: string, body?: string): Promise<Response> {
  const headers: Record<string, string> = { accept: "application/json" };
  if (body !== undefined) headers["content-type"] = "application/json";
  if (csrf) headers["x-csrf-token"] = csrf;
  const response = fetch(url, { method, headers, credentials: "same-origin", body });
  // The page's `request()` would report a failure itself: here it is only not used.
  response.catch(() => undefined);
  early.set(keyOf(method, url, body), { response, at: performance.now() });
  return response;
}

/** The JSON of an answer without using up its body (the page reads the original). */
async function peek<T>(response: Promise<Response>): Promise<T | null> {
  try {
    const res = await response;
    return res.ok ? ((await res.clone().json()) as T) : null;
  } catch {
    return null;
  }
}

/**
 * The body of the page's first query: no slicers, no selections (`dashboardQueryOf({}, [])` in
 * lib/dashboard.ts — the dashboard-logic test holds the two equal).
 */
export const FIRST_QUERY_BODY = JSON.stringify({ slicers: {}, selections: [] });

/** Starts what the page at `pathname` will ask first; nothing for other pages. */
export function startEarlyRequests(pathname: string, loadPage: () => Promise<unknown>): void {
  const m = /^\/conversations\/([^/]+)$/.exec(pathname);
  let id: string;
  try {
    // As the page's request writes it (the router decodes the path, `pathOf` encodes it).
    id = encodeURIComponent(decodeURIComponent(m?.[1] ?? ""));
  } catch {
    return; // not a URL the page could read either
  }
  if (!id) return;
  const session = peek<{ csrfToken: string }>(ask("GET", "/api/v1/session"));
  const conversation = peek<{ currentRevision: number | null }>(ask("GET", `/api/v1/conversations/${id}`));
  // The page's chunk (and the chart library it imports) loads while the answers travel.
  loadPage().catch(() => undefined);
  void Promise.all([session, conversation]).then(([s, c]) => {
    if (!s || !c || c.currentRevision === null) return;
    const revision = `/api/v1/conversations/${id}/plan-revisions/${c.currentRevision}`;
    ask("GET", revision);
    // A POST (the filters are a structured body) that changes nothing; it carries the session's
    // CSRF token as every POST of the app does.
    ask("POST", `${revision}/query`, s.csrfToken, FIRST_QUERY_BODY);
  });
}
