import type { FileRow } from "../files/ingest.ts";

/** A file row as the API shows it (also the answer of POST /uploads/:id/complete). */
export function fileDto(f: FileRow) {
  return {
    id: f.id,
    name: f.name,
    kind: f.kind,
    contentType: f.contentType,
    sizeBytes: f.sizeBytes,
    sha256: f.sha256,
    rowCount: f.rowCount,
    columnCount: f.profile.length,
    layout: f.layout,
    createdBy: f.createdBy,
    createdAt: f.createdAt.toISOString(),
  };
}
