import type { FeedbackRecord } from "../learning.ts";

/**
 * Twelve published posts with their real-looking results, for the example with history: the
 * writer's data-driven posts with figures did about twice as well as the rest. Deterministic
 * (no randomness), invented.
 */
export function exampleHistory(): FeedbackRecord[] {
  const kinds = ["analytical", "engaging", "contrarian", "data_driven"] as const;
  const texts: Record<(typeof kinds)[number], string> = {
    analytical:
      "Platform strategy: what the evidence says.\n\nSignals:\n→ Compliance costs are fixed costs. (Stratechery)\n\nQuestion: how is this changing your plans?\n\n#Platform #Strategy",
    engaging:
      "One line from First Round Review is worth reading twice:\n\n“Compliance is now a product feature.”\n\nWhat do you think? Let me know below.\n\n#Fintech #Product",
    contrarian:
      "Everyone says the story is settled. But the evidence is more mixed.\n\nHowever: critics warn of a patchwork. (The Dispatch)\n\nWhere do you land?\n\n#Policy",
    data_driven:
      "Embedded finance, by the numbers:\n\n→ Revenue per customer grows 2.3x faster. (CB Insights)\n→ 18% of small-business card payments. (CB Insights)\n\nWhich figure would change your plan?\n\n#Fintech #Payments",
  };
  return Array.from({ length: 12 }, (_, i) => {
    const kind = kinds[i % 4]!;
    const impressions = 1500 + ((i * 737) % 1900);
    const rate =
      (kind === "data_driven" ? 0.048 : kind === "analytical" ? 0.027 : 0.022) *
      (0.9 + ((i * 37) % 20) / 100);
    const engaged = Math.round(impressions * rate);
    return {
      postId: `post-${String(i + 1).padStart(2, "0")}`,
      publishedAt: new Date(Date.UTC(2026, 8, 1 + i * 6, 8)).toISOString(),
      hourLocal: [8, 12, 17, 8][i % 4]!,
      variantKind: kind,
      text: texts[kind],
      domains: ["tech", "product", "finance"],
      impressions,
      reactions: Math.round(engaged * 0.8),
      comments: Math.round(engaged * 0.15),
      reposts: engaged - Math.round(engaged * 0.8) - Math.round(engaged * 0.15),
      predicted: 0.6,
    };
  });
}
