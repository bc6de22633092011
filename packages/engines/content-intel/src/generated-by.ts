import { builtInMayCure, LlmError, type LlmTask } from "@modelworks/model-kit";
import { z } from "zod";

/**
 * Who wrote a piece of output: the engine's own deterministic rules and templates ("built-in"),
 * or a language model named by provider and model. Every analysis, insight and variant carries
 * it, so a reader always knows whether a sentence came from a template or a model.
 */
export const GeneratedBy = z.union([
  z.literal("built-in"),
  z.object({ provider: z.string().max(100), model: z.string().max(200) }),
]);
export type GeneratedBy = z.infer<typeof GeneratedBy>;

/**
 * The slice of a language-model client this engine needs. It matches the shape of the platform's
 * `ctx.llm.generateObject` (structured output against a zod schema, labelled with who answered),
 * declared here structurally so the engine does not depend on where that client lives. When it
 * is absent, or fails, or answers out of shape, every phase uses its built-in path.
 */
export interface ContentLlm {
  generateObject<T>(request: {
    /** Which job: the platform picks a cheap model for `classify`, a strong one for `draft`. */
    task: LlmTask;
    schema: z.ZodType<T>;
    prompt: string;
    system?: string;
    /** Fetched text (evidence, drafts built from it): sent as delimited data, never as instructions. */
    data?: readonly { name: string; text: string }[];
  }): Promise<{ object: T; generatedBy: GeneratedBy }>;
}

/**
 * Whether the built-in path may answer after a model call failed: yes for a missing, failing or
 * off-schema model; no for a spent budget or a cancelled run, which must fail the run with their
 * reason rather than pass template output off as the model's (model-kit `withBuiltIn`'s rule).
 */
export function builtInMayAnswer(err: unknown): boolean {
  if (err instanceof LlmError) return builtInMayCure(err);
  return !(err instanceof Error && (err.name === "AbortError" || err.name === "ModelCanceledError"));
}
