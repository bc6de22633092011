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
