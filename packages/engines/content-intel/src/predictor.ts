/**
 * The engagement predictor (spec A.3 phase 4, `phase4_optimized_intelligence.py:154-305`):
 *
 *   prediction = clip(0.30·content + 0.25·historical + 0.20·context + 0.25·ai, 0, 1)
 *
 * Kept: the blend, the content factor table and the context factor, and 0.5 for a missing or
 * unreadable model score. Fixed: "historical" is the writer's own fitted model (learning.ts), not
 * a table nothing ever wrote (always 0.5 in the prototype); emoji are any pictographic
 * character (the prototype's `[😀-🿿]` missed 📊, 💡, 🔍…); words match as words ("but" no longer
 * fires inside "button"); "ends with ?" looks past a closing line of hashtags.
 */
export const BLEND = { content: 0.3, historical: 0.25, context: 0.2, ai: 0.25 } as const;

const EMOJI = /\p{Extended_Pictographic}/gu;
const HASHTAG = /(?<![\p{L}\p{N}_])#[\p{L}\p{N}_]+/gu;
const CONTRARIAN = /\b(however|but|contrarian|different|alternative|unpopular)\b/i;
const DATA_POINT = /\d+%|\d+x\b|\$\d+/i;
const PERSONAL = /\b(my experience|i learned|when i|i discovered)\b/i;
const CTA = /(what do you think|share your|let me know|thoughts\?)/i;

export const hashtagsIn = (text: string) => text.match(HASHTAG) ?? [];
export const emojiCount = (text: string) => (text.match(EMOJI) ?? []).length;
export const hasDataPoint = (text: string) => DATA_POINT.test(text);

/** The text without a closing run of hashtag-only lines. */
export function withoutClosingHashtags(text: string): string {
  const lines = text.trimEnd().split("\n");
  while (lines.length && /^\s*(#[\p{L}\p{N}_]+\s*)+$/u.test(lines.at(-1)!)) lines.pop();
  return lines.join("\n").trimEnd();
}

export interface ContentFactor {
  score: number;
  /** Which rows of the table fired, with their increments: shown beside each prediction. */
  reasons: { rule: string; points: number }[];
}

/** The content factor table, base 0.5, capped at 1. */
export function contentFactor(text: string): ContentFactor {
  const reasons: ContentFactor["reasons"] = [];
  const add = (rule: string, points: number, when: boolean) => {
    if (when) reasons.push({ rule, points });
  };
  const length = [...text].length;
  const emoji = emojiCount(text);
  const hashtags = hashtagsIn(text).length;
  add("length 150–300 characters", 0.15, length >= 150 && length <= 300);
  add("ends with a question", 0.1, withoutClosingHashtags(text).endsWith("?"));
  add("2–5 emoji", 0.08, emoji >= 2 && emoji <= 5);
  add("3–7 hashtags", 0.07, hashtags >= 3 && hashtags <= 7);
  add("contrarian word", 0.2, CONTRARIAN.test(text));
  add("data point", 0.15, DATA_POINT.test(text));
  add("personal phrase", 0.12, PERSONAL.test(text));
  add("call to action", 0.13, CTA.test(text));
  const score = Math.min(1, 0.5 + reasons.reduce((s, r) => s + r.points, 0));
  return { score, reasons };
}

/** Context factor: 0.5, +0.2 cross-domain or +0.15 contrarian, +0.1 controversy > 0.7, +0.1 innovation > 0.8. */
export function contextFactor(a: {
  complexity: string;
  contextSignals: { controversy: number; innovation: number };
}): number {
  let s = 0.5;
  if (a.complexity === "cross_domain") s += 0.2;
  else if (a.complexity === "contrarian") s += 0.15;
  if (a.contextSignals.controversy > 0.7) s += 0.1;
  if (a.contextSignals.innovation > 0.8) s += 0.1;
  return Math.min(1, s);
}

/** A model's free-text score: the first `0.xx`, `1.0` or `0.0` in the reply, else 0.5. */
export function parseAiScore(reply: string | undefined): number {
  const m = reply?.match(/0\.\d+|1\.0|0\.0/);
  return m ? Number(m[0]) : 0.5;
}

export interface Prediction {
  content: number;
  historical: number;
  context: number;
  ai: number;
  score: number;
}

export function blend(parts: Omit<Prediction, "score">): Prediction {
  const raw =
    BLEND.content * parts.content +
    BLEND.historical * parts.historical +
    BLEND.context * parts.context +
    BLEND.ai * parts.ai;
  return { ...parts, score: Math.min(1, Math.max(0, raw)) };
}
