import { nulIssues } from "@modelworks/model-kit";
import type { FastifyInstance } from "fastify";
import fp from "fastify-plugin";
import { unprocessable } from "../errors/domain-error.ts";

/**
 * The platform's one rule for text (model-kit `nulIssues`): no NUL (U+0000) in any string or key
 * of a request's path parameters, query, JSON body or headers. PostgreSQL cannot store it, so it
 * is refused here — 422 naming each field — before any schema or handler sees it, for every route
 * at once rather than per contract. Runs after the access check (registered after it), so an
 * unauthenticated caller still learns nothing about a route's input.
 */
export const textRulePlugin = fp(async (app: FastifyInstance) => {
  app.addHook("preValidation", async (req) => {
    const issues = [
      ...nulIssues(req.params, "params"),
      ...nulIssues(req.query, "query"),
      ...(isJsonValue(req.body) ? nulIssues(req.body, "body") : []),
      ...nulIssues(req.headers, "headers"),
    ];
    if (issues.length) {
      throw unprocessable(
        issues,
        `The request has ${issues.length} field${issues.length === 1 ? "" : "s"} containing the NUL character.`,
      );
    }
  });
});

/** A parsed JSON (or text) body; raw bodies (streams, buffers of uploaded bytes) are not text. */
function isJsonValue(body: unknown): boolean {
  if (typeof body === "string" || Array.isArray(body)) return true;
  if (body === null || typeof body !== "object") return false;
  const proto = Object.getPrototypeOf(body);
  return proto === Object.prototype || proto === null;
}
