import { type ClaimCheck, checkClaims } from "./claims.ts";
import type { ContentItem } from "./item.ts";
import { type Voice, type VoiceIssue, voiceIssues } from "./voice.ts";

/**
 * Checks any draft — the built-in writer's, a language model's, or one the writer edited —
 * against the items it cites, the user's topic and the voice settings. The server calls this
 * again after every edit, so an edited draft is never shown as clean when it is not.
 */
export function checkDraft(
  text: string,
  citedItemIds: readonly string[],
  items: ReadonlyMap<string, ContentItem>,
  topic: string,
  voice: Voice,
): { claims: ClaimCheck[]; voiceIssues: VoiceIssue[]; clean: boolean; unknownCitations: string[] } {
  const unknownCitations = citedItemIds.filter((id) => !items.has(id));
  const cited = citedItemIds
    .filter((id) => items.has(id))
    .map((id) => {
      const item = items.get(id)!;
      return { id, text: `${item.title}\n${item.text}` };
    });
  const claims = checkClaims(text, cited, topic);
  const issues = voiceIssues(text, voice);
  return {
    claims,
    voiceIssues: issues,
    clean: claims.every((c) => c.verified) && issues.length === 0 && unknownCitations.length === 0,
    unknownCitations,
  };
}

/** A problem in a draft, placed in its text when it has a place (the shape of the run's `flags`). */
export interface DraftFlag {
  kind: "unsupported-claim" | "too-long" | "too-many-hashtags" | "banned-word" | "unknown-citation";
  message: string;
  text?: string;
  start?: number;
  end?: number;
}

/**
 * `checkDraft` as flags, the way the pipeline reports them — so a draft the writer edited after
 * the run is judged by the same words and offsets as the run's own drafts.
 */
export function draftFlags(
  text: string,
  citedItemIds: readonly string[],
  items: ReadonlyMap<string, ContentItem>,
  topic: string,
  voice: Voice,
): { clean: boolean; flags: DraftFlag[] } {
  const check = checkDraft(text, citedItemIds, items, topic, voice);
  const flags: DraftFlag[] = [];
  for (const c of check.claims.filter((c) => !c.verified))
    flags.push({
      kind: "unsupported-claim",
      message: `${c.kind} "${c.text}" appears in none of the cited items`,
      text: c.text,
      start: c.start,
      end: c.end,
    });
  for (const i of check.voiceIssues)
    flags.push({
      kind: i.kind,
      message: i.message,
      ...(i.start !== undefined ? { start: i.start, end: i.end, text: text.slice(i.start, i.end) } : {}),
    });
  for (const id of check.unknownCitations)
    flags.push({ kind: "unknown-citation", message: `cited item ${id} is not among the run's items` });
  return { clean: check.clean, flags };
}
