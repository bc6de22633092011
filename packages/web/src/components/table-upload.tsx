import { Anchor, Button } from "@mantine/core";
import { lazy, Suspense, useContext, useRef, useState } from "react";
import { API } from "../api.ts";
import { InputModelContext } from "./input-model.ts";

// The mapping dialog is its own chunk, fetched when first opened.
const UploadMappingDialog = lazy(() =>
  import("./upload-mapping.tsx").then((m) => ({ default: m.UploadMappingDialog })),
);

/** "Upload CSV/XLSX" and "Download CSV template" for one input table of the scenario editor. */
export function TableUpload({
  field,
  label,
  rowCount,
  onRows,
}: {
  field: string;
  label: string;
  rowCount: number;
  onRows: (rows: unknown[], mode: "replace" | "append") => void;
}) {
  const model = useContext(InputModelContext);
  const [opened, setOpened] = useState(false);
  const [loaded, setLoaded] = useState(false);
  // The dialog mounts already open (lazy chunk), so Mantine has no element to return focus to.
  const opener = useRef<HTMLButtonElement>(null);
  if (!model) return null;
  const template = `${API}/models/${encodeURIComponent(model.id)}/templates/${encodeURIComponent(field)}?version=${encodeURIComponent(model.version)}`;
  return (
    <>
      <Button
        ref={opener}
        size="compact-sm"
        variant="light"
        aria-label={`Upload CSV/XLSX into ${label}`}
        onClick={() => {
          setLoaded(true);
          setOpened(true);
        }}
      >
        Upload CSV/XLSX
      </Button>
      <Anchor href={template} download size="xs" aria-label={`Download CSV template for ${label}`}>
        Download CSV template
      </Anchor>
      {loaded ? (
        <Suspense fallback={null}>
          <UploadMappingDialog
            target={{ modelId: model.id, version: model.version, field, label }}
            opened={opened}
            onClose={() => {
              setOpened(false);
              opener.current?.focus();
            }}
            currentRowCount={rowCount}
            onRows={onRows}
          />
        </Suspense>
      ) : null}
    </>
  );
}
