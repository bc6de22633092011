import { hasDataPoint, hashtagsIn, withoutClosingHashtags } from "./predictor.ts";

/**
 * What the learning loop knows about a post, as "category:value" strings so patterns, the
 * fitted model and the UI all speak of the same things: length bucket, hook type, domains,
 * variant kind (the post's framework), time of day, hashtag count, figures, closing question.
 */
export const FEATURE_CATEGORIES = [
  "length",
  "hook",
  "domain",
  "kind",
  "time",
  "hashtags",
  "figures",
  "closing",
] as const;
export type FeatureCategory = (typeof FEATURE_CATEGORIES)[number];

export interface PostShape {
  text: string;
  kind: string;
  domains: readonly string[];
  /** Hour of day (0–23, the writer's local time) it was or will be published; unknown: no time feature. */
  hourLocal?: number | undefined;
}

export function lengthBucket(chars: number): string {
  return chars < 500 ? "short" : chars <= 1200 ? "medium" : "long";
}

/** The opening line's device: question, statistic, contrarian, quote, story or plain statement. */
export function hookType(text: string): string {
  const first = (
    text
      .trim()
      .split("\n")
      .find((l) => l.trim()) ?? ""
  ).replace(/^\p{Extended_Pictographic}\s*/u, "");
  if (first.trimEnd().endsWith("?")) return "question";
  if (/^["“]/.test(first)) return "quote";
  if (/\b(everyone says|but|however|unpopular|contrarian)\b/i.test(first)) return "contrarian";
  if (hasDataPoint(first) || /by the numbers/i.test(first)) return "statistic";
  if (/^(i|my|when i|one line)\b/i.test(first)) return "story";
  return "statement";
}

export function timeOfDay(hour: number): string {
  if (hour >= 5 && hour < 11) return "morning";
  if (hour >= 11 && hour < 14) return "midday";
  if (hour >= 14 && hour < 18) return "afternoon";
  if (hour >= 18 && hour < 23) return "evening";
  return "night";
}

function hashtagBucket(n: number): string {
  return n === 0 ? "0" : n <= 2 ? "1-2" : n <= 5 ? "3-5" : "6+";
}

export function postFeatures(post: PostShape): string[] {
  const tags = hashtagsIn(post.text).length;
  const f = [
    `length:${lengthBucket([...post.text].length)}`,
    `hook:${hookType(post.text)}`,
    ...[...new Set(post.domains)].map((d) => `domain:${d}`),
    `kind:${post.kind}`,
    `hashtags:${hashtagBucket(tags)}`,
    `figures:${/\d/.test(post.text.replace(/#[\p{L}\p{N}_]+/gu, "")) ? "yes" : "no"}`,
    `closing:${withoutClosingHashtags(post.text).endsWith("?") ? "question" : "statement"}`,
  ];
  if (post.hourLocal !== undefined) f.push(`time:${timeOfDay(post.hourLocal)}`);
  return f;
}

export const categoryOf = (feature: string) => feature.slice(0, feature.indexOf(":")) as FeatureCategory;
