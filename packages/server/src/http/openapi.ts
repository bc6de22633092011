import swagger from "@fastify/swagger";
import swaggerUi from "@fastify/swagger-ui";
import type { FastifyInstance } from "fastify";
import fp from "fastify-plugin";
import { createJsonSchemaTransform, jsonSchemaTransformObject } from "fastify-type-provider-zod";
import { errorCodesMarkdown } from "../errors/docs.ts";
import type { Access } from "./access.ts";

type OpenApiDoc = Record<string, unknown> & {
  paths?: Record<string, Record<string, { responses?: Record<string, unknown> }>>;
  components?: Record<string, unknown>;
};

/**
 * The OpenAPI 3.1 document, generated from the routes' zod schemas, at /api/v1/openapi.json,
 * and Swagger UI at /docs. Each operation carries `x-access` (the permission it needs) and its
 * security schemes, derived from the same `config.access` the access check enforces.
 */
export const openApiPlugin = fp(async (app: FastifyInstance) => {
  const zodTransform = createJsonSchemaTransform({ skipList: [] });
  await app.register(swagger, {
    openapi: {
      openapi: "3.1.0",
      info: {
        title: "Modelworks API",
        version: "1.0.0",
        description:
          "Run analytical models in production. Authenticate with the session cookie from " +
          "`POST /api/v1/auth/sign-in` (send `x-csrf-token` on unsafe requests) or an API key as " +
          "`Authorization: Bearer mwk_…`. Org-scoped routes act in the API key's organization, the " +
          "`x-organization-id` header's, or the session's active one. Errors are RFC 9457 problem+json " +
          "with a stable `code` and a `type` URI that resolves to its entry (`GET /api/v1/problems/{code}`):\n\n" +
          errorCodesMarkdown(),
      },
      servers: [{ url: app.deps.config.PUBLIC_URL }],
      components: {
        securitySchemes: {
          sessionCookie: { type: "apiKey", in: "cookie", name: "mw_session" },
          apiKey: { type: "http", scheme: "bearer", description: "An organization API key (mwk_…)" },
          externalJwt: { type: "http", scheme: "bearer", bearerFormat: "JWT" },
        },
      },
    },
    transform: (input) => {
      const out = zodTransform(input);
      const access = (input.route.config as { access?: Access } | undefined)?.access;
      if (!access) return out;
      const security: Record<string, string[]>[] =
        access === "public"
          ? []
          : access === "user"
            ? [{ sessionCookie: [] }, { externalJwt: [] }]
            : [{ sessionCookie: [] }, { apiKey: [] }, { externalJwt: [] }];
      return { ...out, schema: { ...out.schema, security, "x-access": access } };
    },
    transformObject: (input) => withProblemResponses(jsonSchemaTransformObject(input) as OpenApiDoc),
  });
  await app.register(swaggerUi, {
    routePrefix: "/docs",
    staticCSP: true,
    uiConfig: { withCredentials: true },
  });
  app.get("/api/v1/openapi.json", { schema: { hide: true }, config: { access: "public" } }, async () =>
    app.swagger(),
  );
});

/** Every operation can fail with a problem+json body; say so once here rather than on every route. */
function withProblemResponses(doc: OpenApiDoc): OpenApiDoc {
  const problem = { $ref: "#/components/schemas/Problem" };
  for (const methods of Object.values(doc.paths ?? {})) {
    for (const op of Object.values(methods)) {
      op.responses ??= {};
      op.responses["4XX"] ??= {
        description: "Client error (RFC 9457 problem details)",
        content: { "application/problem+json": { schema: problem } },
      };
      op.responses["5XX"] ??= {
        description: "Server error (RFC 9457 problem details)",
        content: { "application/problem+json": { schema: problem } },
      };
    }
  }
  return doc;
}
