import {
  ContentItem,
  draftFlags,
  hashtagsIn,
  LINKEDIN_MAX_CHARS,
  MAX_HASHTAGS,
  Voice,
} from "@modelworks/engine-content-intel";
import type { Db } from "../db/client.ts";
import type { DraftFlagRow } from "../db/schema.ts";
import { runs } from "../db/schema.ts";
import { inOrg } from "../db/scope.ts";
import { DomainError, type FieldError, unprocessable } from "../errors/domain-error.ts";

/** The parts of a stored content-intel run a draft is checked against. */
interface StoredRun {
  input: {
    topic?: string;
    voice?: unknown;
    items?: { id: string }[];
  } | null;
  output: {
    analysis?: { text?: string; domains?: string[] };
    variants?: {
      kind: string;
      text: string;
      citations?: { itemId: string }[];
      prediction?: { enhanced?: number };
    }[];
  } | null;
}

export interface RunDraft {
  /** The variant's text as the run wrote it. */
  original: string;
  domains: string[] | undefined;
  predicted: number | null;
  /** Checks any text as this variant: against its citations, the topic and the writer's voice. */
  check(text: string): DraftCheck;
}

export interface DraftCheck {
  clean: boolean;
  chars: number;
  hashtags: number;
  maxChars: number;
  maxHashtags: number;
  citedItemIds: string[];
  flags: DraftFlagRow[];
}

/**
 * A run's variant, ready to check edited text (issue 17 item 3): the same `draftFlags` the
 * pipeline applied to its own drafts, over the items stored with the run (its input), so an
 * edit is judged against exactly what the draft cited — even after a source was deleted.
 */
export async function loadRunDraft(
  db: Db,
  orgId: string,
  runId: string,
  variantKind: string,
  paths: { runId: string; variantKind: string },
): Promise<RunDraft> {
  const [run] = await db
    .select({ modelId: runs.modelId, input: runs.input, output: runs.output })
    .from(runs)
    .where(inOrg(runs, orgId, runId));
  if (run?.modelId !== "content-intel")
    throw new DomainError("not_found", `Content-intel run ${runId} not found.`, [
      { path: paths.runId, message: "no such content-intel run in this organization" },
    ]);
  const { input, output } = run as StoredRun;
  const variant = output?.variants?.find((v) => v.kind === variantKind);
  if (!variant)
    throw unprocessable([
      {
        path: paths.variantKind,
        message: output ? `the run has no ${variantKind} variant` : "the run has not finished",
      },
    ]);
  const cited = (variant.citations ?? []).map((c) => c.itemId);
  const wanted = new Set(cited);
  const items = new Map<string, ContentItem>();
  for (const raw of input?.items ?? []) {
    if (!wanted.has(raw.id)) continue;
    const parsed = ContentItem.safeParse(raw);
    if (parsed.success) items.set(parsed.data.id, parsed.data);
  }
  const voice = Voice.parse(input?.voice ?? {});
  // The pipeline checks against the analysed topic; the stored input's topic is the fallback.
  const topic = output?.analysis?.text ?? input?.topic ?? "";
  return {
    original: variant.text,
    domains: output?.analysis?.domains,
    predicted: variant.prediction?.enhanced ?? null,
    check(text) {
      const { clean, flags } = draftFlags(text, cited, items, topic, voice);
      return {
        clean,
        chars: [...text].length,
        hashtags: hashtagsIn(text).length,
        maxChars: Math.min(voice.maxLengthChars, LINKEDIN_MAX_CHARS),
        maxHashtags: voice.maxHashtags,
        citedItemIds: cited,
        flags,
      };
    },
  };
}

/**
 * LinkedIn's own limits, which no acknowledgement overrides: 3,000 characters, and (LinkedIn
 * documents no cap, so the engine's ceiling on the writer's setting) at most 10 hashtags.
 */
export function linkedinLimitErrors(text: string, path: string): FieldError[] {
  const errors: FieldError[] = [];
  const chars = [...text].length;
  if (chars > LINKEDIN_MAX_CHARS)
    errors.push({ path, message: `${chars} characters; LinkedIn allows at most ${LINKEDIN_MAX_CHARS}` });
  const tags = hashtagsIn(text).length;
  if (tags > MAX_HASHTAGS) errors.push({ path, message: `${tags} hashtags; at most ${MAX_HASHTAGS}` });
  return errors;
}

/** The refusal of a flagged draft: each flag a field error at the text, its span named. */
export function draftFlaggedError(flags: readonly DraftFlagRow[], path: string): DomainError {
  return new DomainError(
    "draft_flagged",
    `The draft has ${flags.length} flag${flags.length === 1 ? "" : "s"}: fix ${flags.length === 1 ? "it" : "them"}, or publish anyway with acceptFlags.`,
    flags.map((f) => ({
      path,
      message: f.start !== undefined ? `${f.message} (characters ${f.start}–${f.end})` : f.message,
    })),
  );
}
