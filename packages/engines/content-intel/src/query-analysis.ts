import { ModelInputError } from "@modelworks/model-kit";
import { z } from "zod";
import type { ContentLlm } from "./generated-by.ts";
import { builtInMayAnswer, GeneratedBy } from "./generated-by.ts";
import { stem, tokenize, words } from "./text.ts";

/**
 * Phase 1, query analysis (spec A.3 phase 1, `phase3_personalized_intelligence.py` fallback).
 * Kept from the prototype: the four keyword lists, weight = hits / list length, complexity
 * (cross_domain for > 1 domain, contrarian on "contrarian" / "alternative" / "different"), the
 * four frameworks chosen by domain overlap, the fixed signals and confidences of the fallback.
 * Fixed: keywords match whole words (after the shared stemmer), not substrings, so "ai" no
 * longer matches "retail" or "said"; keywords are the topic's index terms (stopwords dropped),
 * not a whitespace split; an empty topic is a field-level error, not a "general" query.
 */
export const DOMAIN_KEYWORDS = {
  tech: ["ai", "software", "digital", "automation", "blockchain", "algorithm"],
  politics: ["regulation", "policy", "government", "political", "law", "compliance"],
  product: ["product", "strategy", "market", "user", "growth", "business"],
  finance: ["fintech", "finance", "investment", "funding", "banking", "payment"],
} as const;

export const DOMAINS = ["tech", "politics", "product", "finance", "general"] as const;
export type Domain = (typeof DOMAINS)[number];

/** The prototype's four personal frameworks and the domains each applies to (`phase3…:76-97`). */
export const FRAMEWORKS: { name: string; description: string; domains: Domain[] }[] = [
  {
    name: "IIT-MBA Technical Leadership",
    description: "Combining engineering rigor with business strategy",
    domains: ["tech", "product"],
  },
  {
    name: "Political Product Management",
    description: "Product strategy in regulated/political environments",
    domains: ["politics", "product"],
  },
  {
    name: "Fintech Regulatory Navigation",
    description: "Building financial products within regulatory constraints",
    domains: ["finance", "politics"],
  },
  {
    name: "Cross-Domain Innovation",
    description: "Finding innovation at the intersection of domains",
    domains: ["tech", "politics", "product", "finance"],
  },
];

const CONTRARIAN_WORDS = new Set(["contrarian", "alternative", "different"]);
export const COMPLEXITIES = ["simple", "cross_domain", "contrarian"] as const;

export const QueryAnalysis = z.object({
  text: z.string(),
  intent: z.string(),
  intentConfidence: z.number().min(0).max(1),
  domains: z.array(z.enum(DOMAINS)),
  domainWeights: z.record(z.string(), z.number().min(0).max(1)),
  complexity: z.enum(COMPLEXITIES),
  evidenceLevel: z.enum(["basic", "premium"]),
  keywords: z.array(z.string()),
  /** The topic's index terms (tokenize): what retrieval searches for. */
  terms: z.array(z.string()),
  contextSignals: z.object({
    urgency: z.number().min(0).max(1),
    controversy: z.number().min(0).max(1),
    innovation: z.number().min(0).max(1),
  }),
  frameworks: z.array(z.string()),
  voiceStyle: z.string(),
  contrarianPotential: z.number().min(0).max(1),
  /** 0.4·intentConfidence + 0.3·mean(domain weights) + 0.3·min(#frameworks/3, 1) (`phase5…:657-662`). */
  queryClarity: z.number().min(0).max(1),
  generatedBy: GeneratedBy,
});
export type QueryAnalysis = z.infer<typeof QueryAnalysis>;

/** An empty or wordless topic cannot be analysed: the user has to type one. */
function requireTopic(topic: string, path: string): void {
  if (words(topic).length === 0)
    throw new ModelInputError([{ path, message: "Type a topic: it has no words to search for." }]);
}

export function frameworksFor(domains: readonly string[]): string[] {
  return FRAMEWORKS.filter((f) => f.domains.some((d) => domains.includes(d))).map((f) => f.name);
}

export function queryClarity(a: Pick<QueryAnalysis, "intentConfidence" | "domainWeights" | "frameworks">) {
  const weights = Object.values(a.domainWeights);
  const meanWeight = weights.length ? weights.reduce((s, w) => s + w, 0) / weights.length : 0;
  return 0.4 * a.intentConfidence + 0.3 * meanWeight + 0.3 * Math.min(a.frameworks.length / 3, 1);
}

/** The built-in (rule-based) analysis: the prototype's fallback with whole-word matching. */
export function analyzeQueryBuiltIn(topic: string, path = "topic"): QueryAnalysis {
  requireTopic(topic, path);
  const topicWords = words(topic);
  const present = new Set([...topicWords, ...topicWords.map(stem)]);
  const domains: Domain[] = [];
  const domainWeights: Record<string, number> = {};
  for (const [domain, keywords] of Object.entries(DOMAIN_KEYWORDS)) {
    const hits = keywords.filter((k) => present.has(k) || present.has(stem(k))).length;
    if (hits > 0) {
      domains.push(domain as Domain);
      domainWeights[domain] = Math.min(hits / keywords.length, 1);
    }
  }
  if (domains.length === 0) {
    domains.push("general");
    domainWeights.general = 1;
  }
  let complexity: (typeof COMPLEXITIES)[number] = domains.length > 1 ? "cross_domain" : "simple";
  if (topicWords.some((w) => CONTRARIAN_WORDS.has(w))) complexity = "contrarian";
  const frameworks = frameworksFor(domains);
  const terms = [...new Set(tokenize(topic))];
  const analysis = {
    text: topic,
    intent: "comprehensive",
    intentConfidence: 0.7,
    domains,
    domainWeights,
    complexity,
    evidenceLevel: complexity === "simple" ? "basic" : "premium",
    keywords: topicWords.filter((w) => tokenize(w).length > 0),
    terms,
    contextSignals: { urgency: 0.5, controversy: 0.3, innovation: 0.7 },
    frameworks,
    voiceStyle: domains.length > 1 ? "analytical_cross_domain" : "professional",
    contrarianPotential: complexity === "contrarian" ? 0.7 : 0.3,
    queryClarity: 0,
    generatedBy: "built-in",
  } satisfies QueryAnalysis;
  return { ...analysis, queryClarity: queryClarity(analysis) };
}

/** What a language model is asked for: loose on purpose, every field is normalised afterwards. */
const LlmAnalysis = z.object({
  intent: z.string().optional(),
  intentConfidence: z.number().optional(),
  domains: z.array(z.string()).optional(),
  domainWeights: z.record(z.string(), z.number()).optional(),
  complexity: z.string().optional(),
  contextSignals: z.record(z.string(), z.number()).optional(),
  contrarianPotential: z.number().optional(),
});

const clamp01 = (x: unknown, fallback: number) =>
  typeof x === "number" && Number.isFinite(x) ? Math.min(1, Math.max(0, x)) : fallback;

/**
 * Query analysis with an optional language model. With `llm`, its answer is normalised onto the
 * built-in analysis (unknown domains dropped, a complexity outside the three known values falls
 * back to the rules' — spec A.8: "must be normalized, not crash" — numbers clipped to [0, 1]);
 * without one, or when it fails, the built-in rules answer.
 */
export async function analyzeQuery(
  topic: string,
  opts: { llm?: ContentLlm | undefined; path?: string } = {},
): Promise<QueryAnalysis> {
  const base = analyzeQueryBuiltIn(topic, opts.path);
  if (!opts.llm) return base;
  let reply: { object: z.infer<typeof LlmAnalysis>; generatedBy: GeneratedBy };
  try {
    reply = await opts.llm.generateObject({
      task: "classify",
      schema: LlmAnalysis,
      system: "You classify a LinkedIn writer's topic. Answer only with the requested JSON fields.",
      prompt: `Topic: ${JSON.stringify(topic)}\nDomains to choose from: tech, politics, product, finance.`,
    });
  } catch (err) {
    if (!builtInMayAnswer(err)) throw err;
    return base;
  }
  const o = reply.object;
  const domains = (o.domains ?? [])
    .map((d) => d.toLowerCase())
    .filter((d): d is Domain => d in DOMAIN_KEYWORDS);
  const useDomains = domains.length ? [...new Set(domains)] : base.domains;
  const domainWeights: Record<string, number> = {};
  for (const d of useDomains) domainWeights[d] = clamp01(o.domainWeights?.[d], base.domainWeights[d] ?? 0.5);
  const complexity = (COMPLEXITIES as readonly string[]).includes(o.complexity ?? "")
    ? (o.complexity as QueryAnalysis["complexity"])
    : base.complexity;
  const frameworks = frameworksFor(useDomains);
  const a: QueryAnalysis = {
    ...base,
    intent: o.intent?.slice(0, 100) || base.intent,
    intentConfidence: clamp01(o.intentConfidence, base.intentConfidence),
    domains: useDomains,
    domainWeights,
    complexity,
    evidenceLevel: complexity === "simple" ? "basic" : "premium",
    contextSignals: {
      urgency: clamp01(o.contextSignals?.urgency, base.contextSignals.urgency),
      controversy: clamp01(o.contextSignals?.controversy, base.contextSignals.controversy),
      innovation: clamp01(o.contextSignals?.innovation, base.contextSignals.innovation),
    },
    frameworks,
    voiceStyle: useDomains.length > 1 ? "analytical_cross_domain" : "professional",
    contrarianPotential: clamp01(o.contrarianPotential, base.contrarianPotential),
    generatedBy: reply.generatedBy,
  };
  return { ...a, queryClarity: queryClarity(a) };
}
