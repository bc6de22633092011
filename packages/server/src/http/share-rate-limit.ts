import type { FastifyRequest } from "fastify";

/** The public routes' per-client-IP limit, shared by run and dashboard links. */
export const publicRateLimitOf = (max: number) => ({
  max,
  timeWindow: 60_000,
  keyGenerator: (req: FastifyRequest) => `share:${req.ip}`,
});
