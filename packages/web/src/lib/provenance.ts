/**
 * Which path wrote a run's text (issue 14 item 3): engines label each model-written part of their
 * output `generatedBy` (or `<part>GeneratedBy`): `{provider, model} | "built-in"`, and a built-in answer that stood in for a
 * failed model call carries its reason (`fallbackReason`, or `fallback: {reason}` in a plan).
 * This reads those labels from any engine's output, so every engine's results say it without a
 * view of their own.
 */
export interface Provenance {
  /** Distinct writers, "built-in" or "provider · model", in the order first met. */
  writers: string[];
  /** Why the built-in path stood in for a configured model, de-duplicated. */
  fallbackReasons: string[];
}

/** Enough to reach the labels engines write (top level and one list down) without walking a big table. */
const MAX_DEPTH = 4;
const MAX_NODES = 5_000;
/** `generatedBy`, or a part's own label such as `draftGeneratedBy`. */
const LABEL_KEY = /^(generatedBy|\w+GeneratedBy)$/;

export function provenanceOf(output: unknown): Provenance {
  const writers = new Set<string>();
  const reasons = new Set<string>();
  let nodes = 0;
  const visit = (value: unknown, depth: number) => {
    if (value === null || typeof value !== "object" || depth > MAX_DEPTH || ++nodes > MAX_NODES) return;
    if (Array.isArray(value)) {
      for (const item of value) visit(item, depth + 1);
      return;
    }
    const record = value as Record<string, unknown>;
    for (const [key, label] of Object.entries(record)) {
      const writer = LABEL_KEY.test(key) ? writerOf(label) : null;
      if (writer) writers.add(writer);
    }
    if (typeof record.fallbackReason === "string" && record.fallbackReason)
      reasons.add(record.fallbackReason);
    const fallback = record.fallback as { reason?: unknown } | null | undefined;
    if (fallback && typeof fallback === "object" && typeof fallback.reason === "string")
      reasons.add(fallback.reason);
    for (const [key, child] of Object.entries(record)) {
      if (!LABEL_KEY.test(key)) visit(child, depth + 1);
    }
  };
  visit(output, 0);
  return { writers: [...writers], fallbackReasons: [...reasons] };
}

function writerOf(label: unknown): string | null {
  if (label === "built-in") return "built-in";
  if (label && typeof label === "object") {
    const { provider, model } = label as { provider?: unknown; model?: unknown };
    if (typeof provider === "string" && typeof model === "string") return `${provider} · ${model}`;
  }
  return null;
}

/** The sentence the results show, or null when no part of the output was written by either path. */
export function provenanceSentence({ writers }: Provenance): string | null {
  if (!writers.length) return null;
  const models = writers.filter((w) => w !== "built-in");
  const builtIn = writers.includes("built-in");
  if (!models.length) return "Written by Modelworks' built-in rules: no language model was used.";
  const named = models.join(", ");
  return builtIn
    ? `Written partly by a language model (${named}) and partly by the built-in rules.`
    : `Written by a language model (${named}).`;
}
