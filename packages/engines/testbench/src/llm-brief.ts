import { defineModel, type ModelLlm, withBuiltIn } from "@modelworks/model-kit";
import { z } from "zod";

/**
 * The platform's test model for `ctx.llm` (issue 14): classifies an uploaded document against a
 * topic (structured output, the document passed as untrusted data) and drafts a short brief
 * (streamed text). With no provider configured it takes its deterministic built-in path — a
 * keyword rule and a template — and labels each output with what produced it.
 */
export const LlmBriefInput = z
  .object({
    topic: z.string().min(1).max(200),
    /** Untrusted text (an upload, a fetched page): sent to the model as data, never as instructions. */
    document: z.string().max(20_000),
    /** Skip the draft (only classify). */
    classifyOnly: z.boolean().default(false),
    /**
     * false: when a model is configured, no built-in fallback for the classification — a failed
     * call fails the run with its code (llm_output_invalid…), as an engine without a template would.
     */
    fallback: z.boolean().default(true),
  })
  .strict();

const GeneratedBy = z.union([z.literal("built-in"), z.object({ provider: z.string(), model: z.string() })]);

export const Relevance = z.object({
  label: z.enum(["relevant", "irrelevant"]),
  confidence: z.number().min(0).max(1),
});

export const LlmBriefOutput = z.object({
  relevance: Relevance,
  relevanceGeneratedBy: GeneratedBy,
  draft: z.string().nullable(),
  draftGeneratedBy: GeneratedBy.nullable(),
  fallbackReasons: z.array(z.string()),
});

/** The built-in rule: share of the topic's words that occur in the document. */
export function keywordRelevance(topic: string, document: string): z.infer<typeof Relevance> {
  const words = topic.toLowerCase().match(/[a-z0-9]{3,}/g) ?? [];
  const text = document.toLowerCase();
  const hits = words.filter((w) => text.includes(w)).length;
  const share = words.length ? hits / words.length : 0;
  return { label: share >= 0.5 ? "relevant" : "irrelevant", confidence: Math.round(share * 100) / 100 };
}

export const llmBrief = defineModel({
  id: "test-llm-brief",
  version: "1.0.0",
  title: "Test: language-model brief",
  summary:
    "Classifies a document and drafts a brief through ctx.llm, with a built-in path; the platform's test model.",
  internal: true,
  input: LlmBriefInput,
  output: LlmBriefOutput,
  examples: [
    {
      name: "tif-note",
      title: "A note on TIF",
      input: {
        topic: "tax increment financing",
        document: "Austin's tax increment financing district funds affordable housing.",
        classifyOnly: false,
      },
    },
  ],
  async run(input, ctx) {
    const fallbackReasons: string[] = [];
    ctx.progress(0.1, "Classifying");
    const classify = (llm: ModelLlm) =>
      llm.generateObject({
        task: "classify",
        system: "You judge whether a document is about a topic.",
        prompt: `Is the document about "${input.topic}"? Answer with a label and a confidence.`,
        data: [{ name: "document", text: input.document }],
        schema: Relevance,
        schemaName: "relevance",
      });
    const relevance =
      input.fallback || !ctx.llm.available
        ? await withBuiltIn(ctx, classify, () => keywordRelevance(input.topic, input.document))
        : await classify(ctx.llm).then((a) => ({
            value: a.value,
            generatedBy: a.generatedBy,
            fallbackReason: undefined,
          }));
    if (relevance.fallbackReason) fallbackReasons.push(relevance.fallbackReason);
    if (input.classifyOnly) {
      return {
        relevance: relevance.value,
        relevanceGeneratedBy: relevance.generatedBy,
        draft: null,
        draftGeneratedBy: null,
        fallbackReasons,
      };
    }
    ctx.progress(0.5, "Drafting");
    const draft = await withBuiltIn(
      ctx,
      (llm) =>
        llm.generateText({
          task: "draft",
          system: "You write two-sentence briefs for analysts.",
          prompt: `Write a brief on "${input.topic}" from the document.`,
          data: [{ name: "document", text: input.document }],
          onText: () => ctx.progress(0.75, "Drafting"),
        }),
      () =>
        `Brief on ${input.topic}: the document is ${relevance.value.label} to the topic ` +
        `(${Math.round(relevance.value.confidence * 100)} % of its key words occur).`,
    );
    if (draft.fallbackReason) fallbackReasons.push(draft.fallbackReason);
    return {
      relevance: relevance.value,
      relevanceGeneratedBy: relevance.generatedBy,
      draft: draft.value,
      draftGeneratedBy: draft.generatedBy,
      fallbackReasons,
    };
  },
});
