import { Anchor, Badge, Button, Checkbox, Group, Table, Text } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { Link, useLocation } from "wouter";
import { call } from "../api.ts";
import * as endpoints from "../client/endpoints.ts";
import { queryKeys } from "../client/query-keys.ts";
import { formatDateTime } from "../format.ts";
import { useOrg } from "../session.ts";
import { Empty, ErrorState, Loading } from "./states.tsx";

export const STATUS_COLOR: Record<string, string> = {
  queued: "gray",
  running: "blue",
  succeeded: "green",
  failed: "red",
  canceled: "orange",
};

export function StatusBadge({ status }: { status: string }) {
  return (
    <Badge variant="light" color={STATUS_COLOR[status] ?? "gray"}>
      {status}
    </Badge>
  );
}

/** Runs, newest first; with `compare`, pick two or more succeeded runs and compare them. */
export function RunList({
  filter,
  compare = false,
}: {
  filter: { projectId?: string; scenarioId?: string };
  compare?: boolean;
}) {
  const { session } = useOrg();
  const [, navigate] = useLocation();
  const [picked, setPicked] = useState<string[]>([]);
  const runs = useQuery({
    queryKey: queryKeys.runs(session?.activeOrgId, filter),
    queryFn: () => call(endpoints.runs, { query: { limit: 50, ...filter } }),
    // Keep the list moving while something in it is unfinished.
    refetchInterval: (q) =>
      q.state.data?.items.some((r) => r.status === "queued" || r.status === "running") ? 2000 : false,
  });
  if (runs.isPending) return <Loading label="Loading runs…" />;
  if (runs.error) return <ErrorState error={runs.error} onRetry={() => runs.refetch()} />;
  if (runs.data.items.length === 0)
    return <Empty title="No runs yet">Run a scenario and its results appear here.</Empty>;
  const toggle = (id: string) => setPicked((p) => (p.includes(id) ? p.filter((x) => x !== id) : [...p, id]));
  return (
    <>
      {compare ? (
        <Group>
          <Button
            size="xs"
            disabled={picked.length < 2}
            onClick={() => navigate(`/compare?runs=${picked.join(",")}`)}
          >
            Compare {picked.length >= 2 ? `${picked.length} runs` : "(pick 2 or more)"}
          </Button>
          <Text size="xs" c="dimmed">
            The first run you pick is the baseline.
          </Text>
        </Group>
      ) : null}
      <Table striped highlightOnHover>
        <Table.Thead>
          <Table.Tr>
            {compare ? <Table.Th>Pick</Table.Th> : null}
            <Table.Th>Started</Table.Th>
            <Table.Th>Model</Table.Th>
            <Table.Th>Status</Table.Th>
            <Table.Th>Revision</Table.Th>
            <Table.Th>Duration</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {runs.data.items.map((r) => (
            <Table.Tr key={r.id}>
              {compare ? (
                <Table.Td>
                  <Checkbox
                    aria-label={`Pick run of ${formatDateTime(r.createdAt)} for comparison`}
                    disabled={r.status !== "succeeded"}
                    checked={picked.includes(r.id)}
                    onChange={() => toggle(r.id)}
                  />
                </Table.Td>
              ) : null}
              <Table.Td>
                <Anchor component={Link} href={`/runs/${r.id}`}>
                  {formatDateTime(r.createdAt)}
                </Anchor>
              </Table.Td>
              <Table.Td>
                {r.modelId}{" "}
                <Text span size="xs" c="dimmed">
                  v{r.modelVersion}
                </Text>
              </Table.Td>
              <Table.Td>
                <Group gap={4}>
                  <StatusBadge status={r.status} />
                  {r.cacheHit ? (
                    <Badge
                      variant="outline"
                      color="gray"
                      title="Identical input: answered from an earlier run"
                    >
                      cached
                    </Badge>
                  ) : null}
                  {r.status === "running" ? <Text size="xs">{Math.round(r.progress * 100)}%</Text> : null}
                </Group>
              </Table.Td>
              <Table.Td>{r.scenarioRevision ?? "—"}</Table.Td>
              <Table.Td>{r.durationMs !== null ? `${(r.durationMs / 1000).toFixed(2)} s` : "—"}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </>
  );
}
