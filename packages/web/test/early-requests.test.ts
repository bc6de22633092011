import { afterEach, describe, expect, it, vi } from "vitest";
import { dashboardQueryOf } from "../src/lib/dashboard.ts";
import { FIRST_QUERY_BODY, forgetEarly, startEarlyRequests, takeEarly } from "../src/lib/early-requests.ts";

/** A fetch that answers JSON by URL and records what was asked. */
function fakeFetch(answers: Record<string, unknown>) {
  const calls: { url: string; method: string; headers: Record<string, string>; body?: string }[] = [];
  const fn = vi.fn(async (url: string, init: RequestInit) => {
    calls.push({
      url,
      method: String(init.method),
      headers: init.headers as Record<string, string>,
      ...(init.body ? { body: String(init.body) } : {}),
    });
    const path = url.replace(/\?.*$/, "");
    return path in answers
      ? new Response(JSON.stringify(answers[path]), { status: 200 })
      : new Response("{}", { status: 404 });
  });
  vi.stubGlobal("fetch", fn);
  return calls;
}

const settle = () => new Promise((r) => setTimeout(r, 0));
const C = "/api/v1/conversations/c1";

describe("early requests of a dashboard's first render", () => {
  afterEach(() => vi.unstubAllGlobals());

  it("asks the session and the conversation at once, then the revision and its query, and hands each out once", async () => {
    const calls = fakeFetch({
      "/api/v1/session": { csrfToken: "tok" },
      [C]: { currentRevision: 3 },
      [`${C}/plan-revisions/3`]: { revision: 3 },
      [`${C}/plan-revisions/3/query`]: { revision: 3, visuals: [] },
    });
    const loadPage = vi.fn(async () => ({}));
    startEarlyRequests("/conversations/c1", loadPage);
    expect(calls.map((c) => `${c.method} ${c.url}`)).toEqual(["GET /api/v1/session", `GET ${C}`]);
    expect(loadPage).toHaveBeenCalledTimes(1);
    await settle();
    await settle();
    expect(calls.map((c) => `${c.method} ${c.url}`)).toEqual([
      "GET /api/v1/session",
      `GET ${C}`,
      `GET ${C}/plan-revisions/3`,
      `POST ${C}/plan-revisions/3/query`,
    ]);
    const query = calls[3]!;
    expect(query.headers["x-csrf-token"]).toBe("tok");
    expect(query.body).toBe(FIRST_QUERY_BODY);

    // The page reads the very answers (their bodies intact), each once.
    const conv = await takeEarly("GET", C, undefined);
    expect(await conv!.json()).toEqual({ currentRevision: 3 });
    expect(await takeEarly("GET", C, undefined)).toBeNull();
    // Another filter state is another request: not this answer.
    const other = '{"slicers":{"s1":{"values":["a"]}},"selections":[]}';
    expect(await takeEarly("POST", `${C}/plan-revisions/3/query`, other)).toBeNull();
    const q = await takeEarly("POST", `${C}/plan-revisions/3/query`, FIRST_QUERY_BODY);
    expect(await q!.json()).toEqual({ revision: 3, visuals: [] });
    expect(await takeEarly("GET", "/api/v1/session", undefined)).not.toBeNull();
  });

  it("asks no query for a conversation without a plan, or without a session", async () => {
    let calls = fakeFetch({ "/api/v1/session": { csrfToken: "tok" }, [C]: { currentRevision: null } });
    startEarlyRequests("/conversations/c1", async () => ({}));
    await settle();
    await settle();
    expect(calls).toHaveLength(2);
    takeEarly("GET", "/api/v1/session", undefined);
    takeEarly("GET", C, undefined);

    calls = fakeFetch({ [C]: { currentRevision: 2 } }); // the session answers 404 here
    startEarlyRequests("/conversations/c1", async () => ({}));
    await settle();
    await settle();
    expect(calls).toHaveLength(2);
    takeEarly("GET", "/api/v1/session", undefined);
    takeEarly("GET", C, undefined);
  });

  it("hands out no refusal (a 401 before signing in is asked again after), and nothing after a session change", async () => {
    fakeFetch({ [C]: { currentRevision: null } }); // the session answers 404 (signed out)
    startEarlyRequests("/conversations/c1", async () => ({}));
    expect(await takeEarly("GET", "/api/v1/session", undefined)).toBeNull();
    forgetEarly();
    expect(await takeEarly("GET", C, undefined)).toBeNull();
  });

  it("starts nothing for other pages", () => {
    const calls = fakeFetch({});
    const loadPage = vi.fn(async () => ({}));
    startEarlyRequests("/projects/p1", loadPage);
    startEarlyRequests("/conversations/c1/extra", loadPage);
    startEarlyRequests("/conversations/%E0%A4%A", loadPage); // not decodable
    expect(calls).toHaveLength(0);
    expect(loadPage).not.toHaveBeenCalled();
  });

  it("asks the page's first query body exactly (no slicers, no selections)", () => {
    expect(FIRST_QUERY_BODY).toBe(JSON.stringify(dashboardQueryOf({}, []).body));
  });
});
