import { z } from "zod";
import { listQuery, page, Timestamp, Uuid } from "./common.ts";
import { UploadQuery } from "./files.ts";

/*
 * Resumable uploads: a session (POST /uploads), chunks appended at an offset (PATCH, after the
 * tus 1.0 core protocol), completion into a file (POST /uploads/:id/complete). See
 * docs/decisions/0013-resumable-uploads.md.
 */

export const UPLOAD_PHASES = ["receiving", "checking", "parsing", "profiling", "stored", "failed"] as const;
export const UploadPhase = z
  .enum(UPLOAD_PHASES)
  .describe(
    "receiving (chunks welcome) → checking (magic bytes, zip guard) → parsing (to Parquet) → profiling → " +
      "stored (see fileId) | failed (see error; the partial data is removed)",
  );

export const CreateUploadBody = z
  .object({
    name: z
      .string()
      .min(1, "must not be blank")
      .max(300, "must be at most 300 characters")
      .describe("The file's name: its extension (.csv, .tsv, .txt, .xlsx) decides how it is read"),
    sizeBytes: z
      .number()
      .int("must be a whole number of bytes")
      .min(1, "must be at least 1 byte")
      .describe("The whole file's size; the upload is complete when this many bytes are in"),
    contentType: z
      .string()
      .max(200)
      .regex(/^[\w.+-]+\/[\w.+-]+(\s*;.*)?$/, "must be a media type such as text/csv")
      .optional()
      .describe("What the client believes it is; informative only — the bytes are checked at completion"),
    ...UploadQuery.shape,
  })
  .strict();

export const UploadDto = z
  .object({
    id: Uuid,
    name: z.string(),
    kind: z.enum(["csv", "xlsx"]),
    sizeBytes: z.number().int(),
    offsetBytes: z
      .number()
      .int()
      .describe("Bytes persisted so far: send the next chunk from here (also the Upload-Offset header)"),
    chunkSizeBytes: z
      .number()
      .int()
      .describe("Suggested chunk size; any size works, a smaller one loses less on a dropped connection"),
    phase: UploadPhase,
    error: z.string().nullable().describe("Why it failed (phase `failed`)"),
    fileId: Uuid.nullable().describe("The stored file (phase `stored`)"),
    sheet: z.string().nullable(),
    delimiter: z.string().nullable(),
    createdBy: Uuid.nullable(),
    createdAt: Timestamp,
    updatedAt: Timestamp,
    expiresAt: Timestamp.describe("After this the session and any partial data are removed"),
  })
  .meta({ id: "Upload" });

export const ChunkHeaders = z.looseObject({
  "upload-offset": z
    .string({ message: "send the chunk's starting byte offset in the Upload-Offset header" })
    .regex(/^\d{1,15}$/, "must be a non-negative whole number of bytes"),
  "tus-resumable": z.string().optional().describe("Optional; when sent it must be 1.0.0 (else 412)"),
});

export const UploadListQuery = listQuery(["createdAt", "updatedAt"], {
  phase: UploadPhase.optional().describe("Only sessions in this phase"),
});
export const UploadPage = page(UploadDto);
