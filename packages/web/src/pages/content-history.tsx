import { Anchor, Badge, Button, Group, Paper, SimpleGrid, Stack, Table, Text, Title } from "@mantine/core";
import { CONTENT_PHASES } from "@modelworks/contracts/content";
import { useInfiniteQuery, useQuery } from "@tanstack/react-query";
import { useMemo, useState } from "react";
import { Link } from "wouter";
import { call } from "../api.ts";
import * as endpoints from "../client/endpoints.ts";
import { queryKeys } from "../client/query-keys.ts";
import { EChart } from "../components/chart.tsx";
import { CheckBadge } from "../components/linkedin.tsx";
import { Empty, ErrorState, Loading } from "../components/states.tsx";
import { formatDate, formatDateTime, formatValue } from "../format.ts";
import { variantLabel } from "../lib/content.ts";
import {
  accuracySummary,
  type ContentAnalytics,
  learningOption,
  phaseComparisonOption,
  predictedVsActualOption,
} from "../lib/content-analytics.ts";
import { useOrg } from "../session.ts";

const PAGE = 20;
/** Publications fetched per page of the list. */
const PUBLICATIONS_PAGE = 20;
const pct = (v: number | null | undefined, d = 1) => formatValue(v, "fraction", d);

/**
 * "History" (issue 17 item 6): the writer's past questions — topic, date, the four variants'
 * predictions, which were published and how they did — and the prototype's three analytics
 * views (phase comparison, learning analytics, predicted vs actual), all from the server.
 */
export function ContentHistoryPage() {
  return (
    <Stack>
      <Title order={1} size="h2">
        History
      </Title>
      <Text size="sm" c="dimmed">
        Your past questions, what you published from them and how it did; then how the phases, the learning
        and the predictions have fared across your runs.
      </Text>
      <RunHistory />
      <Publications />
      <Analytics />
    </Stack>
  );
}

function RunHistory() {
  const { session } = useOrg();
  const [offset, setOffset] = useState(0);
  const runs = useQuery({
    queryKey: queryKeys.contentRuns(session?.activeOrgId, offset),
    queryFn: () => call(endpoints.contentRuns, { query: { limit: PAGE, offset } }),
  });
  if (runs.isPending) return <Loading />;
  if (runs.error) return <ErrorState error={runs.error} onRetry={() => runs.refetch()} />;
  const { items, total } = runs.data;
  if (!total)
    return (
      <Empty title="No questions yet">
        <Anchor component={Link} href="/content/ask">
          Ask about a topic
        </Anchor>{" "}
        to get drafts; they are listed here.
      </Empty>
    );
  return (
    <Paper withBorder p="md">
      <Table.ScrollContainer minWidth={720}>
        <Table aria-label="Past questions" verticalSpacing="xs">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Asked</Table.Th>
              <Table.Th>Topic</Table.Th>
              <Table.Th>Variants (predicted)</Table.Th>
              <Table.Th>Published and results</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {items.map((r) => (
              <Table.Tr key={r.id}>
                <Table.Td style={{ whiteSpace: "nowrap" }}>{formatDateTime(r.createdAt)}</Table.Td>
                <Table.Td>
                  <Anchor component={Link} href={`/runs/${r.id}`}>
                    {r.topic || "(no topic)"}
                  </Anchor>
                  {r.status !== "succeeded" ? (
                    <Badge ml="xs" variant="light" color={r.status === "failed" ? "red" : "gray"}>
                      {r.status}
                    </Badge>
                  ) : null}
                </Table.Td>
                <Table.Td>
                  <Group gap={4}>
                    {r.variants.map((v) => (
                      <Badge
                        key={v.kind}
                        variant={v.kind === r.recommendedVariant ? "filled" : "light"}
                        title={v.kind === r.recommendedVariant ? "recommended" : undefined}
                      >
                        {variantLabel(v.kind)} {pct(v.enhanced, 0)}
                      </Badge>
                    ))}
                  </Group>
                </Table.Td>
                <Table.Td>
                  {r.published.length === 0 ? (
                    <Text size="sm" c="dimmed">
                      not published
                    </Text>
                  ) : (
                    <Stack gap={2}>
                      {r.published.map((p) => (
                        <Text size="sm" key={p.postId}>
                          {variantLabel(p.variantKind)} on {formatDate(p.publishedAt)}:{" "}
                          {p.feedback
                            ? `${formatValue(p.feedback.impressions, undefined, 0)} impressions, ${pct(p.feedback.engagementRate, 2)} engagement`
                            : "no results recorded yet"}
                        </Text>
                      ))}
                    </Stack>
                  )}
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      <Group justify="space-between" mt="xs">
        <Text size="sm" c="dimmed">
          {offset + 1}–{offset + items.length} of {total}
        </Text>
        <Group gap="xs">
          <Button
            variant="default"
            size="xs"
            disabled={offset === 0}
            onClick={() => setOffset(Math.max(0, offset - PAGE))}
          >
            Newer
          </Button>
          <Button
            variant="default"
            size="xs"
            disabled={offset + PAGE >= total}
            onClick={() => setOffset(offset + PAGE)}
          >
            Older
          </Button>
        </Group>
      </Group>
    </Paper>
  );
}

const STATUS_COLOR = {
  scheduled: "blue",
  publishing: "yellow",
  published: "green",
  failed: "red",
  cancelled: "gray",
} as const;

/**
 * The writer's LinkedIn publications (newest first) with the check each text went out under —
 * checked clean, the flags the writer accepted, or not checked (no run to check against) — so a
 * post published over its flags stays visible as such.
 */
function Publications() {
  const { session } = useOrg();
  // A page at a time on the server's cursor; "Show more" appends the next page.
  const list = useInfiniteQuery({
    queryKey: queryKeys.linkedinPublications(session?.activeOrgId),
    queryFn: ({ pageParam }) =>
      call(endpoints.linkedinPublications, {
        query: { limit: PUBLICATIONS_PAGE, ...(pageParam ? { cursor: pageParam } : {}) },
      }),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.nextCursor,
  });
  if (list.isPending) return <Loading />;
  if (list.error) return <ErrorState error={list.error} onRetry={() => list.refetch()} />;
  const items = list.data.pages.flatMap((p) => p.items);
  return (
    <Paper withBorder p="md">
      <Title order={2} size="h4">
        LinkedIn publications
      </Title>
      {items.length === 0 ? (
        <Text size="sm" c="dimmed">
          Nothing published or scheduled through LinkedIn yet.
        </Text>
      ) : (
        <Table.ScrollContainer minWidth={720}>
          <Table aria-label="LinkedIn publications" verticalSpacing={4} fz="sm">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Status</Table.Th>
                <Table.Th>When</Table.Th>
                <Table.Th>Draft</Table.Th>
                <Table.Th>Post URN</Table.Th>
                <Table.Th>Check</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {items.map((p) => (
                <Table.Tr key={p.id} data-testid="publication">
                  <Table.Td>
                    <Badge color={STATUS_COLOR[p.status]} variant="light" size="sm">
                      {p.status}
                    </Badge>
                    {p.error ? (
                      <Text size="xs" c="red.9">
                        {p.error}
                      </Text>
                    ) : null}
                  </Table.Td>
                  <Table.Td style={{ whiteSpace: "nowrap" }}>
                    {p.publishedAt
                      ? formatDateTime(p.publishedAt)
                      : p.scheduledAt
                        ? `for ${formatDateTime(p.scheduledAt)}`
                        : formatDateTime(p.createdAt)}
                  </Table.Td>
                  <Table.Td>
                    {p.runId ? (
                      <Anchor component={Link} href={`/runs/${p.runId}`}>
                        {variantLabel(p.variantKind)}
                      </Anchor>
                    ) : (
                      variantLabel(p.variantKind)
                    )}
                  </Table.Td>
                  <Table.Td>
                    <Text size="xs" ff="monospace">
                      {p.urn ?? "—"}
                    </Text>
                  </Table.Td>
                  <Table.Td>
                    <CheckBadge flags={p.flags} />
                    {p.flags?.map((f) => (
                      <Text key={`${f.kind}:${f.start ?? ""}:${f.message}`} size="xs" c="red.9">
                        ⚠ {f.message}
                      </Text>
                    ))}
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
      {list.hasNextPage ? (
        <Group justify="center" mt="sm">
          <Button
            variant="default"
            size="xs"
            loading={list.isFetchingNextPage}
            onClick={() => list.fetchNextPage()}
          >
            Show more publications
          </Button>
        </Group>
      ) : null}
    </Paper>
  );
}

function Analytics() {
  const { session } = useOrg();
  const analytics = useQuery({
    queryKey: queryKeys.contentAnalytics(session?.activeOrgId),
    queryFn: () => call(endpoints.contentAnalytics, { query: { runs: 30 } }),
  });
  if (analytics.isPending) return <Loading />;
  if (analytics.error) return <ErrorState error={analytics.error} onRetry={() => analytics.refetch()} />;
  return <AnalyticsViews a={analytics.data} />;
}

function AnalyticsViews({ a }: { a: ContentAnalytics }) {
  const phase = useMemo(() => phaseComparisonOption(a), [a]);
  const learning = useMemo(() => learningOption(a), [a]);
  const pva = useMemo(() => predictedVsActualOption(a), [a]);
  const avg = a.phaseComparison.averages;
  return (
    <Stack>
      <Paper withBorder p="md">
        <Title order={2} size="h4">
          Phase comparison
        </Title>
        {a.phaseComparison.runs.length < 2 ? (
          <Text size="sm" c="dimmed">
            Needs at least two finished runs.
          </Text>
        ) : (
          <>
            {avg ? (
              <SimpleGrid cols={{ base: 2, sm: 5 }} my="xs">
                <Stat label="Average clarity" value={pct(avg.queryClarity)} />
                <Stat label="Average source quality" value={pct(avg.sourceQuality)} />
                <Stat label="Average sources used" value={formatValue(avg.sourcesUsed, undefined, 1)} />
                <Stat label="Average engagement potential" value={pct(avg.engagementPotential)} />
                <Stat
                  label="Average run time"
                  value={avg.durationMs === null ? "—" : `${formatValue(avg.durationMs, undefined, 0)} ms`}
                />
              </SimpleGrid>
            ) : null}
            <EChart option={phase} label="Phase results by run" />
            {avg?.phaseMs.some((ms) => ms !== null) ? (
              <SimpleGrid cols={{ base: 2, sm: 5 }} my="xs" aria-label="Average time per phase">
                {CONTENT_PHASES.map((title, i) => (
                  <Stat
                    key={title}
                    label={`${i + 1}. ${title}`}
                    value={avg.phaseMs[i] == null ? "—" : `${formatValue(avg.phaseMs[i], undefined, 1)} ms`}
                  />
                ))}
              </SimpleGrid>
            ) : null}
          </>
        )}
      </Paper>
      <Paper withBorder p="md">
        <Title order={2} size="h4">
          Learning analytics
        </Title>
        {a.learning.patterns.length === 0 ? (
          <Text size="sm" c="dimmed">
            No pattern learnt yet: patterns need at least two high-performing published posts with recorded
            results.
          </Text>
        ) : (
          <>
            <EChart option={learning} label="Pattern confidence and learning boost by run" />
            <Table aria-label="Learnt patterns" verticalSpacing={4}>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Pattern</Table.Th>
                  <Table.Th ta="right">Confidence</Table.Th>
                  <Table.Th ta="right">High performers / posts</Table.Th>
                  <Table.Th ta="right">Times applied</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {a.learning.patterns.map((p) => (
                  <Table.Tr key={p.id}>
                    <Table.Td>{p.id}</Table.Td>
                    <Table.Td ta="right">{pct(p.confidence)}</Table.Td>
                    <Table.Td ta="right">
                      {p.highCount} / {p.support}
                    </Table.Td>
                    <Table.Td ta="right">{p.usageCount}</Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </>
        )}
      </Paper>
      <Paper withBorder p="md">
        <Title order={2} size="h4">
          Predicted vs actual
        </Title>
        <Text size="sm" my="xs" data-testid="prediction-accuracy">
          {accuracySummary(a)}
        </Text>
        {a.predictedVsActual.posts.length ? (
          <EChart
            option={pva}
            label="Predicted engagement against the actual percentile, per published post"
          />
        ) : null}
      </Paper>
    </Stack>
  );
}

function Stat({ label, value }: { label: string; value: string }) {
  return (
    <div>
      <Text size="xs" c="dimmed">
        {label}
      </Text>
      <Text fw={600}>{value}</Text>
    </div>
  );
}
