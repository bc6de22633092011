import { countField } from "@modelworks/model-kit";
import { z } from "zod";
import { hashtagsIn } from "./predictor.ts";

/**
 * LinkedIn's limit for a post's text is 3,000 characters. Hashtags have no documented cap; the
 * writer's `maxHashtags` (default 3, at most 10) decides, since more reads as spam.
 */
export const LINKEDIN_MAX_CHARS = 3000;
export const MAX_HASHTAGS = 10;

export const Voice = z.object({
  tone: z.enum(["professional", "conversational", "bold"]).default("professional"),
  emoji: z.boolean().default(false),
  maxLengthChars: countField({ min: 200, max: LINKEDIN_MAX_CHARS }).default(LINKEDIN_MAX_CHARS),
  maxHashtags: countField({ max: MAX_HASHTAGS }).default(3),
  /** Words the writer never uses; matched as whole words, case-insensitively. */
  bannedWords: z.array(z.string().min(1).max(60)).max(200).default([]),
});
export type Voice = z.infer<typeof Voice>;

export const VoiceIssue = z.object({
  kind: z.enum(["too-long", "too-many-hashtags", "banned-word"]),
  message: z.string(),
  start: z.number().int().optional(),
  end: z.number().int().optional(),
});
export type VoiceIssue = z.infer<typeof VoiceIssue>;

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

export function bannedWordPattern(banned: readonly string[]): RegExp | null {
  const words = banned.map((w) => w.trim()).filter(Boolean);
  return words.length
    ? new RegExp(`(?<![\\p{L}\\p{N}])(${words.map(escapeRe).join("|")})(?![\\p{L}\\p{N}])`, "giu")
    : null;
}

/** Everything in `text` that breaks LinkedIn's limits or the writer's voice settings. */
export function voiceIssues(text: string, voice: Voice): VoiceIssue[] {
  const issues: VoiceIssue[] = [];
  const length = [...text].length;
  const limit = Math.min(voice.maxLengthChars, LINKEDIN_MAX_CHARS);
  if (length > limit)
    issues.push({ kind: "too-long", message: `${length} characters, over the limit of ${limit}` });
  const tags = hashtagsIn(text).length;
  if (tags > voice.maxHashtags)
    issues.push({
      kind: "too-many-hashtags",
      message: `${tags} hashtags, over the limit of ${voice.maxHashtags}`,
    });
  const re = bannedWordPattern(voice.bannedWords);
  if (re)
    for (const m of text.matchAll(re))
      issues.push({
        kind: "banned-word",
        message: `"${m[0]}" is on the banned-word list`,
        start: m.index,
        end: m.index + m[0].length,
      });
  return issues;
}
