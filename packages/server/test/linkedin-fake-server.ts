import { randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * A local stand-in for LinkedIn that implements only the documented endpoints the platform uses
 * and refuses everything else, so the REAL client (src/linkedin/client.ts) runs against it:
 *  - GET  /oauth/v2/authorization — checks client_id, redirect_uri, scope, state; the member
 *         "consents" at once: 302 to redirect_uri?code=…&state=… (or ?error=… when `refuseConsent`);
 *  - POST /oauth/v2/accessToken — form-encoded; grant_type authorization_code (code single-use,
 *         same redirect_uri, 10-minute life) or refresh_token; client credentials checked;
 *  - GET  /v2/userinfo — Bearer; { sub, name, given_name, family_name, … };
 *  - POST /rest/posts — Bearer with w_member_social, `LinkedIn-Version: YYYYMM`,
 *         `X-Restli-Protocol-Version: 2.0.0`, the author being the token's member, the documented
 *         body; 201 with the URN in `x-restli-id`.
 * Errors are shaped like LinkedIn's ({ status, serviceErrorCode, code, message } on the API,
 * { error, error_description } on OAuth). Every request is recorded for assertions.
 */
export interface FakeLinkedInCall {
  method: string;
  path: string;
  headers: IncomingMessage["headers"];
  query: Record<string, string>;
  body: unknown;
  status: number;
}

interface Token {
  sub: string;
  scope: string;
  expiresAt: number;
}

export interface FakeLinkedIn {
  url: string;
  calls: FakeLinkedInCall[];
  clientId: string;
  clientSecret: string;
  redirectUrl: string;
  /** The member who consents next (sub and name). */
  member: { sub: string; name: string };
  /** Lifetimes of the tokens it issues. */
  accessTtlSeconds: number;
  refreshTtlSeconds: number;
  /** When true, the next authorization is refused by the member (user_cancelled_authorize). */
  refuseConsent: boolean;
  /** Every access token issued so far expires now (as if the TTL passed). */
  expireAccessTokens(): void;
  /** The next `n` calls to /rest/posts answer 429 with this Retry-After. */
  throttlePosts(n: number, retryAfterSeconds: number): void;
  /** Posts created: URN → { author, commentary }. */
  posts: Map<string, { author: string; commentary: string }>;
  close(): Promise<void>;
}

const POST_KEYS = [
  "author",
  "commentary",
  "distribution",
  "isReshareDisabledByAuthor",
  "lifecycleState",
  "visibility",
].sort();

export async function startFakeLinkedIn(): Promise<FakeLinkedIn> {
  const codes = new Map<
    string,
    { sub: string; name: string; redirectUri: string; scope: string; expiresAt: number }
  >();
  const access = new Map<string, Token>();
  const refresh = new Map<string, Token>();
  const names = new Map<string, string>();
  let throttle = { n: 0, retryAfter: 0 };
  let seq = 7_100_000_000_000_000_000n;

  const fake: FakeLinkedIn = {
    url: "",
    calls: [],
    clientId: "fake-client-id",
    clientSecret: "fake-client-secret",
    redirectUrl: "http://127.0.0.1:1/api/v1/content/linkedin/callback",
    member: { sub: "aBc123XyZ", name: "Ada Writer" },
    accessTtlSeconds: 5_184_000,
    refreshTtlSeconds: 31_536_000,
    refuseConsent: false,
    expireAccessTokens() {
      for (const t of access.values()) t.expiresAt = 0;
    },
    throttlePosts(n, retryAfterSeconds) {
      throttle = { n, retryAfter: retryAfterSeconds };
    },
    posts: new Map(),
    close: async () => {},
  };

  const apiError = (res: ServerResponse, status: number, code: string, message: string, service = 0) => {
    res.writeHead(status, { "content-type": "application/json" });
    res.end(JSON.stringify({ status, serviceErrorCode: service, code, message }));
    return status;
  };
  const oauthError = (res: ServerResponse, status: number, error: string, description: string) => {
    res.writeHead(status, { "content-type": "application/json" });
    res.end(JSON.stringify({ error, error_description: description }));
    return status;
  };
  const json = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
    res.writeHead(status, { "content-type": "application/json", ...headers });
    res.end(JSON.stringify(body));
    return status;
  };
  const issue = (sub: string, scope: string) => {
    const accessToken = `AQV${randomBytes(16).toString("hex")}`;
    const refreshToken = `AQX${randomBytes(16).toString("hex")}`;
    const now = Date.now();
    access.set(accessToken, { sub, scope, expiresAt: now + fake.accessTtlSeconds * 1000 });
    return { accessToken, refreshToken, now };
  };
  /** The bearer's token, or the status already answered. */
  const bearer = (req: IncomingMessage, res: ServerResponse): Token | number => {
    const m = /^Bearer (\S+)$/.exec(req.headers.authorization ?? "");
    const t = m ? access.get(m[1]!) : undefined;
    if (!t) return apiError(res, 401, "INVALID_ACCESS_TOKEN", "Invalid access token", 65600);
    if (t.expiresAt <= Date.now())
      return apiError(res, 401, "EXPIRED_ACCESS_TOKEN", "The token used in the request has expired", 65601);
    return t;
  };

  async function handle(req: IncomingMessage, res: ServerResponse, raw: string): Promise<number> {
    const u = new URL(req.url ?? "/", "http://fake");
    const q = Object.fromEntries(u.searchParams);
    const route = `${req.method} ${u.pathname}`;

    if (route === "GET /oauth/v2/authorization") {
      if (q.response_type !== "code")
        return oauthError(res, 400, "invalid_request", "response_type must be code");
      if (q.client_id !== fake.clientId) return oauthError(res, 401, "invalid_client", "unknown client_id");
      if (q.redirect_uri !== fake.redirectUrl)
        return oauthError(res, 400, "invalid_redirect_uri", "redirect_uri does not match a registered one");
      if (!q.state) return oauthError(res, 400, "invalid_request", "state is required");
      const scopes = (q.scope ?? "").split(" ");
      for (const s of scopes)
        if (!["openid", "profile", "email", "w_member_social"].includes(s))
          return oauthError(res, 400, "invalid_scope", `scope ${s} is not authorized for the application`);
      const back = new URL(q.redirect_uri);
      if (fake.refuseConsent) {
        fake.refuseConsent = false;
        back.searchParams.set("error", "user_cancelled_authorize");
        back.searchParams.set("error_description", "The user cancelled the authorization");
      } else {
        const code = randomBytes(18).toString("base64url");
        codes.set(code, {
          ...fake.member,
          redirectUri: q.redirect_uri,
          scope: q.scope!,
          expiresAt: Date.now() + 10 * 60_000,
        });
        names.set(fake.member.sub, fake.member.name);
        back.searchParams.set("code", code);
      }
      back.searchParams.set("state", q.state);
      res.writeHead(302, { location: back.toString() });
      res.end();
      return 302;
    }

    if (route === "POST /oauth/v2/accessToken") {
      if (!(req.headers["content-type"] ?? "").startsWith("application/x-www-form-urlencoded"))
        return oauthError(res, 400, "invalid_request", "the body must be application/x-www-form-urlencoded");
      const f = Object.fromEntries(new URLSearchParams(raw));
      if (f.client_id !== fake.clientId || f.client_secret !== fake.clientSecret)
        return oauthError(res, 401, "invalid_client", "Client authentication failed");
      if (f.grant_type === "authorization_code") {
        const c = f.code ? codes.get(f.code) : undefined;
        if (f.code) codes.delete(f.code);
        if (!c || c.expiresAt <= Date.now())
          return oauthError(
            res,
            400,
            "invalid_grant",
            "The provided authorization grant is invalid, expired or revoked",
          );
        if (f.redirect_uri !== c.redirectUri)
          return oauthError(
            res,
            400,
            "invalid_grant",
            "redirect_uri does not match the authorization request",
          );
        const t = issue(c.sub, c.scope);
        refresh.set(t.refreshToken, {
          sub: c.sub,
          scope: c.scope,
          expiresAt: t.now + fake.refreshTtlSeconds * 1000,
        });
        return json(res, 200, {
          access_token: t.accessToken,
          expires_in: fake.accessTtlSeconds,
          refresh_token: t.refreshToken,
          refresh_token_expires_in: fake.refreshTtlSeconds,
          scope: c.scope.split(" ").join(","),
        });
      }
      if (f.grant_type === "refresh_token") {
        const r = f.refresh_token ? refresh.get(f.refresh_token) : undefined;
        if (!r || r.expiresAt <= Date.now())
          return oauthError(res, 400, "invalid_grant", "The provided refresh token is invalid or expired");
        const t = issue(r.sub, r.scope);
        // LinkedIn keeps the refresh token and its original lifetime.
        access.set(t.accessToken, {
          sub: r.sub,
          scope: r.scope,
          expiresAt: t.now + fake.accessTtlSeconds * 1000,
        });
        return json(res, 200, {
          access_token: t.accessToken,
          expires_in: fake.accessTtlSeconds,
          refresh_token: f.refresh_token,
          refresh_token_expires_in: Math.floor((r.expiresAt - t.now) / 1000),
          scope: r.scope.split(" ").join(","),
        });
      }
      return oauthError(res, 400, "unsupported_grant_type", `grant_type ${f.grant_type} is not supported`);
    }

    if (route === "GET /v2/userinfo") {
      const t = bearer(req, res);
      if (typeof t === "number") return t;
      if (!t.scope.split(" ").includes("openid"))
        return apiError(res, 403, "ACCESS_DENIED", "Not enough permissions to access: userinfo.GET");
      const name = names.get(t.sub) ?? "Member";
      const [given, ...family] = name.split(" ");
      return json(res, 200, {
        sub: t.sub,
        email_verified: true,
        name,
        locale: { country: "US", language: "en" },
        given_name: given,
        family_name: family.join(" "),
      });
    }

    if (route === "POST /rest/posts") {
      const version = req.headers["linkedin-version"];
      if (typeof version !== "string" || !/^\d{6}$/.test(version))
        return apiError(
          res,
          400,
          "VERSION_MISSING",
          "A version must be present. Please specify a version by adding the LinkedIn-Version header.",
        );
      if (req.headers["x-restli-protocol-version"] !== "2.0.0")
        return apiError(res, 400, "PROTOCOL_VERSION", "X-Restli-Protocol-Version 2.0.0 is required");
      const t = bearer(req, res);
      if (typeof t === "number") return t;
      if (!t.scope.split(" ").includes("w_member_social"))
        return apiError(
          res,
          403,
          "ACCESS_DENIED",
          "Not enough permissions to access: partnerApiPostsExternal.CREATE.20240101",
        );
      if (throttle.n > 0) {
        throttle.n--;
        return json(
          res,
          429,
          {
            status: 429,
            serviceErrorCode: 101,
            code: "TOO_MANY_REQUESTS",
            message: "Resource level throttle limit for calls to this resource is reached.",
          },
          { "retry-after": String(throttle.retryAfter) },
        );
      }
      let body: Record<string, unknown>;
      try {
        body = JSON.parse(raw) as Record<string, unknown>;
      } catch {
        return apiError(res, 400, "MALFORMED", "Request body is not valid JSON");
      }
      if (JSON.stringify(Object.keys(body).sort()) !== JSON.stringify(POST_KEYS))
        return apiError(
          res,
          422,
          "UNPROCESSABLE_ENTITY",
          `Unexpected or missing fields: ${Object.keys(body).join(",")}`,
        );
      if (body.author !== `urn:li:person:${t.sub}`)
        return apiError(res, 403, "ACCESS_DENIED", `Member is not allowed to post as ${String(body.author)}`);
      const d = body.distribution as Record<string, unknown> | null;
      if (
        body.visibility !== "PUBLIC" ||
        body.lifecycleState !== "PUBLISHED" ||
        body.isReshareDisabledByAuthor !== false ||
        d?.feedDistribution !== "MAIN_FEED" ||
        !Array.isArray(d.targetEntities) ||
        !Array.isArray(d.thirdPartyDistributionChannels)
      )
        return apiError(
          res,
          422,
          "UNPROCESSABLE_ENTITY",
          "distribution, visibility or lifecycleState is invalid",
        );
      if (typeof body.commentary !== "string" || body.commentary.length > 3000)
        return apiError(res, 422, "UNPROCESSABLE_ENTITY", "/commentary :: length must be at most 3000");
      const urn = `urn:li:share:${++seq}`;
      fake.posts.set(urn, { author: body.author as string, commentary: body.commentary });
      res.writeHead(201, { "x-restli-id": urn, "x-linkedin-id": urn });
      res.end();
      return 201;
    }

    return apiError(res, 404, "NOT_FOUND", `No resource found for ${route}`);
  }

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const raw = Buffer.concat(chunks).toString("utf8");
      const u = new URL(req.url ?? "/", "http://fake");
      let body: unknown = raw;
      try {
        body = raw ? JSON.parse(raw) : null;
      } catch {
        body = Object.fromEntries(new URLSearchParams(raw));
      }
      void handle(req, res, raw).then((status) => {
        fake.calls.push({
          method: req.method ?? "",
          path: u.pathname,
          headers: req.headers,
          query: Object.fromEntries(u.searchParams),
          body,
          status,
        });
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  fake.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  fake.close = () => new Promise<void>((resolve) => server.close(() => resolve()));
  return fake;
}
