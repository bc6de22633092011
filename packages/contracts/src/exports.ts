import { z } from "zod";
import { listQuery, page, Timestamp, Uuid } from "./common.ts";
import { ComparisonDto } from "./compare.ts";
import { NumberStyleDto } from "./number-style.ts";
import {
  ChartDescriptorDto,
  KpiDescriptorDto,
  ModelDocumentDto,
  OutcomeDescriptorDto,
  ResultView,
  TableDescriptorDto,
} from "./runs.ts";

export const ExportFormat = z.enum(["csv", "xlsx", "pdf", "docx"], {
  message: "must be one of csv, xlsx, pdf, docx",
});

export const ExportQuery = z
  .object({
    format: ExportFormat,
    document: z
      .string()
      .regex(/^[a-z][a-z0-9-]{0,40}$/, "must be a document name such as report or term-sheet")
      .default("report")
      .describe("`report` (the default) or one of the model's own documents (GET /models/{id} lists them)"),
  })
  .strict();

export const SharedExportQuery = ExportQuery.extend({
  runId: Uuid.optional().describe(
    "For a shared comparison: which of its runs to export (default: the baseline)",
  ),
}).strict();

export const SHARE_LINK_STATUSES = ["active", "expired", "revoked"] as const;

export const CreateShareLinkBody = z
  .object({
    expiresInHours: z
      .number()
      .int("must be whole hours")
      .min(1, "must be at least 1 hour")
      .max(24 * 90, "must be at most 2160 hours (90 days)")
      .default(24 * 7)
      .describe("How long the link works; default 7 days"),
    label: z
      .string()
      .trim()
      .max(200, "must be at most 200 characters")
      // biome-ignore lint/suspicious/noControlCharactersInRegex: rejecting control characters is the point
      .regex(/^[^\u0000-\u001f\u007f]*$/, "must not contain control characters")
      .default("")
      .describe("A note for your organization's list of links (recipients see it too)"),
    compareWith: z
      .array(Uuid)
      .max(19, "at most 19 other runs")
      .default([])
      .describe("Share a comparison: other succeeded runs of the same model, shown against this one"),
  })
  .strict();

export const ShareLinkDto = z
  .object({
    id: Uuid,
    runIds: z
      .array(Uuid)
      .describe("The shared run first; further runs make it a comparison (empty for a dashboard link)"),
    conversationId: Uuid.nullable().describe(
      "For a dashboard link: the conversation whose current plan it shows, live",
    ),
    label: z.string(),
    status: z.enum(SHARE_LINK_STATUSES),
    expiresAt: Timestamp,
    revokedAt: Timestamp.nullable(),
    createdBy: Uuid.nullable(),
    createdByApiKey: Uuid.nullable(),
    createdAt: Timestamp,
    accessCount: z.number().int(),
    lastAccessedAt: Timestamp.nullable(),
  })
  .meta({ id: "ShareLink" });

export const CreatedShareLinkDto = ShareLinkDto.extend({
  token: z.string().describe("Shown once; only a hash is stored"),
  url: z.string().describe("The public results as JSON (GET, no account needed)"),
  pageUrl: z.string().describe("The same results as a web page, for people: send this one"),
  exportUrl: z.string().describe("Append ?format=pdf (or xlsx, csv, docx) to download"),
}).meta({ id: "CreatedShareLink" });

export const ShareLinkListQuery = listQuery(["createdAt"], {
  runId: Uuid.optional().describe("Links that include this run"),
  conversationId: Uuid.optional().describe("Links to this conversation's dashboard"),
  status: z.enum(SHARE_LINK_STATUSES).optional(),
});
export const ShareLinkPage = page(ShareLinkDto);

export const SharedTokenParams = z.object({ token: z.string().max(200) }).strict();

export const SharedRunDto = z.object({
  id: Uuid,
  modelId: z.string(),
  modelVersion: z.string(),
  status: z.string(),
  input: z.unknown(),
  output: z.unknown(),
  createdAt: Timestamp,
  finishedAt: Timestamp.nullable(),
});

export const SharedResultDto = z
  .object({
    link: z.object({ label: z.string(), expiresAt: Timestamp }),
    model: z.object({
      id: z.string(),
      version: z.string(),
      title: z.string(),
      summary: z.string(),
      tables: z.array(TableDescriptorDto),
      charts: z.array(ChartDescriptorDto),
      kpis: z.array(KpiDescriptorDto),
      documents: z.array(ModelDocumentDto),
      view: ResultView,
      outcome: OutcomeDescriptorDto.nullable(),
    }),
    runs: z.array(SharedRunDto),
    comparison: ComparisonDto.nullable().describe("Set when the link shares several runs"),
    numberStyle: NumberStyleDto.describe("How the sharing organization writes negative numbers"),
  })
  .meta({ id: "SharedResult" });
