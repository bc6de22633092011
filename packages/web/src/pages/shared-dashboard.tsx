import { Alert, Anchor, Badge, Button, Container, Group, Stack, Text, Title } from "@mantine/core";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { API, call } from "../api.ts";
import * as endpoints from "../client/endpoints.ts";
import { queryKeys } from "../client/query-keys.ts";
import { CrossFilters, DashboardPages } from "../components/dashboard-view.tsx";
import { ErrorState, Loading } from "../components/states.tsx";
import { formatDateTime, setNumberStyle } from "../format.ts";
import {
  dashboardQueryOf,
  type PlanView,
  type Selection,
  type SlicerState,
  toggleSelection,
} from "../lib/dashboard.ts";
import { useKeepTokenPrivate } from "./shared.tsx";

/** How often an open page looks for a newer plan: the link is live, the page should be too. */
const LIVE_REFRESH_MS = 30_000;

/**
 * What a dashboard share link's recipient sees, without an account: the dashboard's current plan
 * drawn with the same tiles as the signed-in page, read-only (slicers and cross-filters work,
 * nothing can be changed), live — it follows new revisions and replaced files. Data comes only
 * from the public /shared/{token}/dashboard routes.
 */
export function SharedDashboardPage({ token }: { token: string }) {
  const qc = useQueryClient();
  const dashboard = useQuery({
    queryKey: queryKeys.sharedDashboard(token),
    queryFn: () => call(endpoints.sharedDashboard, { params: { token } }),
    // A revoked or expired link answers 410: asking again will not change that.
    retry: false,
    refetchInterval: LIVE_REFRESH_MS,
  });
  useKeepTokenPrivate();
  const revision = dashboard.data?.revision ?? 0;
  const [slicers, setSlicers] = useState<Record<string, SlicerState>>({});
  const [selections, setSelections] = useState<Selection[]>([]);
  // A new revision may have other slicers and visuals: its state starts empty.
  // biome-ignore lint/correctness/useExhaustiveDependencies: reset on a revision change only
  useEffect(() => {
    setSlicers({});
    setSelections([]);
  }, [revision]);
  const state = dashboardQueryOf(slicers, selections);
  const results = useQuery({
    queryKey: queryKeys.sharedDashboardQuery(token, revision, state.key),
    queryFn: () => call(endpoints.sharedDashboardQuery, { params: { token }, body: state.body }),
    enabled: !!dashboard.data,
    retry: false,
    placeholderData: (prev) => prev,
    refetchInterval: LIVE_REFRESH_MS,
  });
  // The answers ran on a newer revision than the plan shown: read the plan again.
  const answered = results.data?.revision;
  useEffect(() => {
    if (answered !== undefined && revision && answered !== revision)
      void qc.invalidateQueries({ queryKey: queryKeys.sharedDashboard(token) });
  }, [answered, revision, qc, token]);

  return (
    <Container size="xl" py="md">
      <Group justify="space-between" mb="md">
        <Text fw={700} size="lg" component="span">
          Modelworks
        </Text>
        <Badge variant="outline">Shared dashboard · read-only</Badge>
      </Group>
      <main>
        {dashboard.isPending ? (
          <Loading label="Loading the shared dashboard…" />
        ) : dashboard.error ? (
          <ErrorState title="This link does not open" error={dashboard.error} />
        ) : (
          (() => {
            const d = dashboard.data;
            setNumberStyle(d.numberStyle);
            const plan = d.plan as unknown as PlanView;
            const exportUrl = `${API}/shared/${encodeURIComponent(token)}/dashboard/export`;
            return (
              <Stack gap="xs" aria-label="Dashboard">
                <Group justify="space-between" align="flex-start">
                  <div>
                    <Title order={1} size="h2">
                      {plan.title}
                    </Title>
                    {d.link.label ? <Text>{d.link.label}</Text> : null}
                    <Text size="xs" c="dimmed">
                      Revision {d.revision} · updated {formatDateTime(d.updatedAt)} · link expires{" "}
                      {formatDateTime(d.link.expiresAt)}
                    </Text>
                  </div>
                  <Group gap="xs">
                    <Button
                      component="a"
                      href={`${exportUrl}?format=pdf`}
                      size="compact-sm"
                      variant="default"
                    >
                      PDF
                    </Button>
                    <Button
                      component="a"
                      href={`${exportUrl}?format=png`}
                      size="compact-sm"
                      variant="default"
                    >
                      PNG
                    </Button>
                  </Group>
                </Group>
                {plan.fallback ? (
                  <Alert color="yellow" title="A fallback plan">
                    {plan.fallback.reason}
                  </Alert>
                ) : null}
                <CrossFilters selections={selections} onChange={setSelections} />
                {results.error ? (
                  <ErrorState error={results.error} onRetry={() => results.refetch()} />
                ) : null}
                <DashboardPages
                  plan={plan}
                  results={results.data?.visuals ?? []}
                  loading={results.isFetching}
                  filters={state.body}
                  slicers={slicers}
                  onSlicer={(id, st) => setSlicers((cur) => ({ ...cur, [id]: st }))}
                  selections={selections}
                  onSelect={(sel) => setSelections((cur) => toggleSelection(cur, sel))}
                  slicerSource={{
                    scope: `shared:${token}`,
                    revision: d.revision,
                    values: (slicerId, body) =>
                      call(endpoints.sharedSlicerValues, { params: { token, slicerId }, body }),
                  }}
                />
                <Text size="xs" c="dimmed">
                  Shared from{" "}
                  <Anchor href="/" size="xs">
                    Modelworks
                  </Anchor>
                  . This dashboard shows its organization's current data; nothing here can be changed.
                </Text>
              </Stack>
            );
          })()
        )}
      </main>
    </Container>
  );
}
