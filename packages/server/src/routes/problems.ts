import { ERROR_CODE_NAMES, ProblemTypeDto, problemTypeOf } from "@modelworks/contracts/errors";
import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import { errorCodesMarkdown } from "../errors/docs.ts";
import { notFound } from "../errors/domain-error.ts";

const tags = ["problems"];

/**
 * The error catalogue, public: each problem's `type` (`/api/v1/problems/<code>`) resolves here
 * to its status, title and description.
 */
export async function problemRoutes(app: FastifyInstance) {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.get(
    "/problems",
    {
      config: { access: "public" },
      schema: {
        tags,
        summary: "List the error codes problems carry",
        description: `Every problem+json body carries one of these codes as \`code\`:\n\n${errorCodesMarkdown()}`,
        response: { 200: z.object({ items: z.array(ProblemTypeDto) }) },
      },
    },
    async () => ({ items: ERROR_CODE_NAMES.map(problemTypeOf) }),
  );

  r.get(
    "/problems/:code",
    {
      config: { access: "public" },
      schema: {
        tags,
        summary: "Describe one error code (a problem's `type` URI)",
        params: z.object({ code: z.string() }),
        response: { 200: ProblemTypeDto },
      },
    },
    async (req) => {
      const code = ERROR_CODE_NAMES.find((c) => c === req.params.code);
      if (!code) throw notFound(`Error code ${req.params.code}`);
      return problemTypeOf(code);
    },
  );
}
