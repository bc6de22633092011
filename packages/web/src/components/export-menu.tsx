import { Button, Menu, Text } from "@mantine/core";
import { useState } from "react";
import { errorMessage } from "../api.ts";
import { downloadFile } from "../lib/download.ts";
import { FormErrorAlert } from "./form-error-alert.tsx";

/** What GET /models/{id} (or a shared link) lists under `documents`: the report plus engine documents. */
export interface ExportDocument {
  name: string;
  title: string;
  summary: string;
  formats: string[];
}

const FORMAT_LABELS: Record<string, string> = {
  xlsx: "Excel (XLSX)",
  csv: "CSV",
  pdf: "PDF",
  docx: "Word (DOCX)",
};
const formatLabel = (f: string) => FORMAT_LABELS[f] ?? f.toUpperCase();

/**
 * Downloads of a run's results: every format of every document the model offers (the generic
 * report in XLSX/CSV/PDF/Word, the engine's own documents such as a term sheet in PDF/Word).
 * `exportPath` is the export endpoint: `/api/v1/runs/{id}/export` or a share link's.
 */
export function ExportMenu({
  exportPath,
  documents,
  query = {},
}: {
  exportPath: string;
  documents: ExportDocument[];
  query?: Record<string, string>;
}) {
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  if (documents.length === 0) return null;

  const download = async (doc: ExportDocument, format: string) => {
    const key = `${doc.name}:${format}`;
    setBusy(key);
    setError(null);
    setDone(null);
    const q = new URLSearchParams({ ...query, format });
    if (doc.name !== "report") q.set("document", doc.name);
    try {
      const name = await downloadFile(`${exportPath}?${q}`, `${doc.name}.${format}`);
      setDone(`Downloaded ${name}`);
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(null);
    }
  };

  return (
    <div>
      <Menu position="bottom-end" withinPortal shadow="md" width={260}>
        <Menu.Target>
          <Button variant="default" loading={busy !== null}>
            Download
          </Button>
        </Menu.Target>
        <Menu.Dropdown data-testid="export-menu">
          {documents.map((doc, i) => (
            <div key={doc.name}>
              {i > 0 ? <Menu.Divider /> : null}
              <Menu.Label title={doc.summary}>{doc.title}</Menu.Label>
              {doc.formats.map((f) => (
                <Menu.Item
                  key={f}
                  aria-label={`${doc.title} as ${formatLabel(f)}`}
                  onClick={() => void download(doc, f)}
                >
                  {formatLabel(f)}
                </Menu.Item>
              ))}
            </div>
          ))}
        </Menu.Dropdown>
      </Menu>
      <Text size="xs" c="dimmed" aria-live="polite" data-testid="export-status">
        {done ?? ""}
      </Text>
      <FormErrorAlert error={error} mt={4} maw={360} withCloseButton onClose={() => setError(null)} />
    </div>
  );
}
