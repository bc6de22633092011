import type { Problem } from "@modelworks/contracts/common";
import { ERROR_CODES, type ErrorCode, problemType } from "@modelworks/contracts/errors";
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import fp from "fastify-plugin";
import { hasZodFastifySchemaValidationErrors, isResponseSerializationError } from "fastify-type-provider-zod";
import { isDatabaseUnavailable, isUniqueViolation } from "../db/errors.ts";
import { DomainError, type FieldError } from "../errors/domain-error.ts";

/**
 * Renders every error — domain errors, validation failures, parser errors, 404s and crashes —
 * as application/problem+json with a catalogued `code`, its `type` URI and the request id. This
 * is the one place a code becomes a status. Stacks and internal messages never leave.
 */
export const errorsPlugin = fp(async (app: FastifyInstance) => {
  app.setErrorHandler((err: FastifyError, req, reply) => {
    const problem = toProblem(err, req);
    if (problem.status >= 500) req.log.error({ err }, "request failed");
    else
      req.log.info(
        { status: problem.status, code: problem.code, title: problem.title, detail: problem.detail },
        "request rejected",
      );
    if (err instanceof DomainError && err.headers) reply.headers(err.headers);
    if (problem.status === 503 && !reply.hasHeader("retry-after"))
      reply.header("retry-after", String(RETRY_AFTER_SECONDS));
    return sendProblem(reply, problem);
  });
  app.setNotFoundHandler((req, reply) =>
    sendProblem(
      reply,
      problemOf("not_found", req, {
        detail: `No route ${req.method} ${req.url.split("?")[0]}.`,
        instance: false,
      }),
    ),
  );
});

export function sendProblem(reply: FastifyReply, problem: Problem) {
  return reply.code(problem.status).type("application/problem+json").send(problem);
}

/**
 * The problem body for a code: status, title and `type` come from the catalogue. `status`
 * overrides only for a framework 4xx that no code names (answered as `bad_request`).
 */
export function problemOf(
  code: ErrorCode,
  req: FastifyRequest,
  extra: {
    detail?: string | undefined;
    errors?: FieldError[] | undefined;
    status?: number;
    instance?: false;
  } = {},
): Problem {
  const entry = ERROR_CODES[code];
  return {
    type: problemType(code),
    code,
    title: entry.title,
    status: extra.status ?? entry.status,
    ...(extra.detail ? { detail: extra.detail } : {}),
    ...(extra.instance === false ? {} : { instance: req.url.split("?")[0] }),
    requestId: req.id,
    ...(extra.errors ? { errors: extra.errors } : {}),
  };
}

function toProblem(err: FastifyError, req: FastifyRequest): Problem {
  if (err instanceof DomainError) {
    return problemOf(err.code, req, { detail: err.detail, errors: err.errors });
  }
  if (hasZodFastifySchemaValidationErrors(err)) {
    // Fastify calls the query string "querystring"; the API's field paths say `query.limit`.
    const where = err.validationContext === "querystring" ? "query" : (err.validationContext ?? "body");
    const errors = err.validation.map((v) => ({
      path: [where, ...v.instancePath.split("/").filter(Boolean)].join("."),
      message: v.message ?? "is invalid",
    }));
    return problemOf("validation_failed", req, {
      detail: `The request has ${errors.length} invalid field${errors.length === 1 ? "" : "s"}.`,
      errors,
    });
  }
  if (isResponseSerializationError(err)) {
    return problemOf("internal", req, { detail: "The server produced an invalid response." });
  }
  switch (err.code) {
    case "FST_ERR_CTP_INVALID_JSON_BODY":
    case "FST_ERR_CTP_EMPTY_JSON_BODY":
      return problemOf("bad_request", req, { detail: "The body is not valid JSON." });
    case "FST_ERR_CTP_BODY_TOO_LARGE":
      return problemOf("body_too_large", req, { detail: "The body exceeds the size limit." });
    case "FST_ERR_CTP_INVALID_MEDIA_TYPE":
      return problemOf("unsupported_media_type", req, { detail: "Send the body as application/json." });
  }
  if (isDatabaseUnavailable(err)) {
    return problemOf("unavailable", req, {
      detail: `A service the server depends on (its database) is unavailable; retry in ${RETRY_AFTER_SECONDS} s.`,
    });
  }
  if (isUntranslatableText(err)) {
    // The text rule (http/text-rule.ts) refuses NUL first; this is the backstop for anything else
    // PostgreSQL cannot store as text, which must not read as a server fault.
    return problemOf("validation_failed", req, { detail: "The request holds text that cannot be stored." });
  }
  if (isUniqueViolation(err)) {
    return problemOf("already_exists", req, { detail: "A record with these values already exists." });
  }
  const status = err.statusCode && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 500;
  if (status === 500) {
    return problemOf("internal", req, { detail: "Something went wrong; quote the request id." });
  }
  const code = GENERIC_CODE_BY_STATUS[status];
  return code
    ? problemOf(code, req, { detail: err.message })
    : { ...problemOf("bad_request", req, { detail: err.message, status }), title: titleFor(status) };
}

/** The generic code of a 4xx the framework or a plugin raises without one of ours. */
const GENERIC_CODE_BY_STATUS: Partial<Record<number, ErrorCode>> = {
  400: "bad_request",
  401: "unauthenticated",
  403: "forbidden",
  404: "not_found",
  408: "request_timeout",
  409: "conflict",
  413: "body_too_large",
  415: "unsupported_media_type",
  429: "rate_limited",
};

/** Titles of the 4xx statuses no code names (405, 406, …), so the problem still reads right. */
function titleFor(status: number): string {
  const titles: Record<number, string> = { 405: "Method Not Allowed", 406: "Not Acceptable" };
  return titles[status] ?? "Error";
}

/** What a 503 asks a client to wait: long enough for a failover or a restart to be noticed. */
const RETRY_AFTER_SECONDS = 5;

/** Text PostgreSQL cannot store (SQLSTATE 22021 invalid byte sequence, 22P05 untranslatable, e.g. \u0000 in jsonb). */
function isUntranslatableText(err: unknown): boolean {
  const e = err as { code?: string; cause?: { code?: string } } | null;
  return ["22021", "22P05"].some((c) => e?.code === c || e?.cause?.code === c);
}
