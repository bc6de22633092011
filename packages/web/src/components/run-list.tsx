import { Anchor, Badge, Button, Checkbox, Group, Table, Text } from "@mantine/core";
import { useQueries, useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { Link, useLocation } from "wouter";
import { call } from "../api.ts";
import * as endpoints from "../client/endpoints.ts";
import { queryKeys } from "../client/query-keys.ts";
import { formatDateTime, formatValue, negativeColor } from "../format.ts";
import { useModels, useProjects } from "../queries.ts";
import { useOrg } from "../session.ts";
import type { RunSummary } from "../types.ts";
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

/** A run's key result (stored with the run when it finished): the number, then what it is. */
function KeyResult({ value: k }: { value: NonNullable<RunSummary["keyResult"]> }) {
  return (
    <>
      <Text span size="sm" fw={600} c={negativeColor(k.value)} style={{ fontVariantNumeric: "tabular-nums" }}>
        {formatValue(k.value, k.unit, k.decimals ?? undefined, { format: k.format })}
      </Text>
      <Text size="xs" c="dimmed">
        {k.label}
      </Text>
    </>
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
  const models = useModels();
  const projects = useProjects(session?.activeOrgId);
  const items = runs.data?.items ?? [];
  const projectIds = [...new Set(items.map((r) => r.projectId).filter((p): p is string => !!p))].slice(0, 10);
  const scenarioLists = useQueries({
    queries: projectIds.map((projectId) => ({
      queryKey: queryKeys.scenarios(session?.activeOrgId, projectId),
      queryFn: () => call(endpoints.scenarios, { params: { projectId }, query: { limit: 100 } }),
      staleTime: 60_000,
    })),
  });
  // Names, not ids: the model's title, the project and the scenario (issue 18 item 15).
  const modelTitle = new Map((models.data ?? []).map((m) => [m.id, m.title]));
  const projectName = new Map((projects.data?.items ?? []).map((p) => [p.id, p.name]));
  const scenarioName = new Map(
    scenarioLists.flatMap((q) => (q.data?.items ?? []).map((sc) => [sc.id, sc.name] as const)),
  );
  if (runs.isPending) return <Loading label="Loading runs…" />;
  if (runs.error) return <ErrorState error={runs.error} onRetry={() => runs.refetch()} />;
  // A sweep's points are one line ("What-if sweep, 9 points"), not nine (issue 18 item 15).
  const sweepSize = new Map<string, number>();
  for (const r of runs.data.items)
    if (r.sweepId) sweepSize.set(r.sweepId, (sweepSize.get(r.sweepId) ?? 0) + 1);
  const seenSweeps = new Set<string>();
  const shown = runs.data.items.filter((r) => {
    if (!r.sweepId) return true;
    if (seenSweeps.has(r.sweepId)) return false;
    seenSweeps.add(r.sweepId);
    return true;
  });
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
      <Table.ScrollContainer minWidth={640}>
        <Table striped highlightOnHover>
          <Table.Thead>
            <Table.Tr>
              {compare ? <Table.Th>Pick</Table.Th> : null}
              <Table.Th>Started</Table.Th>
              <Table.Th>Scenario</Table.Th>
              <Table.Th>Model</Table.Th>
              <Table.Th>Status</Table.Th>
              <Table.Th ta="right" style={{ whiteSpace: "nowrap" }}>
                Key result
              </Table.Th>
              <Table.Th>Revision</Table.Th>
              <Table.Th>Duration</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {shown.map((r) => (
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
                  {r.sweepId ? (
                    <Text span size="sm">
                      What-if sweep, {sweepSize.get(r.sweepId)} point
                      {sweepSize.get(r.sweepId) === 1 ? "" : "s"}
                      {r.scenarioId && scenarioName.get(r.scenarioId)
                        ? ` of ${scenarioName.get(r.scenarioId)}`
                        : ""}
                    </Text>
                  ) : (
                    <Text span size="sm">
                      {(r.scenarioId && scenarioName.get(r.scenarioId)) ??
                        (r.scenarioId ? "Scenario" : "Direct run")}
                    </Text>
                  )}
                  {r.projectId && projectName.get(r.projectId) ? (
                    <Text size="xs" c="dimmed">
                      {projectName.get(r.projectId)}
                    </Text>
                  ) : null}
                </Table.Td>
                <Table.Td>
                  {modelTitle.get(r.modelId) ?? r.modelId}{" "}
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
                <Table.Td ta="right" data-testid="key-result">
                  {r.keyResult && !r.sweepId ? <KeyResult value={r.keyResult} /> : "—"}
                </Table.Td>
                <Table.Td>{r.scenarioRevision ?? "—"}</Table.Td>
                <Table.Td>{r.durationMs !== null ? `${(r.durationMs / 1000).toFixed(2)} s` : "—"}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
    </>
  );
}
