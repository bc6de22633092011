import { Button, Group } from "@mantine/core";
import { lazy, Suspense, useRef, useState } from "react";
import { API } from "../api.ts";
import type { Model, Run } from "../types.ts";
import { ExportMenu } from "./export-menu.tsx";

// The dialog (form, list, copy button) loads when first opened.
const ShareDialog = lazy(() => import("./share-dialog.tsx").then((m) => ({ default: m.ShareDialog })));

/** A finished run's downloads (every format and document the model offers) and its share links. */
export function RunDownloadsAndSharing({
  run,
  model,
  canShare,
}: {
  run: Run;
  model: Model;
  canShare: boolean;
}) {
  if (run.status !== "succeeded") return null;
  return (
    <Group align="flex-start" gap="xs">
      <ExportMenu exportPath={`${API}/runs/${run.id}/export`} documents={model.documents} />
      <ShareButton runId={run.id} canShare={canShare} />
    </Group>
  );
}

/** "Share" and its dialog: links to one run, or to a comparison of it with `compareWith`. */
export function ShareButton({
  runId,
  compareWith = [],
  canShare,
}: {
  runId: string;
  compareWith?: string[];
  canShare: boolean;
}) {
  const [sharing, setSharing] = useState(false);
  const [loaded, setLoaded] = useState(false);
  // The dialog mounts already open (lazy chunk), so Mantine has no element to return focus to.
  const opener = useRef<HTMLButtonElement>(null);
  return (
    <>
      <Button
        ref={opener}
        variant="default"
        onClick={() => {
          setLoaded(true);
          setSharing(true);
        }}
      >
        {compareWith.length ? "Share this comparison" : "Share"}
      </Button>
      {loaded ? (
        <Suspense fallback={null}>
          <ShareDialog
            runId={runId}
            compareWith={compareWith}
            opened={sharing}
            onClose={() => {
              setSharing(false);
              opener.current?.focus();
            }}
            canShare={canShare}
          />
        </Suspense>
      ) : null}
    </>
  );
}
