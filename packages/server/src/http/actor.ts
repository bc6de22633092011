import type { FastifyRequest } from "fastify";
import type { Actor, Attribution } from "../domain/actor.ts";
import { orgOf } from "./access.ts";

const requestMeta = (req: FastifyRequest) => ({
  requestId: req.id,
  ip: req.ip ?? null,
  userAgent: req.headers["user-agent"]?.slice(0, 500) ?? null,
});

/** Who made the request, for records that may have no one signed in behind them. */
export function attributionOf(req: FastifyRequest): Attribution {
  const p = req.principal;
  const meta = requestMeta(req);
  if (!p) return { ...meta, kind: "anonymous" };
  if (p.kind === "api_key") return { ...meta, kind: "key", userId: p.createdBy, keyId: p.apiKeyId };
  return { ...meta, kind: p.kind === "jwt" ? "jwt" : "user", userId: p.userId, email: p.email };
}

/**
 * The actor of an org-scoped request (after the access check): the one value domain functions
 * get instead of the request.
 */
export function actorOf(req: FastifyRequest): Actor {
  const p = req.principal!;
  const org = orgOf(req);
  const role = org.keyRole ?? org.role;
  if (!role) throw new Error(`No role in organization ${org.id}: actorOf needs an org-scoped route.`);
  const base = { ...requestMeta(req), orgId: org.id, role };
  if (p.kind === "api_key")
    return { ...base, kind: "key", userId: p.createdBy, keyId: p.apiKeyId, email: null };
  return { ...base, kind: p.kind === "jwt" ? "jwt" : "user", userId: p.userId, email: p.email };
}
