import {
  Badge,
  Button,
  Card,
  Code,
  Group,
  Select,
  Stack,
  Table,
  Text,
  Title,
  VisuallyHidden,
} from "@mantine/core";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { call, errorMessage } from "../api.ts";
import * as endpoints from "../client/endpoints.ts";
import { queryKeys } from "../client/query-keys.ts";
import { formatDateTime } from "../format.ts";
import { useOrg } from "../session.ts";
import type { Scenario } from "../types.ts";
import { FormErrorAlert } from "./form-error-alert.tsx";
import { ErrorState, Loading } from "./states.tsx";

const show = (v: unknown) => (v === undefined ? "" : typeof v === "string" ? v : JSON.stringify(v));

/**
 * A scenario's revisions (note, author, time) and the input changes between any two of them, from
 * GET /scenarios/:id/revisions and /diff; an editor can make an old revision's input the current
 * one again (saved as a new revision, so nothing is lost).
 */
export function RevisionHistory({ scenario, editable }: { scenario: Scenario; editable: boolean }) {
  const { session } = useOrg();
  const org = session?.activeOrgId;
  const revisions = useQuery({
    queryKey: queryKeys.revisions(org, scenario.id, scenario.revision),
    queryFn: () =>
      call(endpoints.revisions, {
        params: { id: scenario.id },
        query: { limit: 100, sort: "-revision" },
      }),
  });
  // Authors by id; a member who left shows as "former member".
  const members = useQuery({
    queryKey: queryKeys.members(org),
    queryFn: () => call(endpoints.members, { query: { limit: 100, sort: "joinedAt" } }),
  });
  const author = (id: string | null) =>
    id === null ? "—" : (members.data?.items.find((m) => m.userId === id)?.name ?? "former member");
  const [from, setFrom] = useState<number | null>(null);
  const [to, setTo] = useState<number | null>(null);
  useEffect(() => {
    setTo(scenario.revision);
    setFrom(Math.max(1, scenario.revision - 1));
  }, [scenario.revision]);

  if (revisions.isPending) return <Loading label="Loading the history…" />;
  if (revisions.error) return <ErrorState error={revisions.error} onRetry={() => revisions.refetch()} />;
  const items = revisions.data.items;
  const options = items.map((r) => ({ value: String(r.revision), label: `Revision ${r.revision}` }));
  return (
    <Stack data-testid="revision-history">
      <Table striped fz="sm" aria-label="Revisions">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Revision</Table.Th>
            <Table.Th>Note</Table.Th>
            <Table.Th>Author</Table.Th>
            <Table.Th>Saved</Table.Th>
            <Table.Th>Model version</Table.Th>
            <Table.Th>
              <VisuallyHidden>Actions</VisuallyHidden>
            </Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {items.map((r) => (
            <Table.Tr key={r.revision} data-revision={r.revision}>
              <Table.Td>
                {r.revision}{" "}
                {r.revision === scenario.revision ? (
                  <Badge size="xs" variant="light">
                    current
                  </Badge>
                ) : null}
              </Table.Td>
              <Table.Td>
                {r.note || (
                  <Text span size="sm" c="dimmed">
                    no note
                  </Text>
                )}
              </Table.Td>
              <Table.Td>{author(r.createdBy)}</Table.Td>
              <Table.Td>{formatDateTime(r.createdAt)}</Table.Td>
              <Table.Td>v{r.modelVersion}</Table.Td>
              <Table.Td>
                <Group gap={4} wrap="nowrap">
                  <Button
                    size="compact-xs"
                    variant="subtle"
                    onClick={() => setFrom(r.revision)}
                    aria-label={`Compare from revision ${r.revision}`}
                  >
                    from
                  </Button>
                  <Button
                    size="compact-xs"
                    variant="subtle"
                    onClick={() => setTo(r.revision)}
                    aria-label={`Compare to revision ${r.revision}`}
                  >
                    to
                  </Button>
                  {editable && r.revision !== scenario.revision ? (
                    <RestoreButton scenario={scenario} revision={r.revision} />
                  ) : null}
                </Group>
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      {items.length > 1 ? (
        <Card withBorder>
          <Title order={3} size="h4" mb="xs">
            Changes between two revisions
          </Title>
          <Group mb="sm">
            <Select
              label="From revision"
              data={options}
              value={from === null ? null : String(from)}
              onChange={(v) => setFrom(v ? Number(v) : null)}
              w={180}
            />
            <Select
              label="To revision"
              data={options}
              value={to === null ? null : String(to)}
              onChange={(v) => setTo(v ? Number(v) : null)}
              w={180}
            />
          </Group>
          {from !== null && to !== null ? <DiffTable scenarioId={scenario.id} from={from} to={to} /> : null}
        </Card>
      ) : (
        <Text size="sm" c="dimmed">
          One revision so far: save a change to see what changed between revisions.
        </Text>
      )}
    </Stack>
  );
}

function DiffTable({ scenarioId, from, to }: { scenarioId: string; from: number; to: number }) {
  const { session } = useOrg();
  const diff = useQuery({
    queryKey: queryKeys.diff(session?.activeOrgId, scenarioId, from, to),
    queryFn: () => call(endpoints.diff, { params: { id: scenarioId }, query: { from, to } }),
    enabled: from !== to,
  });
  if (from === to) return <Text size="sm">Pick two different revisions.</Text>;
  if (diff.isPending) return <Loading label="Comparing…" />;
  if (diff.error) return <ErrorState error={diff.error} />;
  const d = diff.data;
  return (
    <Stack gap="xs" data-testid="revision-diff">
      {d.modelVersion.from !== d.modelVersion.to ? (
        <Text size="sm">
          Model version v{d.modelVersion.from} → v{d.modelVersion.to}
        </Text>
      ) : null}
      {d.changes.length === 0 ? (
        <Text size="sm">
          The inputs of revisions {from} and {to} are the same.
        </Text>
      ) : (
        <Table.ScrollContainer minWidth={560}>
          <Table fz="sm" aria-label={`Input changes from revision ${from} to ${to}`}>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Input</Table.Th>
                <Table.Th>Change</Table.Th>
                <Table.Th>Revision {from}</Table.Th>
                <Table.Th>Revision {to}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {d.changes.map((c) => (
                <Table.Tr key={c.path}>
                  <Table.Td>
                    <Code>{c.path}</Code>
                  </Table.Td>
                  <Table.Td>
                    <Badge
                      size="sm"
                      variant="light"
                      color={c.kind === "added" ? "green" : c.kind === "removed" ? "red" : "blue"}
                    >
                      {c.kind}
                    </Badge>
                  </Table.Td>
                  <Table.Td style={{ wordBreak: "break-word" }}>{show(c.before)}</Table.Td>
                  <Table.Td style={{ wordBreak: "break-word" }}>{show(c.after)}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
    </Stack>
  );
}

function RestoreButton({ scenario, revision }: { scenario: Scenario; revision: number }) {
  const qc = useQueryClient();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const restore = async () => {
    setBusy(true);
    setError(null);
    try {
      const old = await call(endpoints.revision, { params: { id: scenario.id, revision } });
      await call(endpoints.updateScenario, {
        params: { id: scenario.id },
        body: {
          input: old.input,
          ...(old.modelVersion !== scenario.modelVersion ? { modelVersion: old.modelVersion } : {}),
          baseRevision: scenario.revision,
          note: `Restored revision ${revision}`,
        },
      });
      await qc.invalidateQueries({ queryKey: queryKeys.scenario.all });
      await qc.invalidateQueries({ queryKey: queryKeys.revisions.all });
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <>
      <Button
        size="compact-xs"
        variant="light"
        loading={busy}
        onClick={restore}
        aria-label={`Restore revision ${revision} as a new revision`}
      >
        restore
      </Button>
      <FormErrorAlert error={error} p={4} />
    </>
  );
}
