import { randomUUID } from "node:crypto";
import type { Socket } from "node:net";
import { Transform } from "node:stream";
import { ERROR_CODES, type ErrorCode, problemType } from "@modelworks/contracts/errors";
import type { FastifyInstance } from "fastify";
import fp from "fastify-plugin";
import { DomainError } from "../errors/domain-error.ts";

/**
 * Errors Node's HTTP parser raises before Fastify has a request — most often a body shorter than
 * its Content-Length whose client closed its side — answered as problem+json like every other
 * error (Fastify's default writes its own JSON shape). As Node does, nothing is written once a
 * response has started on the socket.
 */
export function clientErrorHandler(err: Error & { code?: string }, socket: Socket) {
  if (err.code === "ECONNRESET" || socket.destroyed) return;
  const inFlight = (socket as Socket & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
  if (socket.writable && !inFlight?.headersSent) {
    const [code, detail]: [ErrorCode, string] =
      err.code === "ERR_HTTP_REQUEST_TIMEOUT"
        ? ["request_timeout", "The request did not arrive in time."]
        : err.code === "HPE_HEADER_OVERFLOW"
          ? ["headers_too_large", "The request's headers are too large."]
          : ["bad_request", clientErrorDetail(err.code)];
    const { status, title } = ERROR_CODES[code];
    const body = JSON.stringify({
      type: problemType(code),
      code,
      title,
      status,
      detail,
      requestId: randomUUID(),
    });
    socket.write(
      `HTTP/1.1 ${status} ${title}\r\nContent-Type: application/problem+json; charset=utf-8\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy(err);
}

function clientErrorDetail(code: string | undefined): string {
  return code === "HPE_INVALID_EOF_STATE"
    ? "The connection ended before the whole body (its Content-Length) arrived."
    : "The request is not valid HTTP.";
}

/**
 * A JSON body whose client stops sending — fewer bytes than its Content-Length, connection left
 * open — would hold its request (and a socket) forever: Fastify sets no request timeout, and one
 * would also cut slow but moving uploads. Instead, each parsed body gets an idle timer: no bytes
 * for `idleMs` and the request is answered 408 (problem+json, then the connection is closed).
 * Only bodies Fastify itself parses are wrapped; multipart and upload chunks read the raw stream.
 */
export const bodyTimeoutPlugin = fp(async (app: FastifyInstance, opts: { idleMs: number }) => {
  app.addHook("preParsing", async (req, reply, payload) => {
    const type = req.headers["content-type"] ?? "";
    if (!/^\s*(application\/([\w.+-]+\+)?json|text\/plain)\b/i.test(type)) return payload;
    const expected = Number(req.headers["content-length"]);
    let received = 0;
    let timer: NodeJS.Timeout | undefined;
    const watched = new Transform({
      transform(chunk: Buffer, _enc, done) {
        received += chunk.length;
        arm();
        done(null, chunk);
      },
      flush(done) {
        clearTimeout(timer);
        done();
      },
    });
    const arm = () => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        payload.unpipe(watched);
        const of = Number.isFinite(expected) ? ` of ${expected}` : "";
        watched.destroy(
          new DomainError(
            "request_timeout",
            `The body stopped arriving (${received}${of} bytes, then nothing for ${opts.idleMs / 1000} s).`,
            undefined,
            { connection: "close" },
          ),
        );
      }, opts.idleMs);
    };
    watched.on("close", () => clearTimeout(timer));
    // Once the request is answered without its body being read (413 from the headers, a refused
    // route), nothing listens to this stream any more: the timer must not fire on it, and an error
    // it still emits must not become an uncaught exception that ends the process.
    reply.raw.once("close", () => clearTimeout(timer));
    watched.on("error", () => {});
    arm();
    // Fastify compares this with Content-Length once the body ends.
    Object.defineProperty(watched, "receivedEncodedLength", { get: () => received });
    return payload.pipe(watched);
  });
});
