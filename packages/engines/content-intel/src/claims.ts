import { z } from "zod";

/**
 * "No invented facts", checked by code (issue 17 deliverable 3, spec A.8): every number,
 * percentage, date and quoted span in a draft must appear in an item the draft cites. Claims are
 * compared by meaning, not spelling: "1,000", "1000" and "1k" are the number 1000; "12%",
 * "12 percent" and "12 per cent" the percentage 12; "$2.5 billion" and "2.5bn" 2.5e9; "March 3,
 * 2026", "3 March 2026" and "2026-03-03" the same day. A claim found nowhere is flagged with its
 * character offsets in the draft, so an editor can highlight it.
 *
 * Not claims: list markers at the start of a line ("1." / "2)"), digits inside words or
 * hashtags ("a16z", "#Web3"). Numbers in the topic the user typed count as supported: they are
 * the user's, not the generator's.
 */
export const CLAIM_KINDS = ["number", "percent", "multiple", "date", "quote"] as const;
export type ClaimKind = (typeof CLAIM_KINDS)[number];

export interface Claim {
  kind: ClaimKind;
  text: string;
  start: number;
  end: number;
  /** Number kinds: the value; dates: YYYY-MM-DD or YYYY-MM; quotes: the normalised text. */
  normalized: string;
}

const MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"] as const;
const MONTH = String.raw`(jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?`;
const DAY = String.raw`(\d{1,2})(?:st|nd|rd|th)?`;
const DATE_PATTERNS: { re: RegExp; parse(m: RegExpExecArray): string | null }[] = [
  { re: /\b(\d{4})-(\d{2})-(\d{2})\b/g, parse: (m) => ymd(m[1]!, Number(m[2]), Number(m[3])) },
  {
    re: new RegExp(String.raw`\b${MONTH}\s+${DAY},?\s+(\d{4})\b`, "gi"),
    parse: (m) => ymd(m[3]!, monthNo(m[1]!), Number(m[2])),
  },
  {
    re: new RegExp(String.raw`\b${DAY}\s+${MONTH},?\s+(\d{4})\b`, "gi"),
    parse: (m) => ymd(m[3]!, monthNo(m[2]!), Number(m[1])),
  },
  { re: new RegExp(String.raw`\b${MONTH}\s+(\d{4})\b`, "gi"), parse: (m) => ym(m[2]!, monthNo(m[1]!)) },
];
const monthNo = (name: string) =>
  MONTHS.indexOf(name.slice(0, 3).toLowerCase() as (typeof MONTHS)[number]) + 1;
const pad = (n: number) => String(n).padStart(2, "0");
const ym = (y: string, m: number) => (m >= 1 && m <= 12 ? `${y}-${pad(m)}` : null);
const ymd = (y: string, m: number, d: number) =>
  m >= 1 && m <= 12 && d >= 1 && d <= 31 ? `${y}-${pad(m)}-${pad(d)}` : null;

const SCALE: Record<string, number> = {
  k: 1e3,
  thousand: 1e3,
  m: 1e6,
  mn: 1e6,
  million: 1e6,
  b: 1e9,
  bn: 1e9,
  billion: 1e9,
  t: 1e12,
  tn: 1e12,
  trillion: 1e12,
};
// A number not glued to a word on its left (a16z, #Web3, v2), with an optional currency sign,
// thousands separators, decimals, and an optional scale word, percent sign/word or "x" multiple.
const NUMBER =
  /(?<![\p{L}\p{N}_#.,])([$€£]\s?)?(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?(?:\s?(%|percent\b|per cent\b|x\b|×|k\b|thousand\b|mn?\b|million\b|bn?\b|billion\b|tn?\b|trillion\b))?(?![\p{L}\p{N}_])/giu;
const LIST_MARKER = /^[ \t]*\d{1,2}[.)][ \t]/gm;
const QUOTE = /"([^"\n]{3,})"|“([^”\n]{3,})”/g;

/** Lower case, one space, straight apostrophes, no double quotes, plain dashes, no closing punctuation. */
export function normalizeQuote(text: string): string {
  return (
    text
      .normalize("NFKC")
      .toLowerCase()
      .replace(/[‘’`]/g, "'")
      // Double quotes are dropped: a quoted sentence may itself quote someone ("…," she said).
      .replace(/[“”"]/g, "")
      .replace(/[‐‑‒–—]/g, "-")
      .replace(/\s+/g, " ")
      // Punctuation closing a quotation ("…a product feature," / "….") belongs to the sentence around it.
      .replace(/[\s.,;:!?…]+$/, "")
      .trim()
  );
}

const overlaps = (taken: [number, number][], s: number, e: number) => taken.some(([a, b]) => s < b && e > a);

/**
 * Every claim in a text. Quotes first (their inside is checked as one span, not number by number),
 * then dates (their digits are not separate numbers), then numbers; `consume: false` keeps the
 * numbers inside dates and quotes too, which is how a source's text is indexed.
 */
export function extractClaims(text: string, opts: { consume?: boolean } = {}): Claim[] {
  const consume = opts.consume ?? true;
  const claims: Claim[] = [];
  const taken: [number, number][] = [];
  for (const m of text.matchAll(QUOTE)) {
    const inner = m[1] ?? m[2] ?? "";
    const start = m.index;
    claims.push({
      kind: "quote",
      text: m[0],
      start,
      end: start + m[0].length,
      normalized: normalizeQuote(inner),
    });
    if (consume) taken.push([start, start + m[0].length]);
  }
  for (const m of text.matchAll(LIST_MARKER)) taken.push([m.index, m.index + m[0].length]);
  for (const { re, parse } of DATE_PATTERNS) {
    for (const m of text.matchAll(re)) {
      const start = m.index;
      const end = start + m[0].length;
      const normalized = parse(m);
      if (!normalized || overlaps(taken, start, end)) continue;
      claims.push({ kind: "date", text: m[0], start, end, normalized });
      taken.push([start, end]);
    }
  }
  const numberTaken = consume
    ? taken
    : taken.filter(([a, b]) => /^[ \t]*\d{1,2}[.)][ \t]$/.test(text.slice(a, b)));
  for (const m of text.matchAll(NUMBER)) {
    const start = m.index;
    const end = start + m[0].length;
    if (overlaps(numberTaken, start, end)) continue;
    const unit = (m[4] ?? "").toLowerCase();
    let value = Number(`${m[2]!.replaceAll(",", "")}${m[3] ?? ""}`);
    let kind: ClaimKind = "number";
    if (unit === "%" || unit.startsWith("per")) kind = "percent";
    else if (unit === "x" || unit === "×") kind = "multiple";
    else if (unit) value *= SCALE[unit] ?? 1;
    // 12 significant digits: 1.2 million and 1,200,000 must compare equal despite binary floats.
    const normalized = String(Number(value.toPrecision(12)));
    claims.push({ kind, text: m[0].trimEnd(), start, end: start + m[0].trimEnd().length, normalized });
  }
  return claims.sort((a, b) => a.start - b.start);
}

export const ClaimCheck = z.object({
  kind: z.enum(CLAIM_KINDS),
  text: z.string(),
  start: z.number().int(),
  end: z.number().int(),
  normalized: z.string(),
  verified: z.boolean(),
  /** The cited items holding the claim; "topic" when it came from the user's own topic. */
  foundIn: z.array(z.string()),
});
export type ClaimCheck = z.infer<typeof ClaimCheck>;

/** What a claim is compared against: its kind and normalised value. */
const keyOf = (c: Pick<Claim, "kind" | "normalized">) =>
  c.kind === "number" || c.kind === "percent" || c.kind === "multiple"
    ? `${c.kind}:${Number(c.normalized)}`
    : `${c.kind}:${c.normalized}`;

export interface CitedText {
  id: string;
  text: string;
}

/**
 * Checks every claim of `draft` against the texts it cites (and the user's topic). A plain
 * number also matches the year of a date in the source ("in 2025" ↔ "March 2025").
 */
export function checkClaims(draft: string, cited: readonly CitedText[], topic = ""): ClaimCheck[] {
  const index = new Map<string, Set<string>>();
  const quoteTexts = cited.map((c) => ({ id: c.id, norm: normalizeQuote(c.text) }));
  const addAll = (id: string, text: string) => {
    for (const c of extractClaims(text, { consume: false })) {
      const keys = [keyOf(c)];
      // A day also supports its month ("March 2026") and its year ("in 2026").
      if (c.kind === "date")
        keys.push(`date:${c.normalized.slice(0, 7)}`, `number:${Number(c.normalized.slice(0, 4))}`);
      for (const k of keys) {
        const set = index.get(k) ?? new Set<string>();
        set.add(id);
        index.set(k, set);
      }
    }
  };
  for (const c of cited) addAll(c.id, c.text);
  if (topic) addAll("topic", topic);
  return extractClaims(draft).map((claim) => {
    const foundIn =
      claim.kind === "quote"
        ? quoteTexts.filter((q) => q.norm.includes(claim.normalized)).map((q) => q.id)
        : [...(index.get(keyOf(claim)) ?? [])];
    return { ...claim, verified: foundIn.length > 0, foundIn };
  });
}
