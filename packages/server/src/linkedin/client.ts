/**
 * LinkedIn's documented endpoints, and nothing else (decision 0044):
 *  - the authorization page `{auth}/oauth/v2/authorization` (three-legged OAuth 2.0, `state`);
 *  - the token endpoint `{auth}/oauth/v2/accessToken` (grant types authorization_code and
 *    refresh_token, form-encoded, client credentials in the body);
 *  - `{api}/v2/userinfo` (OpenID Connect: `sub` names the member, `urn:li:person:{sub}`);
 *  - `{api}/rest/posts` (the versioned Posts API: `LinkedIn-Version: YYYYMM`,
 *    `X-Restli-Protocol-Version: 2.0.0`; the new post's URN in the `x-restli-id` header).
 * No I/O beyond `fetch`; no database. Errors are LinkedInError with a kind the caller acts on.
 */

export const LINKEDIN_SCOPE = "openid profile w_member_social";

export interface LinkedInConfig {
  clientId: string;
  clientSecret: string;
  redirectUrl: string;
  authBase: string;
  apiBase: string;
  /** YYYYMM */
  version: string;
  timeoutMs: number;
  fetch?: typeof globalThis.fetch;
}

export interface TokenSet {
  accessToken: string;
  accessExpiresAt: Date;
  refreshToken: string | null;
  refreshExpiresAt: Date | null;
  scope: string;
}

export type LinkedInErrorKind =
  /** The token was refused (expired or revoked): refresh, or reconnect. */
  | "unauthorized"
  /** 429: wait `retryAfterSeconds`. */
  | "rate_limited"
  /** 400/422: LinkedIn refused the content; `message` says why. */
  | "rejected"
  /** 403: the member's authorization does not allow it (scope, author). */
  | "forbidden"
  /** The token endpoint refused the grant (bad/used code, expired refresh token). */
  | "grant_refused"
  /** Anything else: 5xx, a timeout, an unreadable answer. */
  | "failed";

export class LinkedInError extends Error {
  override name = "LinkedInError";
  constructor(
    readonly kind: LinkedInErrorKind,
    message: string,
    readonly status: number | null = null,
    readonly retryAfterSeconds: number | null = null,
  ) {
    super(message);
  }
}

const trimBase = (u: string) => u.replace(/\/+$/, "");

/** Seconds from a Retry-After header (delta-seconds or an HTTP date); 60 when absent or unreadable. */
export function retryAfterSeconds(header: string | null, now = Date.now()): number {
  if (!header) return 60;
  const n = Number(header);
  if (Number.isFinite(n) && n >= 0) return Math.ceil(n);
  const at = Date.parse(header);
  return Number.isFinite(at) ? Math.max(0, Math.ceil((at - now) / 1000)) : 60;
}

const escapeReserved = (text: string) => text.replace(/[\\|{}@[\]()<>#*_~]/g, (c) => `\\${c}`);

/**
 * `commentary` is in LinkedIn's "little text" format, which reserves `\ | { } @ [ ] ( ) < > # * _ ~`:
 * unescaped, a post is cut short or refused. Each is backslash-escaped, except that `#word`
 * becomes the format's hashtag template `{hashtag|\#|word}` so hashtags stay hashtags.
 */
export function toLittleText(text: string): string {
  return text
    .split(/(#[\p{L}\p{N}_]+)/u)
    .map((part, i) => (i % 2 === 1 ? `{hashtag|\\#|${escapeReserved(part.slice(1))}}` : escapeReserved(part)))
    .join("");
}

export class LinkedInClient {
  readonly #c: LinkedInConfig;
  readonly #fetch: typeof globalThis.fetch;

  constructor(c: LinkedInConfig) {
    this.#c = { ...c, authBase: trimBase(c.authBase), apiBase: trimBase(c.apiBase) };
    this.#fetch = c.fetch ?? globalThis.fetch;
  }

  /** Where the person's browser goes to consent. */
  authorizeUrl(state: string): string {
    const u = new URL(`${this.#c.authBase}/oauth/v2/authorization`);
    u.searchParams.set("response_type", "code");
    u.searchParams.set("client_id", this.#c.clientId);
    u.searchParams.set("redirect_uri", this.#c.redirectUrl);
    u.searchParams.set("state", state);
    u.searchParams.set("scope", LINKEDIN_SCOPE);
    return u.toString();
  }

  exchangeCode(code: string, now = new Date()): Promise<TokenSet> {
    return this.#token({ grant_type: "authorization_code", code, redirect_uri: this.#c.redirectUrl }, now);
  }

  refresh(refreshToken: string, now = new Date()): Promise<TokenSet> {
    return this.#token({ grant_type: "refresh_token", refresh_token: refreshToken }, now);
  }

  async #token(params: Record<string, string>, now: Date): Promise<TokenSet> {
    const body = new URLSearchParams({
      ...params,
      client_id: this.#c.clientId,
      client_secret: this.#c.clientSecret,
    });
    const res = await this.#call(`${this.#c.authBase}/oauth/v2/accessToken`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", accept: "application/json" },
      body: body.toString(),
    });
    const json = (await res.json().catch(() => null)) as Record<string, unknown> | null;
    if (res.status === 429)
      throw new LinkedInError(
        "rate_limited",
        "LinkedIn is throttling token requests.",
        429,
        retryAfterSeconds(res.headers.get("retry-after")),
      );
    if (res.status === 400 || res.status === 401)
      throw new LinkedInError(
        "grant_refused",
        `LinkedIn refused the ${params.grant_type} grant: ${String(json?.error_description ?? json?.error ?? res.status)}`,
        res.status,
      );
    if (!res.ok || typeof json?.access_token !== "string" || typeof json.expires_in !== "number")
      throw new LinkedInError("failed", `LinkedIn's token endpoint answered ${res.status}.`, res.status);
    const at = (s: unknown) => (typeof s === "number" ? new Date(now.getTime() + s * 1000) : null);
    return {
      accessToken: json.access_token,
      accessExpiresAt: at(json.expires_in)!,
      refreshToken: typeof json.refresh_token === "string" ? json.refresh_token : null,
      refreshExpiresAt: at(json.refresh_token_expires_in),
      scope: typeof json.scope === "string" ? json.scope : LINKEDIN_SCOPE,
    };
  }

  /** The member the token acts for: `urn:li:person:{sub}` and their name. */
  async member(accessToken: string): Promise<{ urn: string; name: string | null }> {
    const res = await this.#call(`${this.#c.apiBase}/v2/userinfo`, {
      method: "GET",
      headers: { authorization: `Bearer ${accessToken}` },
    });
    await this.#raise(res);
    const json = (await res.json().catch(() => null)) as { sub?: unknown; name?: unknown } | null;
    if (typeof json?.sub !== "string" || !json.sub)
      throw new LinkedInError("failed", "LinkedIn's userinfo carried no `sub`.", res.status);
    return { urn: `urn:li:person:${json.sub}`, name: typeof json.name === "string" ? json.name : null };
  }

  /** Publishes a text post to the member's feed; answers the post's URN. */
  async createPost(accessToken: string, authorUrn: string, commentary: string): Promise<string> {
    const res = await this.#call(`${this.#c.apiBase}/rest/posts`, {
      method: "POST",
      headers: {
        authorization: `Bearer ${accessToken}`,
        "content-type": "application/json",
        "linkedin-version": this.#c.version,
        "x-restli-protocol-version": "2.0.0",
      },
      body: JSON.stringify({
        author: authorUrn,
        commentary,
        visibility: "PUBLIC",
        distribution: {
          feedDistribution: "MAIN_FEED",
          targetEntities: [],
          thirdPartyDistributionChannels: [],
        },
        lifecycleState: "PUBLISHED",
        isReshareDisabledByAuthor: false,
      }),
    });
    await this.#raise(res);
    const urn = res.headers.get("x-restli-id");
    if (!urn)
      throw new LinkedInError("failed", "LinkedIn created the post but named no x-restli-id.", res.status);
    return urn;
  }

  async #raise(res: Response): Promise<void> {
    if (res.ok) return;
    const json = (await res.json().catch(() => null)) as { message?: unknown } | null;
    const said = typeof json?.message === "string" ? json.message : `status ${res.status}`;
    if (res.status === 401)
      throw new LinkedInError("unauthorized", `LinkedIn refused the token: ${said}`, 401);
    if (res.status === 429)
      throw new LinkedInError(
        "rate_limited",
        `LinkedIn is throttling: ${said}`,
        429,
        retryAfterSeconds(res.headers.get("retry-after")),
      );
    if (res.status === 400 || res.status === 422)
      throw new LinkedInError("rejected", `LinkedIn refused the post: ${said}`, res.status);
    if (res.status === 403)
      throw new LinkedInError("forbidden", `LinkedIn refused the action for this member: ${said}`, 403);
    throw new LinkedInError("failed", `LinkedIn answered ${res.status}: ${said}`, res.status);
  }

  async #call(url: string, init: RequestInit): Promise<Response> {
    try {
      return await this.#fetch(url, {
        ...init,
        redirect: "manual",
        signal: AbortSignal.timeout(this.#c.timeoutMs),
      });
    } catch (err) {
      throw new LinkedInError("failed", `LinkedIn could not be reached: ${(err as Error).message}`);
    }
  }
}
