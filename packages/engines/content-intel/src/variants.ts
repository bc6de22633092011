import { z } from "zod";
import { bestSentence, type Sentence } from "./evidence-text.ts";
import type { Insight } from "./insights.ts";
import { DOMAIN_KEYWORDS, type QueryAnalysis } from "./query-analysis.ts";
import type { EvidenceItem } from "./retrieval.ts";
import { words } from "./text.ts";
import { LINKEDIN_MAX_CHARS, type Voice } from "./voice.ts";

/**
 * Phase 4's drafts, built-in path: exactly four variants, keyed as in the prototype (spec A.8),
 * written from templates over the evidence. The structure follows the phase-4 prompts the spec
 * names as the intended generation spec — analytical in the "3-2-1" shape (signals,
 * implications, a question), engaging around one quoted line, contrarian as "everyone says X,
 * but…", data-driven from the evidence's own figures. Every factual sentence is a whole sentence
 * of a cited item followed by its source's name; the templates themselves contain no digits, so
 * nothing is invented (the prototype's data-driven template shipped "73% of approaches…",
 * "2.3x better outcomes" and "45%" as fact). Voice: tone picks the phrasing, emoji on/off,
 * banned words keep sentences out, and the text is fitted to the length and hashtag limits.
 */
export const VARIANT_KINDS = ["analytical", "engaging", "contrarian", "data_driven"] as const;
export type VariantKind = (typeof VARIANT_KINDS)[number];

export const Citation = z.object({
  itemId: z.string(),
  title: z.string(),
  url: z.string(),
  sourceName: z.string(),
});
export type Citation = z.infer<typeof Citation>;

export interface Draft {
  kind: VariantKind;
  text: string;
  citations: Citation[];
  hashtags: string[];
}

const EMOJI: Record<VariantKind, string> = {
  analytical: "🔍",
  engaging: "💡",
  contrarian: "🤔",
  data_driven: "📊",
};
const DOMAIN_TAG: Record<string, string> = {
  tech: "#Tech",
  politics: "#Policy",
  product: "#ProductStrategy",
  finance: "#Fintech",
};

/**
 * Hashtags: the topic's words that are domain keywords first ("#AI", "#Fintech"), then the
 * domains' tags, then the topic's other words; no digits, no repeats.
 */
export function hashtagsFor(analysis: QueryAnalysis, max: number): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  const push = (tag: string) => {
    if (out.length < max && !seen.has(tag.toLowerCase()) && !/\d/.test(tag)) {
      seen.add(tag.toLowerCase());
      out.push(tag);
    }
  };
  const tag = (w: string) => `#${w.length <= 3 ? w.toUpperCase() : w[0]!.toUpperCase() + w.slice(1)}`;
  const keywords = analysis.keywords.filter((w) => w.length >= 2);
  const domainWords = new Set<string>(Object.values(DOMAIN_KEYWORDS).flat());
  for (const w of keywords) if (domainWords.has(w)) push(tag(w));
  for (const d of analysis.domains) if (DOMAIN_TAG[d]) push(DOMAIN_TAG[d]!);
  for (const w of keywords) push(tag(w));
  return out;
}

interface Block {
  text: string;
  /** Items this line cites: a dropped line drops its citations. */
  itemIds?: string[];
  /** Dropped, last first, when the draft is over its length limit. */
  optional?: boolean;
  /** What the line is, where the template's wording depends on which lines survive fitting. */
  tag?: "hook-3-2-1" | "signal" | "implication";
}

/** Joins blocks into a post no longer than `limit`, dropping optional blocks from the end first. */
export function fitBlocks(blocks: Block[], limit: number): { text: string; kept: Block[] } {
  const list = [...blocks];
  const join = () => list.map((b) => b.text).join("\n");
  while ([...join()].length > limit) {
    const at = list.findLastIndex((b) => b.optional);
    if (at < 0) break;
    list.splice(at, 1);
  }
  // Still too long: whole lines go from the end (a cited sentence is never cut in two), down to
  // the opening line.
  while ([...join()].length > limit && list.length > 1) {
    list.pop();
    // No blank line or heading ("Implications:") left dangling at the end.
    while (list.length > 1 && (list.at(-1)!.text === "" || list.at(-1)!.text.endsWith(":"))) list.pop();
  }
  const text = join();
  if ([...text].length <= limit) return { text, kept: list };
  // Only the opening line left and still too long (a very low limit): cut it at a word, mark it.
  const chars = [...text].slice(0, limit - 1).join("");
  return { text: `${chars.slice(0, Math.max(chars.lastIndexOf(" "), 1)).trimEnd()}…`, kept: list };
}

const capitalize = (s: string) => (s ? s[0]!.toUpperCase() + s.slice(1) : s);

interface DraftInput {
  analysis: QueryAnalysis;
  evidence: readonly EvidenceItem[];
  insights: readonly Insight[];
  sentencesByItem: ReadonlyMap<string, Sentence[]>;
  voice: Voice;
}

export function draftVariants(input: DraftInput): Draft[] {
  return VARIANT_KINDS.map((kind) => draftVariant(kind, input));
}

function draftVariant(
  kind: VariantKind,
  { analysis, evidence, insights, sentencesByItem, voice }: DraftInput,
): Draft {
  const topic = analysis.text.trim().replace(/[.?!]+$/, "");
  const byId = new Map(evidence.map((e) => [e.itemId, e]));
  let pending: string[] = [];
  const cite = (s: { itemId: string; text: string }) => {
    pending.push(s.itemId);
    return `${s.text} (${byId.get(s.itemId)?.sourceName ?? s.itemId})`;
  };
  const blocks: Block[] = [];
  /** Adds lines; the items cited while writing them belong to the last one. */
  const add = (...lines: Block[]) => {
    if (pending.length) lines[lines.length - 1]!.itemIds = pending;
    pending = [];
    blocks.push(...lines);
  };
  /** Cited bullets: the first is kept, the rest may be dropped to fit the length limit. */
  const addBullets = (list: readonly { itemId: string; text: string }[], tag?: Block["tag"]) => {
    for (const [n, s] of list.entries())
      add({ text: `${bullet} ${cite(s)}`, optional: n > 0, ...(tag ? { tag } : {}) });
  };
  const bullet = voice.emoji ? "👉" : "→";
  const hook = (s: string) => (voice.emoji ? `${EMOJI[kind]} ${s}` : s);
  const domains = analysis.domains.filter((d) => d !== "general");
  const tone = voice.tone;
  const hashtags = hashtagsFor(analysis, voice.maxHashtags);

  if (evidence.length === 0 || insights.length === 0) {
    add({
      text: hook(
        `${capitalize(topic)}: none of the sources I follow has covered this recently, so there is nothing to cite yet.`,
      ),
    });
    add({ text: "Which sources would you trust on it? Share your picks below." });
  } else if (kind === "analytical") {
    const signals = insights.map((i) => ({ itemId: i.itemId, text: i.claim }));
    add({
      text: hook(
        signals.length === 3
          ? `${capitalize(topic)}: three signals, two implications, one question.`
          : `${capitalize(topic)}: what the evidence says.`,
      ),
      ...(signals.length === 3 ? { tag: "hook-3-2-1" as const } : {}),
    });
    add({ text: "" }, { text: "Signals:" });
    addBullets(signals, "signal");
    add({ text: "" }, { text: "Implications:" });
    add({
      tag: "implication",
      text:
        domains.length > 1
          ? `${bullet} For ${domains[0]} teams this is also a ${domains[1]} question${analysis.frameworks[0] ? `: ${analysis.frameworks[0]} applies` : ""}.`
          : `${bullet} For ${domains[0] ?? "most"} teams, this is worth tracking before it becomes consensus.`,
    });
    add({
      text: `${bullet} The advantage goes to whoever reads the primary sources before the headlines settle.`,
      optional: true,
      tag: "implication",
    });
    add({ text: "" });
    add({
      text:
        tone === "bold"
          ? `Question: who is still planning as if none of this is happening?`
          : `Question: how is ${topic} changing your plans?`,
    });
  } else if (kind === "engaging") {
    const lead = insights[0]!;
    const quote = lead.claim.replace(/["“”]/g, "");
    pending.push(lead.itemId);
    add({
      text: hook(
        tone === "conversational"
          ? `One line stopped me this week, from ${lead.sourceName}:`
          : `One line from ${lead.sourceName} is worth reading twice:`,
      ),
    });
    add({ text: "" }, { text: `“${quote}”` });
    add({ text: "" });
    add({ text: `Why it matters for ${topic}:` });
    addBullets(insights.slice(1).map((i) => ({ itemId: i.itemId, text: i.claim })));
    add({ text: "" });
    add({
      text: "When I read these sources side by side, the pattern is clearer than in any single headline.",
      optional: true,
    });
    add({
      text: tone === "bold" ? "What do you think: am I wrong?" : "What do you think? Let me know below.",
    });
  } else if (kind === "contrarian") {
    const first = insights[0]!;
    const pushback =
      insights.map((i) => i.contrarianAngle && { itemId: i.itemId, text: i.contrarianAngle }).find(Boolean) ||
      bestSentence(
        evidence.flatMap((e) => sentencesByItem.get(e.itemId) ?? []).filter((s) => s.text !== first.claim),
        (s) => s.isContrast,
      );
    add({
      text: hook(`Everyone says the story on ${topic} is settled. But the evidence is more mixed.`),
    });
    add({ text: "" }, { text: `The usual take: ${cite({ itemId: first.itemId, text: first.claim })}` });
    if (pushback) add({ text: `The other side: ${cite(pushback)}` });
    add({ text: "" });
    add({
      text:
        tone === "bold"
          ? `Unpopular opinion: ${topic} needs less hype and more homework.`
          : `My alternative view: treat ${topic} as an open question, and read the sources that disagree.`,
    });
    add({ text: "Where do you land? Share your view below." });
  } else {
    const figures = evidence
      .flatMap((e) => (sentencesByItem.get(e.itemId) ?? []).filter((s) => s.hasNumber).slice(0, 2))
      .slice(0, 4);
    if (figures.length) {
      add({ text: hook(`${capitalize(topic)}, by the numbers:`) }, { text: "" });
      addBullets(figures);
      add({ text: "" });
      add({ text: "Read together, which of these figures would change your plan?" });
    } else {
      // No figures in the evidence: say so rather than invent one.
      add({
        text: hook(`${capitalize(topic)}: the sources I follow put no hard numbers on this yet.`),
      });
      add({ text: "" }, { text: "What they do say:" });
      addBullets(insights.map((i) => ({ itemId: i.itemId, text: i.claim })));
      add(
        { text: "" },
        { text: "Be careful with confident statistics on this until the data arrives. Thoughts?" },
      );
    }
  }
  if (hashtags.length) add({ text: "" }, { text: hashtags.join(" ") });
  const limit = Math.min(voice.maxLengthChars, LINKEDIN_MAX_CHARS);
  let { text, kept } = fitBlocks(blocks, limit);
  const count = (tag: Block["tag"]) => kept.filter((b) => b.tag === tag).length;
  if (kept.some((b) => b.tag === "hook-3-2-1") && (count("signal") !== 3 || count("implication") !== 2)) {
    // "Three signals, two implications" must stay true after fitting: say less.
    const at = blocks.findIndex((b) => b.tag === "hook-3-2-1");
    blocks[at] = { text: hook(`${capitalize(topic)}: what the evidence says.`) };
    ({ text, kept } = fitBlocks(blocks, limit));
  }
  // Only items whose lines survived the fitting are cited.
  const citations = [...new Set(kept.flatMap((b) => b.itemIds ?? []))].map((id) => {
    const e = byId.get(id)!;
    return { itemId: id, title: e.title, url: e.url, sourceName: e.sourceName };
  });
  return { kind, text, citations, hashtags: hashtags.filter((h) => text.includes(h)) };
}

/** Words of a draft (for features): exported for the learning loop's length buckets. */
export const wordCount = (text: string) => words(text).length;
