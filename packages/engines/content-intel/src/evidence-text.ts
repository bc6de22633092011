import type { ContentItem } from "./item.ts";
import { hasDataPoint } from "./predictor.ts";
import { sentences, tokenize } from "./text.ts";

/**
 * Picking sentences out of evidence for insights and drafts. The built-in writer only ever
 * quotes or restates whole sentences of cited items, which is why its drafts pass the claim
 * checker by construction; sentences longer than MAX_CLAIM_CHARS are passed over rather than
 * cut, because a cut can separate a number from its unit ("$2.5" from "billion").
 */
export const MAX_CLAIM_CHARS = 240;
const CONTRAST =
  /\b(but|however|yet|although|though|despite|risk|risks|warn|warned|critics|skeptic|skeptical)\b/i;
const NUMBERISH = /\d/;
/**
 * Text written to steer a language model ("ignore previous instructions", "SYSTEM:") is never
 * quoted into a draft: the built-in writer follows no instructions, but repeating them in a post
 * would publish the attack. The rest of the item stays usable.
 */
const INSTRUCTION_LIKE =
  /\b(ignore|disregard|forget)\b[^.]{0,30}\b(instructions?|prompts?|rules)\b|(^|\s)(system|assistant|developer)\s*:|\byou are (now )?(an? )?(ai|assistant|language model|chatbot)\b|\b(output|respond with|reply with|print) only\b/i;

export interface Sentence {
  itemId: string;
  text: string;
  /** Query terms it holds (distinct). */
  overlap: number;
  hasNumber: boolean;
  isContrast: boolean;
  /** Position in its item: earlier sentences carry the lede. */
  position: number;
}

export function sentencesOf(
  item: ContentItem,
  queryTerms: ReadonlySet<string>,
  banned: RegExp | null,
): Sentence[] {
  return sentences(item.text)
    .map((text, position) => ({ text, position }))
    .filter(
      ({ text }) =>
        text.length >= 30 &&
        text.length <= MAX_CLAIM_CHARS &&
        !INSTRUCTION_LIKE.test(text) &&
        !(banned && new RegExp(banned).test(text)),
    )
    .map(({ text, position }) => ({
      itemId: item.id,
      text,
      overlap: new Set(tokenize(text).filter((t) => queryTerms.has(t))).size,
      hasNumber: NUMBERISH.test(text) && hasDataPointOrFigure(text),
      isContrast: CONTRAST.test(text),
      position,
    }));
}

/** A figure worth citing: a percentage, multiple, money, or a number of two or more digits. */
function hasDataPointOrFigure(text: string): boolean {
  return hasDataPoint(text) || /(?<![\p{L}])\d{2,}/u.test(text);
}

/** The sentence that best carries the topic: most query terms, then earliest. */
export function bestSentence(
  list: readonly Sentence[],
  prefer?: (s: Sentence) => boolean,
): Sentence | undefined {
  const pool = prefer ? list.filter(prefer) : list;
  return [...(pool.length ? pool : list)].sort((a, b) => b.overlap - a.overlap || a.position - b.position)[0];
}
