import { Button, Card, Group, Stack, Text, Title } from "@mantine/core";
import { useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useLocation } from "wouter";
import { call, errorMessage } from "../api.ts";
import * as endpoints from "../client/endpoints.ts";
import { queryKeys } from "../client/query-keys.ts";
import { fileFitInput } from "../lib/model-artifacts.ts";
import { FormErrorAlert } from "./form-error-alert.tsx";
import { StoredFilePicker } from "./stored-file-picker.tsx";

/**
 * A response-model fit whose customer records come from a stored file through an optional saved
 * mapping (decision 0037: the server reads the file at request time and records the rows in the
 * run), with the scenario's settings as they are on screen. The run is filed under the project.
 */
export function FitFromFile({
  modelId,
  version,
  projectId,
  settings,
}: {
  modelId: string;
  version: string;
  projectId: string;
  /** The form's current values: the fit's settings. */
  settings: () => unknown;
}) {
  const qc = useQueryClient();
  const [, navigate] = useLocation();
  const [fileId, setFileId] = useState("");
  const [mappingId, setMappingId] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const fit = async () => {
    setBusy(true);
    setError(null);
    try {
      const run = await call(endpoints.createRun, {
        params: { id: modelId },
        body: {
          input: fileFitInput(settings()),
          version,
          projectId,
          data: { fileId, ...(mappingId ? { mappingId } : {}) },
        },
      });
      await qc.invalidateQueries({ queryKey: queryKeys.runs.all });
      navigate(`/runs/${run.id}`);
    } catch (err) {
      setError(errorMessage(err));
      setBusy(false);
    }
  };
  return (
    <Card withBorder component="section" aria-labelledby="fit-file-heading">
      <Title order={2} size="h4" id="fit-file-heading" mb={4}>
        Fit from a stored file
      </Title>
      <Text size="sm" c="dimmed" mb="xs">
        Fits with the settings below on a customer file uploaded earlier (Files &amp; share links) instead of
        the scenario's own records; a saved mapping names its columns.
      </Text>
      <Stack gap="sm" maw={640}>
        <StoredFilePicker fileId={fileId} mappingId={mappingId} onFile={setFileId} onMapping={setMappingId} />
        <FormErrorAlert error={error} />
        <Group>
          <Button variant="default" disabled={!fileId || busy} loading={busy} onClick={() => void fit()}>
            Fit from this file
          </Button>
        </Group>
      </Stack>
    </Card>
  );
}
