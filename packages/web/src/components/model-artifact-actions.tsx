import { Anchor, Button, Card, Group, Table, Text, TextInput, Title } from "@mantine/core";
import type { ScoringRunOutput } from "@modelworks/contracts/model-artifacts";
import { useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { Link, useLocation } from "wouter";
import { API, ApiError, call, errorMessage } from "../api.ts";
import * as endpoints from "../client/endpoints.ts";
import { queryKeys } from "../client/query-keys.ts";
import { downloadFile } from "../lib/download.ts";
import { FormErrorAlert } from "./form-error-alert.tsx";

/*
 * The response-model journey on a run's page: a succeeded fit saved as a named model (a draft
 * artifact), and a scoring run's result — the scored file to download and what was seen on the way.
 */

/** "Save as model": names the fit; the server gives it the next version of that name. */
export function SaveAsModel({ runId }: { runId: string }) {
  const qc = useQueryClient();
  const [, navigate] = useLocation();
  const [name, setName] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const save = async () => {
    setBusy(true);
    setError(null);
    try {
      const artifact = await call(endpoints.createModelArtifact, { body: { runId, name: name.trim() } });
      await qc.invalidateQueries({ queryKey: queryKeys.modelArtifacts.all });
      navigate(`/response-models/${artifact.id}`);
    } catch (err) {
      const field = err instanceof ApiError ? err.fieldErrors.find((e) => /name/.test(e.path)) : null;
      setError(field ? `Name: ${field.message}` : errorMessage(err));
      setBusy(false);
    }
  };
  return (
    <Card withBorder component="section" aria-labelledby="save-model-heading">
      <Title order={2} size="h4" id="save-model-heading" mb={4}>
        Save as model
      </Title>
      <Text size="sm" c="dimmed" mb="xs">
        Keeps this fit as a versioned response model of the organization: an admin approves it, then it scores
        files (Response models).
      </Text>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void save();
        }}
      >
        <Group align="end">
          <TextInput
            label="Model name"
            w={300}
            value={name}
            onChange={(e) => setName(e.currentTarget.value)}
            required
          />
          <Button type="submit" loading={busy} disabled={!name.trim()}>
            Save as model
          </Button>
        </Group>
      </form>
      <FormErrorAlert error={error} mt="sm" />
    </Card>
  );
}

/** A scoring run's output: the scored CSV, rows per decile and tier, and unseen values per field. */
export function ScoringResult({ output }: { output: ScoringRunOutput }) {
  const [error, setError] = useState<string | null>(null);
  const download = async () => {
    setError(null);
    try {
      await downloadFile(`${API}/files/${output.scoredFileId}/download`, "scored.csv");
    } catch (err) {
      setError(errorMessage(err));
    }
  };
  const n = (v: number) => v.toLocaleString("en-US");
  return (
    <Card withBorder data-testid="scoring-result">
      <Title order={2} size="h3" mb="xs">
        Scored file
      </Title>
      <Text size="sm" mb="sm">
        {n(output.rows)} rows scored with{" "}
        <Anchor component={Link} href={`/response-models/${output.artifactId}`}>
          {output.artifact.name} v{output.artifact.version}
        </Anchor>
        . {output.unseenLevels > 0 ? `${n(output.unseenLevels)} cells had a level the fit never saw.` : ""}
      </Text>
      <Group mb="sm">
        <Button onClick={() => void download()}>Download scored CSV</Button>
      </Group>
      <FormErrorAlert error={error} mb="sm" />
      <Table withTableBorder w="auto" mb="sm" aria-label="Rows per decile">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Decile</Table.Th>
            {output.byDecile.map((_, i) => (
              // Deciles are positions 1…10: the index is the identity.
              // biome-ignore lint/suspicious/noArrayIndexKey: fixed positions
              <Table.Th key={i} ta="right">
                {i + 1}
              </Table.Th>
            ))}
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          <Table.Tr>
            <Table.Td>Rows</Table.Td>
            {output.byDecile.map((v, i) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: fixed positions
              <Table.Td key={i} ta="right">
                {n(v)}
              </Table.Td>
            ))}
          </Table.Tr>
        </Table.Tbody>
      </Table>
      <Text size="sm" mb={4}>
        By tier:{" "}
        {Object.entries(output.byTier)
          .map(([tier, count]) => `${tier} ${n(count)}`)
          .join(" · ")}
      </Text>
      {output.fields.length > 0 ? (
        <Table withTableBorder w="auto" aria-label="Values the model did not expect">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Field</Table.Th>
              <Table.Th ta="right">Missing</Table.Th>
              <Table.Th ta="right">Not a number</Table.Th>
              <Table.Th ta="right">Unseen levels</Table.Th>
              <Table.Th>Examples</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {output.fields.map((f) => (
              <Table.Tr key={f.field}>
                <Table.Td>{f.field}</Table.Td>
                <Table.Td ta="right">{n(f.missing)}</Table.Td>
                <Table.Td ta="right">{n(f.nonNumeric)}</Table.Td>
                <Table.Td ta="right">{n(f.unseenLevels)}</Table.Td>
                <Table.Td>{f.examples.join(", ")}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      ) : null}
    </Card>
  );
}
