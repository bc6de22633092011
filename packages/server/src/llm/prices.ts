/**
 * Estimated cost of a call: USD per million tokens in and out, by model. The built-in table is a
 * snapshot of list prices (estimates, not invoices); an organization overrides or extends it in
 * its settings (`PUT /org/llm/settings` `prices`). Unknown models cost 0 and are flagged as such
 * in usage (`priced: false`), so a budget is never silently charged a guess.
 */
export interface ModelPrice {
  inputPerMTokUsd: number;
  outputPerMTokUsd: number;
}

export const BUILT_IN_PRICES: Readonly<Record<string, ModelPrice>> = {
  "gpt-4o": { inputPerMTokUsd: 2.5, outputPerMTokUsd: 10 },
  "gpt-4o-mini": { inputPerMTokUsd: 0.15, outputPerMTokUsd: 0.6 },
  "gpt-4.1": { inputPerMTokUsd: 2, outputPerMTokUsd: 8 },
  "gpt-4.1-mini": { inputPerMTokUsd: 0.4, outputPerMTokUsd: 1.6 },
  "gpt-4.1-nano": { inputPerMTokUsd: 0.1, outputPerMTokUsd: 0.4 },
  "claude-3-5-haiku-latest": { inputPerMTokUsd: 0.8, outputPerMTokUsd: 4 },
  "claude-3-haiku-20240307": { inputPerMTokUsd: 0.25, outputPerMTokUsd: 1.25 },
  "claude-sonnet-4-0": { inputPerMTokUsd: 3, outputPerMTokUsd: 15 },
  "claude-opus-4-0": { inputPerMTokUsd: 15, outputPerMTokUsd: 75 },
  "gemini-2.0-flash": { inputPerMTokUsd: 0.1, outputPerMTokUsd: 0.4 },
  "gemini-2.5-flash": { inputPerMTokUsd: 0.3, outputPerMTokUsd: 2.5 },
  "gemini-2.5-pro": { inputPerMTokUsd: 1.25, outputPerMTokUsd: 10 },
};

export function priceOf(model: string, overrides: Record<string, ModelPrice> = {}): ModelPrice | null {
  return overrides[model] ?? BUILT_IN_PRICES[model] ?? null;
}

export function costUsd(
  model: string,
  tokens: { inputTokens: number; outputTokens: number },
  overrides: Record<string, ModelPrice> = {},
): number {
  const p = priceOf(model, overrides);
  if (!p) return 0;
  return (tokens.inputTokens * p.inputPerMTokUsd + tokens.outputTokens * p.outputPerMTokUsd) / 1_000_000;
}
