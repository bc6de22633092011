import { z } from "zod";
import { listQuery, Name, page, Timestamp, Uuid } from "./common.ts";
import { ColumnMappingDto } from "./files.ts";
import { DraftFlag } from "./linkedin.ts";

/**
 * Content sources, their items, published posts and the feedback those posts got (issue 17).
 * The engine (`@modelworks/engine-content-intel`) ranks and drafts; these are the platform's
 * stored records of what feeds it.
 */
export const CONTENT_SOURCE_KINDS = ["rss", "atom", "json-feed", "sitemap", "page"] as const;

const HttpUrl = z
  .url({ protocol: /^https?$/, message: "must be an http(s) URL" })
  .max(2000, "must be at most 2,000 characters");
const Domains = z
  .array(z.string().trim().toLowerCase().min(1).max(50))
  .max(20, "at most 20 domains")
  .describe("Topic domains the source covers (e.g. tech, finance, policy)");

export const CreateContentSourceBody = z
  .object({
    name: Name(200),
    url: HttpUrl,
    kind: z
      .enum(CONTENT_SOURCE_KINDS, { message: `must be one of ${CONTENT_SOURCE_KINDS.join(", ")}` })
      .optional()
      .describe("Guessed from the URL when left out"),
    domains: Domains.default([]),
    credibility: z.number().min(0, "must be 0 to 1").max(1, "must be 0 to 1"),
    intervalMinutes: z
      .number()
      .int("must be whole minutes")
      .min(15, "at least 15 minutes (politeness)")
      .max(43_200, "at most 30 days")
      .default(360),
    enabled: z.boolean().default(true),
    personal: z.boolean().default(false).describe("Followed by the caller only, not the whole organization"),
  })
  .strict();

export const UpdateContentSourceBody = z
  .object({
    name: Name(200).optional(),
    domains: Domains.optional(),
    credibility: z.number().min(0, "must be 0 to 1").max(1, "must be 0 to 1").optional(),
    intervalMinutes: z.number().int().min(15, "at least 15 minutes (politeness)").max(43_200).optional(),
    enabled: z.boolean().optional(),
  })
  .strict()
  .refine((v) => Object.values(v).some((x) => x !== undefined), "give at least one field to change");

export const ContentSourceHealth = z.object({
  status: z.enum(["new", "ok", "failing"]),
  consecutiveFailures: z.number().int(),
  failingSince: Timestamp.nullable(),
  lastError: z.string().nullable(),
  lastAttemptAt: Timestamp.nullable(),
  lastSuccessAt: Timestamp.nullable(),
  nextAttemptAt: Timestamp,
});

export const ContentSourceDto = z
  .object({
    id: Uuid,
    name: z.string(),
    url: z.string(),
    kind: z.enum(CONTENT_SOURCE_KINDS),
    host: z.string(),
    domains: z.array(z.string()),
    credibility: z.number(),
    tier: z.enum(["premium", "standard", "experimental"]),
    intervalMinutes: z.number().int(),
    enabled: z.boolean(),
    ownerUserId: Uuid.nullable(),
    health: ContentSourceHealth,
    itemCount: z.number().int(),
    createdAt: Timestamp,
    updatedAt: Timestamp,
  })
  .meta({ id: "ContentSource" });

export const ContentSourceListQuery = listQuery(["createdAt", "name", "nextAttemptAt"], {
  status: z.enum(["new", "ok", "failing"]).optional(),
});
export const ContentSourcePage = page(ContentSourceDto);

export const ImportContentSourcesBody = z
  .object({
    yaml: z.string().min(1, "give the YAML text").max(1_000_000),
    includeExperimental: z.boolean().default(false),
    personal: z.boolean().default(false),
  })
  .strict();

export const ImportContentSourcesResult = z.object({
  created: z.array(ContentSourceDto),
  /** Already followed (same URL): left as they are. */
  existing: z.array(z.object({ name: z.string(), url: z.string() })),
  /** Entries that cannot be fetched over HTTP, with why. */
  skipped: z.array(z.object({ name: z.string(), tier: z.string(), reason: z.string() })),
});

export const ContentFetchDto = z.object({
  id: Uuid,
  startedAt: Timestamp,
  durationMs: z.number().int(),
  outcome: z.enum(["ok", "not-modified", "failed"]),
  error: z.string().nullable(),
  itemsNew: z.number().int(),
  itemsDuplicate: z.number().int(),
  itemsNearDuplicate: z.number().int(),
  skipped: z.array(z.object({ url: z.string(), reason: z.string() })),
});
export const ContentFetchListQuery = listQuery(["startedAt"], {});
export const ContentFetchPage = page(ContentFetchDto);

export const ContentItemDto = z
  .object({
    id: Uuid,
    sourceId: Uuid,
    sourceName: z.string(),
    title: z.string(),
    url: z.string(),
    canonicalUrl: z.string().nullable(),
    author: z.string().nullable(),
    publishedAt: Timestamp,
    fetchedAt: Timestamp,
    ageHours: z.number(),
    excerpt: z.string(),
    duplicateOfId: Uuid.nullable(),
    /** Full-text rank (ts_rank_cd) when searched with `q`. */
    rank: z.number().nullable(),
  })
  .meta({ id: "ContentItem" });
export const ContentItemListQuery = listQuery(["publishedAt", "fetchedAt"], {
  q: z.string().trim().min(1).max(500).optional().describe("Full-text search (English stemming)"),
  sourceId: Uuid.optional(),
  includeDuplicates: z
    .enum(["true", "false"])
    .default("false")
    .transform((v) => v === "true"),
});
export const ContentItemPage = page(ContentItemDto);

export const CreateContentRunBody = z
  .object({
    topic: z.string().trim().min(1, "give a topic").max(500),
    voice: z.record(z.string(), z.unknown()).optional().describe("The engine's voice settings"),
    plannedHourLocal: z.number().int().min(0).max(23).optional(),
    halfLifeHours: z.number().int().min(1).max(8760).optional(),
    projectId: Uuid.optional(),
  })
  .strict();

export const ContentPostDto = z
  .object({
    id: Uuid,
    userId: Uuid,
    runId: Uuid.nullable(),
    variantKind: z.string(),
    text: z.string(),
    domains: z.array(z.string()),
    publishedAt: Timestamp,
    hourLocal: z.number().int().nullable(),
    externalId: z.string().nullable(),
    predicted: z.number().nullable(),
    /**
     * The claim and voice check of the text as recorded, as on a LinkedIn publication: [] =
     * checked and clean; flags = recorded anyway (`acceptFlags`); null = not checked (no run).
     */
    flags: z.array(DraftFlag).nullable(),
    feedback: z
      .object({
        impressions: z.number().int(),
        reactions: z.number().int(),
        comments: z.number().int(),
        reposts: z.number().int(),
        engagementRate: z.number(),
        origin: z.enum(["manual", "import"]),
        recordedAt: Timestamp,
      })
      .nullable(),
    createdAt: Timestamp,
  })
  .meta({ id: "ContentPost" });

export const CreateContentPostBody = z
  .object({
    runId: Uuid.optional().describe("The content-intel run the draft came from"),
    variantKind: z.string().trim().min(1).max(50),
    text: z.string().min(1).max(10_000),
    domains: z.array(z.string().trim().toLowerCase().min(1).max(50)).max(20).optional(),
    publishedAt: Timestamp,
    hourLocal: z.number().int().min(0).max(23).optional(),
    externalId: z
      .string()
      .trim()
      .min(1)
      .max(500)
      .optional()
      .describe("The LinkedIn post URN or URL, as its analytics export names the post"),
    predicted: z.number().min(0).max(1).optional(),
    acceptFlags: z
      .boolean()
      .optional()
      .describe(
        "Record a run's draft even though its check flags something; the flags are kept with the post. Without it such a text is refused (422 draft_flagged).",
      ),
  })
  .strict();
export const ContentPostListQuery = listQuery(["publishedAt", "createdAt"], {});
export const ContentPostPage = page(ContentPostDto);

const Count = (min = 0) => z.number().int("must be a whole number").min(min, `must be at least ${min}`);
export const ContentFeedbackBody = z
  .object({
    postId: Uuid,
    impressions: Count(1),
    reactions: Count(),
    comments: Count(),
    reposts: Count(),
  })
  .strict();

export const ImportContentFeedbackBody = z
  .object({
    fileId: Uuid,
    mappingId: Uuid.optional(),
    columns: z.array(ColumnMappingDto).max(200).optional().describe("The mapping; or give mappingId"),
  })
  .strict()
  .refine((v) => (v.mappingId === undefined) !== (v.columns === undefined), {
    message: "give either mappingId or columns",
    path: ["mappingId"],
  });
export const ImportContentFeedbackResult = z.object({
  recorded: z.number().int(),
  posts: z.array(ContentPostDto),
});

// ── History and the prototype's three analytics views (issue 17 item 6) ──────────────────────

export const ContentRunListQuery = listQuery(["createdAt"], {});

/** How a published post did, as the history and the analytics show it. */
const PostOutcome = z.object({
  impressions: z.number().int(),
  reactions: z.number().int(),
  comments: z.number().int(),
  reposts: z.number().int(),
  engagementRate: z.number(),
  recordedAt: Timestamp,
});

export const ContentRunSummaryDto = z
  .object({
    id: Uuid,
    topic: z.string(),
    status: z.string(),
    createdAt: Timestamp,
    finishedAt: Timestamp.nullable(),
    durationMs: z
      .number()
      .int()
      .nullable()
      .describe("started → finished; null for a cache hit or an unfinished run"),
    recommendedVariant: z.string().nullable(),
    variants: z.array(z.object({ kind: z.string(), enhanced: z.number() })),
    sourcesUsed: z.number().int().nullable(),
    published: z.array(
      z.object({
        postId: Uuid,
        variantKind: z.string(),
        publishedAt: Timestamp,
        predicted: z.number().nullable(),
        feedback: PostOutcome.nullable(),
      }),
    ),
  })
  .meta({ id: "ContentRunSummary" });
export const ContentRunPage = page(ContentRunSummaryDto);

export const ContentAnalyticsQuery = z
  .object({
    runs: z.coerce
      .number()
      .int()
      .min(2, "must be at least 2")
      .max(200, "must be at most 200")
      .default(30)
      .describe("How many of the latest finished runs the phase comparison and the learning trend cover"),
  })
  .strict();

/** Per finished run: what each phase produced, from the run's stored output. */
export const ContentPhaseRun = z.object({
  runId: Uuid,
  topic: z.string(),
  finishedAt: Timestamp,
  durationMs: z.number().int().nullable(),
  /**
   * Milliseconds spent in each of CONTENT_PHASES, in order, from the run's phase timings (the
   * worker's clock); null when the run has none (cached, or run before they were recorded), and a
   * null entry for a phase the run did not report.
   */
  phaseMs: z.array(z.number().nullable()).length(5).nullable(),
  /** Phase 1: query analysis. */
  queryClarity: z.number(),
  domains: z.number().int(),
  /** Phase 2: retrieval. */
  candidates: z.number().int(),
  sourcesUsed: z.number().int(),
  sourceQuality: z.number(),
  /** Phase 3: insights. */
  insights: z.number().int(),
  crossDomainRate: z.number(),
  /** Phase 4: variants. */
  unsupportedClaims: z.number().int(),
  /** Phase 5: prediction and learning. */
  engagementPotential: z.number(),
  learningBoost: z.number(),
  patternsApplied: z.number().int(),
});

export const ContentAnalyticsDto = z
  .object({
    phaseComparison: z.object({
      runs: z.array(ContentPhaseRun).describe("Oldest first"),
      averages: z
        .object({
          durationMs: z.number().nullable(),
          /** Mean milliseconds per phase over the runs that have timings (null: none has). */
          phaseMs: z.array(z.number().nullable()).length(5),
          queryClarity: z.number(),
          sourceQuality: z.number(),
          sourcesUsed: z.number(),
          insights: z.number(),
          engagementPotential: z.number(),
          learningBoost: z.number(),
        })
        .nullable(),
    }),
    learning: z.object({
      /** Each pattern in the latest run, with its confidence in every earlier run that had it. */
      patterns: z.array(
        z.object({
          id: z.string(),
          feature: z.string(),
          category: z.string(),
          confidence: z.number(),
          support: z.number().int(),
          highCount: z.number().int(),
          usageCount: z.number().int(),
          history: z.array(z.object({ runId: Uuid, finishedAt: Timestamp, confidence: z.number() })),
        }),
      ),
      boostTrend: z.array(
        z.object({
          runId: Uuid,
          finishedAt: Timestamp,
          learningBoost: z.number(),
          patternsApplied: z.number().int(),
          patterns: z.number().int(),
        }),
      ),
    }),
    predictedVsActual: z.object({
      /**
       * Each published post with a prediction and recorded results. `actual` is the post's mid-rank
       * percentile of engagement rate among these posts — the scale the engine's predictions use.
       */
      posts: z.array(
        z.object({
          postId: Uuid,
          variantKind: z.string(),
          publishedAt: Timestamp,
          predicted: z.number(),
          engagementRate: z.number(),
          actual: z.number(),
        }),
      ),
      /** Pearson correlation of predicted and actual; null under 3 posts or when either is constant. */
      correlation: z.number().nullable(),
      /** Mean |predicted − actual|; null without posts. */
      meanAbsoluteError: z.number().nullable(),
    }),
  })
  .meta({ id: "ContentAnalytics" });

/**
 * content-intel's five phases, in the order its runs report them as progress ("Phase N of 5:
 * Title"); the web's run panel draws them as steps. The engine's PHASES carry the same titles.
 */
export const CONTENT_PHASES = ["Query analysis", "Retrieval", "Insights", "Variants", "Prediction"] as const;

/** The phase a progress message names (0-based), or null for any other message. */
export function contentPhaseOf(message: string | null | undefined): number | null {
  const m = message?.match(/^Phase (\d+) of (\d+): /);
  if (!m || Number(m[2]) !== CONTENT_PHASES.length) return null;
  const i = Number(m[1]) - 1;
  return i >= 0 && i < CONTENT_PHASES.length ? i : null;
}
