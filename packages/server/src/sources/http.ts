import { lookup as dnsLookup } from "node:dns/promises";
import http, { type IncomingMessage } from "node:http";
import https from "node:https";
import { isIP, type LookupFunction } from "node:net";
import type { Readable } from "node:stream";
import { createBrotliDecompress, createGunzip, createInflate } from "node:zlib";
import { blockedAddressReason } from "./address-guard.ts";
import { type Decoded, decodeBody } from "./charset.ts";

/**
 * The HTTP client for URLs nobody vetted (followed feeds, their articles, robots.txt). Every
 * request is bounded — connect and total time, bytes, redirects — and may only reach public
 * addresses. Node's own http/https are used rather than `fetch` because the address check has to
 * sit in the socket's DNS lookup (the checked address is the one connected to) and a size cap has
 * to stop reading, not read and then compare.
 */

export const DEFAULT_USER_AGENT =
  "ModelworksBot/0.1 (+https://modelworks.dev/bot; content-intel source fetcher)";

/** The cache validators a source's last successful fetch returned, sent back as a conditional GET. */
export interface Validators {
  etag?: string;
  lastModified?: string;
}

export type FetchErrorCode =
  | "invalid-url"
  | "unsupported-scheme"
  | "blocked-address"
  | "dns"
  | "unreachable"
  | "connect-timeout"
  | "timeout"
  | "too-large"
  | "too-many-redirects"
  | "redirect-loop"
  | "bad-redirect";

/** A request that did not produce an HTTP answer; `message` is fit to show on the source's health. */
export class FetchError extends Error {
  override name = "FetchError";
  constructor(
    readonly code: FetchErrorCode,
    message: string,
    readonly bytesRead = 0,
  ) {
    super(message);
  }
}

export interface HttpClientOptions {
  userAgent?: string;
  /** Time to an open TCP (and TLS) connection, per hop. */
  connectTimeoutMs?: number;
  /** Time for the whole fetch: every redirect hop and the body. */
  totalTimeoutMs?: number;
  /** Body bytes (after decompression) past which reading stops and the fetch fails. */
  maxBytes?: number;
  maxRedirects?: number;
  /** Exact addresses let through the private-address guard (tests: "127.0.0.1"). */
  allowAddresses?: Iterable<string>;
  /** DNS resolution (tests map made-up host names to 127.0.0.1). */
  resolve?: (hostname: string) => Promise<{ address: string; family: number }[]>;
}

export interface FetchRequest {
  url: string;
  validators?: Validators;
  accept?: string;
  /** Overrides the client's cap for this request (robots.txt: 500 KiB). */
  maxBytes?: number;
  /** Called before following a redirect; throwing stops the fetch (robots.txt of the new URL). */
  beforeRedirect?: (url: string) => Promise<void>;
}

export interface FetchResponse {
  /** The URL that answered, after redirects. */
  url: string;
  /** Every URL visited before it. */
  redirects: string[];
  status: number;
  notModified: boolean;
  contentType: string | undefined;
  /** The body for a 2xx answer; empty otherwise (an error page is not read). */
  body: Buffer;
  /** Validators to store: the answer's, or on a 304 the ones sent (still valid). */
  validators: Validators;
  retryAfterSeconds?: number;
  decode(): Decoded;
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

export interface HttpClient {
  fetch(req: FetchRequest): Promise<FetchResponse>;
  readonly userAgent: string;
}

export function createHttpClient(opts: HttpClientOptions = {}): HttpClient {
  const userAgent = opts.userAgent ?? DEFAULT_USER_AGENT;
  const connectTimeoutMs = opts.connectTimeoutMs ?? 5_000;
  const totalTimeoutMs = opts.totalTimeoutMs ?? 20_000;
  const maxRedirects = opts.maxRedirects ?? 5;
  const allow = new Set(opts.allowAddresses ?? []);
  const resolve =
    opts.resolve ??
    ((host: string) =>
      dnsLookup(host, { all: true, verbatim: true }) as Promise<{ address: string; family: number }[]>);

  /** Resolves and checks the host; the socket then connects only to these addresses. */
  async function addressesFor(url: URL): Promise<{ address: string; family: number }[]> {
    const host = url.hostname.replace(/^\[|\]$/g, "");
    const literal = isIP(host);
    let addresses: { address: string; family: number }[];
    if (literal) addresses = [{ address: host, family: literal }];
    else {
      try {
        addresses = await resolve(host);
      } catch (err) {
        throw new FetchError(
          "dns",
          `${host} does not resolve (${(err as { code?: string }).code ?? "DNS error"})`,
        );
      }
      if (addresses.length === 0) throw new FetchError("dns", `${host} does not resolve`);
    }
    for (const a of addresses) {
      const reason = blockedAddressReason(a.address, allow);
      if (reason) throw new FetchError("blocked-address", `${host} resolves to ${reason}`);
    }
    return addresses;
  }

  async function fetchUrl(req: FetchRequest): Promise<FetchResponse> {
    let url: URL;
    try {
      url = new URL(req.url);
    } catch {
      throw new FetchError("invalid-url", `"${req.url.slice(0, 200)}" is not a valid URL`);
    }
    const maxBytes = req.maxBytes ?? opts.maxBytes ?? 5 * 1024 * 1024;
    const ac = new AbortController();
    const timer = setTimeout(() => ac.abort(), totalTimeoutMs);
    const redirects: string[] = [];
    const visited = new Set<string>();
    try {
      for (;;) {
        if (url.protocol !== "http:" && url.protocol !== "https:")
          throw new FetchError(
            redirects.length ? "bad-redirect" : "unsupported-scheme",
            `only http and https are fetched, not ${url.protocol.replace(/:$/, "")}`,
          );
        visited.add(url.href);
        // A resolver that hangs is bounded by the total timeout too.
        const addresses = await Promise.race([addressesFor(url), abortedBy(ac.signal)]);
        const hop = await requestOnce(url, addresses, req, ac.signal, maxBytes);
        const location = hop.res.headers.location;
        if (REDIRECTS.has(hop.status) && location) {
          let next: URL;
          try {
            next = new URL(location, url);
          } catch {
            throw new FetchError(
              "bad-redirect",
              `the redirect target "${location.slice(0, 200)}" is not a URL`,
            );
          }
          redirects.push(url.href);
          if (visited.has(next.href))
            throw new FetchError("redirect-loop", `redirect loop: ${next.href} was already visited`);
          if (redirects.length > maxRedirects)
            throw new FetchError("too-many-redirects", `more than ${maxRedirects} redirects`);
          if (req.beforeRedirect && (next.protocol === "http:" || next.protocol === "https:"))
            await req.beforeRedirect(next.href);
          url = next;
          continue;
        }
        const h = hop.res.headers;
        const notModified = hop.status === 304;
        const sent = req.validators ?? {};
        const validators: Validators = {
          ...(h.etag ? { etag: h.etag } : notModified && sent.etag ? { etag: sent.etag } : {}),
          ...(h["last-modified"]
            ? { lastModified: h["last-modified"] }
            : notModified && sent.lastModified
              ? { lastModified: sent.lastModified }
              : {}),
        };
        const retryAfter = Number(h["retry-after"]);
        const body = hop.body;
        const contentType = h["content-type"];
        return {
          url: url.href,
          redirects,
          status: hop.status,
          notModified,
          contentType,
          body,
          validators,
          ...(Number.isFinite(retryAfter) && retryAfter >= 0 ? { retryAfterSeconds: retryAfter } : {}),
          decode: () => decodeBody(body, contentType),
        };
      }
    } catch (err) {
      if (ac.signal.aborted && !(err instanceof FetchError && err.code === "too-large"))
        throw new FetchError("timeout", `no complete answer within ${totalTimeoutMs} ms`);
      throw err;
    } finally {
      clearTimeout(timer);
    }
  }

  function requestOnce(
    url: URL,
    addresses: { address: string; family: number }[],
    req: FetchRequest,
    signal: AbortSignal,
    maxBytes: number,
  ): Promise<{ status: number; res: IncomingMessage; body: Buffer }> {
    // Hands the socket exactly the addresses checked above (no second, unchecked resolution).
    const lookup: LookupFunction = (_host, options, cb) => {
      if ((options as { all?: boolean }).all) (cb as (e: null, a: typeof addresses) => void)(null, addresses);
      else cb(null, addresses[0]!.address, addresses[0]!.family);
    };
    const headers: Record<string, string> = {
      "user-agent": userAgent,
      accept: req.accept ?? "*/*",
      "accept-encoding": "gzip, deflate, br",
    };
    if (req.validators?.etag) headers["if-none-match"] = req.validators.etag;
    if (req.validators?.lastModified) headers["if-modified-since"] = req.validators.lastModified;
    const mod = url.protocol === "https:" ? https : http;
    return new Promise((resolvePromise, reject) => {
      const r = mod.request(url, { method: "GET", headers, lookup, signal, agent: false }, (res) => {
        const status = res.statusCode ?? 0;
        if (status < 200 || status >= 300) {
          res.resume(); // not read: an error page or a redirect says nothing we keep
          res.destroy();
          resolvePromise({ status, res, body: Buffer.alloc(0) });
          return;
        }
        readCapped(res, maxBytes).then((body) => resolvePromise({ status, res, body }), reject);
      });
      r.on("socket", (socket) => {
        if (!socket.connecting) return;
        const t = setTimeout(
          () =>
            r.destroy(
              new FetchError("connect-timeout", `no connection to ${url.host} within ${connectTimeoutMs} ms`),
            ),
          connectTimeoutMs,
        );
        socket.once("connect", () => clearTimeout(t));
        socket.once("close", () => clearTimeout(t));
      });
      r.on("error", (err) => {
        if (err instanceof FetchError) reject(err);
        else if (signal.aborted) reject(err);
        else
          reject(
            new FetchError(
              "unreachable",
              `${url.host} is unreachable (${(err as { code?: string }).code ?? err.message})`,
            ),
          );
      });
      r.end();
    });
  }

  return { fetch: fetchUrl, userAgent };
}

function abortedBy(signal: AbortSignal): Promise<never> {
  return new Promise((_, reject) => {
    if (signal.aborted) reject(new Error("aborted"));
    signal.addEventListener("abort", () => reject(new Error("aborted")), { once: true });
  });
}

/** Reads a body, decompressing it, and stops (destroying the socket) once it passes `maxBytes`. */
function readCapped(res: IncomingMessage, maxBytes: number): Promise<Buffer> {
  const encoding = String(res.headers["content-encoding"] ?? "")
    .trim()
    .toLowerCase();
  const declared = Number(res.headers["content-length"]);
  if (!encoding && Number.isFinite(declared) && declared > maxBytes) {
    res.destroy();
    return Promise.reject(
      new FetchError("too-large", `the answer declares ${declared} bytes, more than the ${maxBytes} allowed`),
    );
  }
  let stream: Readable = res;
  if (encoding === "gzip" || encoding === "x-gzip") stream = res.pipe(createGunzip());
  else if (encoding === "deflate") stream = res.pipe(createInflate());
  else if (encoding === "br") stream = res.pipe(createBrotliDecompress());
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let bytes = 0;
    let done = false;
    stream.on("data", (chunk: Buffer) => {
      if (done) return;
      if (bytes + chunk.length > maxBytes) {
        done = true;
        res.destroy();
        if (stream !== res) stream.destroy();
        reject(
          new FetchError("too-large", `the answer is larger than ${maxBytes} bytes; reading stopped`, bytes),
        );
        return;
      }
      bytes += chunk.length;
      chunks.push(chunk);
    });
    stream.on("end", () => {
      if (!done) resolve(Buffer.concat(chunks, bytes));
    });
    const fail = (err: Error) => {
      if (done) return;
      done = true;
      reject(
        err instanceof FetchError
          ? err
          : new FetchError("unreachable", `the answer was cut short (${err.message})`, bytes),
      );
    };
    stream.on("error", fail);
    res.on("error", fail);
    res.on("aborted", () => fail(new Error("connection aborted")));
  });
}
