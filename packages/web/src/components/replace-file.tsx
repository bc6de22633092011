import { Alert, Button, FileButton, List, Stack, Text } from "@mantine/core";
import type { ReplaceFileResult } from "@modelworks/contracts/conversations";
import { useState } from "react";
import type { z } from "zod";
import { ApiError, call, errorMessage } from "../api.ts";
import * as endpoints from "../client/endpoints.ts";
import { describePath } from "../lib/field-path.ts";
import { uploadResumable } from "../lib/resumable-upload.ts";
import { browserTransport } from "../lib/upload-transport.ts";
import { FormErrorAlert } from "./form-error-alert.tsx";

type Result = z.output<typeof ReplaceFileResult>;
type Outcome = { ok: Result } | { error: string; fields: { path: string; message: string }[] };

/**
 * Replace an attached file by a new version (issue 16 item 4, "refresh when a file with the same
 * columns is uploaded again"): choose a file, it is uploaded through the platform's resumable
 * uploads, then POST /conversations/{id}/files/{fileId}/replace. Shows what the server did: the
 * same columns refresh the dashboard as a new revision; other columns re-check the plan, and the
 * visuals that no longer fit are listed with the reason per field. A refusal shows its field errors.
 */
export function ReplaceFileButton({
  conversationId,
  file,
  disabled,
  onReplaced,
}: {
  conversationId: string;
  file: { fileId: string; name: string; table: string };
  disabled: boolean;
  onReplaced: () => void;
}) {
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const replace = async (chosen: File | null) => {
    if (!chosen) return;
    setBusy(true);
    setOutcome(null);
    try {
      const uploaded = await uploadResumable(chosen, {}, browserTransport);
      const ok = await call(endpoints.replaceConversationFile, {
        params: { id: conversationId, fileId: file.fileId },
        body: { fileId: uploaded.id },
      });
      setOutcome({ ok });
      onReplaced();
    } catch (err) {
      setOutcome({
        error: errorMessage(err),
        fields: err instanceof ApiError ? err.fieldErrors : [],
      });
    } finally {
      setBusy(false);
    }
  };
  return (
    <Stack gap={4}>
      <FileButton onChange={(f) => void replace(f)} accept=".csv,.tsv,.txt,.xlsx,.json,.parquet">
        {(props) => (
          <Button
            {...props}
            size="compact-xs"
            variant="light"
            loading={busy}
            disabled={disabled}
            aria-label={`Replace ${file.name} by a new version`}
          >
            Replace {file.name}
          </Button>
        )}
      </FileButton>
      {outcome && "ok" in outcome ? (
        <ReplaceOutcome result={outcome.ok} table={file.table} onClose={() => setOutcome(null)} />
      ) : outcome ? (
        <FormErrorAlert
          title={`${file.name} was not replaced`}
          withCloseButton
          onClose={() => setOutcome(null)}
          error={outcome.fields.length ? null : outcome.error}
          problems={outcome.fields}
          describe={(path) => (path === "body.fileId" ? "New version" : describePath(path))}
        />
      ) : null}
    </Stack>
  );
}

function ReplaceOutcome({ result, table, onClose }: { result: Result; table: string; onClose: () => void }) {
  const fitted = result.revision !== null;
  return (
    <Alert
      color={result.unfit.length ? "yellow" : "green"}
      role="status"
      title={
        result.sameColumns
          ? `"${table}" refreshed: the same columns`
          : `"${table}" replaced with other columns`
      }
      withCloseButton
      onClose={onClose}
    >
      <Stack gap={4}>
        <Text size="sm">
          {fitted
            ? `The dashboard now reads the new data (revision ${result.revision}).`
            : "Nothing of the current plan fits the new columns: the dashboard stays as it was."}
        </Text>
        {result.unfit.length ? (
          <>
            <Text size="sm">No longer fit the new columns{fitted ? " (left out)" : ""}:</Text>
            <List size="sm" aria-label="Visuals that no longer fit">
              {result.unfit.map((u) => (
                <List.Item key={u.visualId}>
                  {u.title}: {u.issues.map((i) => i.message).join("; ")}
                </List.Item>
              ))}
            </List>
          </>
        ) : null}
        {result.repairs.length ? (
          <Text size="sm">Repaired: {result.repairs.map((r) => r.message).join("; ")}</Text>
        ) : null}
      </Stack>
    </Alert>
  );
}
