import { NativeSelect } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { call } from "../api.ts";
import * as endpoints from "../client/endpoints.ts";
import { queryKeys } from "../client/query-keys.ts";
import { formatDateTime } from "../format.ts";
import { useOrg } from "../session.ts";

/**
 * A stored file of the organization and, optionally, one of its saved field mappings: what a fit
 * from a file and a scoring run both read (newest first, the first 100 of each).
 */
export function StoredFilePicker({
  fileId,
  mappingId,
  onFile,
  onMapping,
}: {
  fileId: string;
  mappingId: string;
  onFile: (id: string) => void;
  onMapping: (id: string) => void;
}) {
  const { session } = useOrg();
  const orgId = session?.activeOrgId;
  const files = useQuery({
    queryKey: queryKeys.files(orgId),
    queryFn: () => call(endpoints.files, { query: { limit: 100, sort: "-createdAt" } }),
  });
  const mappings = useQuery({
    // Every saved mapping of the organization: a customer file's may be kept under the model or
    // under the standard customer-response schema.
    queryKey: queryKeys.fieldMappings(orgId, ""),
    queryFn: () => call(endpoints.fieldMappings, { query: { limit: 100, sort: "-createdAt" } }),
  });
  const fileOptions = [
    { value: "", label: files.isPending ? "Loading files…" : "Choose a stored file" },
    ...(files.data?.items ?? []).map((f) => ({
      value: f.id,
      label: `${f.name} (${f.rowCount.toLocaleString("en-US")} rows, ${formatDateTime(f.createdAt)})`,
    })),
  ];
  const mappingOptions = [
    { value: "", label: "None: the file's columns carry the model's names" },
    ...(mappings.data?.items ?? []).map((m) => ({ value: m.id, label: m.name })),
  ];
  return (
    <>
      <NativeSelect
        label="Stored file"
        data={fileOptions}
        value={fileId}
        onChange={(e) => onFile(e.currentTarget.value)}
      />
      <NativeSelect
        label="Saved field mapping (optional)"
        data={mappingOptions}
        value={mappingId}
        onChange={(e) => onMapping(e.currentTarget.value)}
      />
    </>
  );
}
