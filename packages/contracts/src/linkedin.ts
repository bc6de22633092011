import { z } from "zod";
import { Timestamp, Uuid } from "./common.ts";

/**
 * Publishing to LinkedIn (issue 17 item 5): a person connects their LinkedIn account (OAuth 2.0,
 * three-legged), then publishes a draft now or at a time through LinkedIn's Posts API. The
 * published post is recorded as a content post whose `externalId` is the post's URN, so feedback
 * (by hand or from an analytics export) attaches to it.
 */

/** LinkedIn's limit on a post's commentary (the content engine drafts to the same limit). */
export const LINKEDIN_COMMENTARY_MAX_CHARS = 3000;

export const LinkedInConnectionDto = z
  .object({
    /** False when the server has no LinkedIn app configured (LINKEDIN_CLIENT_ID & co.). */
    configured: z.boolean(),
    connected: z.boolean(),
    memberUrn: z.string().nullable(),
    memberName: z.string().nullable(),
    scope: z.string().nullable(),
    accessExpiresAt: Timestamp.nullable(),
    /** Null when LinkedIn issued no refresh token (then the person reconnects when access expires). */
    refreshExpiresAt: Timestamp.nullable(),
    connectedAt: Timestamp.nullable(),
  })
  .meta({ id: "LinkedInConnection" });

export const LinkedInConnectResult = z.object({
  authorizeUrl: z.url().describe("Send the person's browser here; LinkedIn redirects back to the callback"),
  expiresAt: Timestamp.describe("The state in the URL is single-use and expires then"),
});

export const LinkedInCallbackQuery = z.object({
  code: z.string().min(1).max(2000).optional(),
  state: z.string().min(1).max(200).optional(),
  error: z.string().max(200).optional(),
  error_description: z.string().max(2000).optional(),
});

/**
 * A problem in a draft, placed by character offsets when it has a place: a number, percentage,
 * date or quote found in none of the cited items, a voice or limit issue (too long, too many
 * hashtags, a banned word), or a citation the run does not hold.
 */
export const DraftFlag = z
  .object({
    kind: z.enum(["unsupported-claim", "too-long", "too-many-hashtags", "banned-word", "unknown-citation"]),
    message: z.string(),
    text: z.string().optional(),
    start: z.number().int().optional(),
    end: z.number().int().optional(),
  })
  .meta({ id: "DraftFlag" });

/** LinkedIn's limits hold for every text; a run's draft is also checked against the items it cites. */
export const DraftCheckBody = z
  .object({
    runId: Uuid.describe("The content-intel run the draft came from (its cited items are the evidence)"),
    variantKind: z.string().trim().min(1).max(50),
    text: z.string().trim().min(1).max(10_000).describe("The draft as edited"),
  })
  .strict();

export const DraftCheckDto = z
  .object({
    /** True when every claim is in a cited item and no voice or limit rule is broken. */
    clean: z.boolean(),
    chars: z.number().int(),
    hashtags: z.number().int(),
    maxChars: z.number().int(),
    maxHashtags: z.number().int(),
    /** The items the draft is checked against: the variant's citations. */
    citedItemIds: z.array(z.string()),
    flags: z.array(DraftFlag),
  })
  .meta({ id: "DraftCheck" });

export const PUBLICATION_STATUSES = ["scheduled", "publishing", "published", "failed", "cancelled"] as const;

export const PublicationDto = z
  .object({
    id: Uuid,
    userId: Uuid,
    runId: Uuid.nullable(),
    variantKind: z.string(),
    text: z.string(),
    status: z.enum(PUBLICATION_STATUSES),
    scheduledAt: Timestamp.nullable(),
    publishedAt: Timestamp.nullable(),
    /** The LinkedIn post URN (from the `x-restli-id` header) once published. */
    urn: z.string().nullable(),
    /** The content post recorded for it (feedback goes there). */
    postId: Uuid.nullable(),
    attempts: z.number().int(),
    error: z.string().nullable(),
    /**
     * The claim and voice check of the text as published: [] = checked and clean; flags = the
     * writer published it anyway (`acceptFlags`); null = not checked (a text with no run, so no
     * cited items to check against).
     */
    flags: z.array(DraftFlag).nullable(),
    createdAt: Timestamp,
  })
  .meta({ id: "LinkedInPublication" });

export const CreatePublicationBody = z
  .object({
    runId: Uuid.optional().describe("The content-intel run the draft came from"),
    variantKind: z.string().trim().min(1).max(50),
    text: z
      .string()
      .trim()
      .min(1)
      .max(10_000)
      .optional()
      .describe("The commentary; defaults to the run's variant of `variantKind` (then `runId` is needed)"),
    domains: z.array(z.string().trim().toLowerCase().min(1).max(50)).max(20).optional(),
    hourLocal: z.number().int().min(0).max(23).optional(),
    scheduledAt: Timestamp.optional().describe("Publish at this time instead of now"),
    acceptFlags: z
      .boolean()
      .optional()
      .describe(
        "Publish a run's draft even though its check flags something (an unsupported figure, a banned word); the flags are kept with the publication. Without it such a draft is refused (422 draft_flagged).",
      ),
  })
  .strict()
  .refine((v) => v.text !== undefined || v.runId !== undefined, {
    message: "give the text, or the runId whose variant to publish",
    path: ["text"],
  });

/**
 * Newest first, a page at a time: `cursor` is the previous page's `nextCursor` (keyset paging on
 * the creation time and id, so a publication created meanwhile neither repeats nor hides a row).
 */
export const PublicationListQuery = z.object({
  status: z.enum(PUBLICATION_STATUSES).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(50),
  cursor: z
    .string()
    .max(200, "must be at most 200 characters")
    .regex(/^[A-Za-z0-9_-]+$/, "must be a nextCursor from the previous page")
    .optional()
    .describe("The previous page's nextCursor"),
});
export const PublicationList = z.object({
  items: z.array(PublicationDto),
  nextCursor: z.string().nullable().describe("Pass as `cursor` for the next page; null on the last page"),
});
