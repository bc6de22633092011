import {
  Anchor,
  Badge,
  Code,
  Container,
  Group,
  Paper,
  SegmentedControl,
  Stack,
  Tabs,
  Text,
  Title,
} from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { API, call } from "../api.ts";
import * as endpoints from "../client/endpoints.ts";
import { queryKeys } from "../client/query-keys.ts";
import { ExportMenu } from "../components/export-menu.tsx";
import { OutcomeBadge, RunResults } from "../components/run-results.tsx";
import { ErrorState, Loading } from "../components/states.tsx";
import { formatDateTime, setNumberStyle } from "../format.ts";
import type { Model, Run, SharedResult } from "../types.ts";
import { ComparisonBody } from "./compare.tsx";

const noRunChange = async () => {};

/**
 * What a share link's recipient sees, without an account: the model, the shared run's (or
 * comparison's) results with the same KPI cards, charts and tables as the run page, read-only,
 * and its downloads. Data comes only from the public GET /shared/{token}.
 */
export function SharedPage({ token }: { token: string }) {
  const shared = useQuery({
    queryKey: queryKeys.shared(token),
    queryFn: () => call(endpoints.shared, { params: { token } }),
    // A revoked or expired link answers 410: asking again will not change that.
    retry: false,
    refetchOnWindowFocus: false,
    staleTime: 5 * 60_000,
  });
  const [runIndex, setRunIndex] = useState("0");
  useKeepTokenPrivate();

  return (
    <Container size="xl" py="md">
      <Group justify="space-between" mb="md">
        <Text fw={700} size="lg" component="span">
          Modelworks
        </Text>
        <Badge variant="outline">Shared results · read-only</Badge>
      </Group>
      <main>
        {shared.isPending ? (
          <Loading label="Loading the shared results…" />
        ) : shared.error ? (
          <ErrorState title="This link does not open" error={shared.error} />
        ) : (
          <SharedResults
            data={shared.data}
            token={token}
            runIndex={Number(runIndex)}
            setRunIndex={setRunIndex}
          />
        )}
      </main>
    </Container>
  );
}

/**
 * The token is the page's address: keep it out of search indexes and out of the Referer header
 * of anything the page links to, while the page is open.
 */
export function useKeepTokenPrivate() {
  useEffect(() => {
    const metas = [
      ["robots", "noindex, nofollow"],
      ["referrer", "no-referrer"],
    ].map(([name, content]) => {
      const m = document.createElement("meta");
      m.name = name!;
      m.content = content!;
      document.head.append(m);
      return m;
    });
    return () => {
      for (const m of metas) m.remove();
    };
  }, []);
}

function SharedResults({
  data,
  token,
  runIndex,
  setRunIndex,
}: {
  data: SharedResult;
  token: string;
  runIndex: number;
  setRunIndex: (v: string) => void;
}) {
  const run = data.runs[runIndex] ?? data.runs[0];
  if (!run) return <ErrorState error={new Error("This link shares no run.")} />;
  // The results components and views read only what a shared link carries (descriptors, input, output).
  const model = data.model as unknown as Model;
  // No session here: the link carries the sharing org's way of writing negatives (issue 18 item 8).
  setNumberStyle(data.numberStyle);
  const output = run.output as Record<string, unknown> | null;
  const labels = data.runs.map(
    (r, i) => `${i === 0 ? "Baseline" : `Run ${i + 1}`} · ${formatDateTime(r.finishedAt ?? r.createdAt)}`,
  );
  const columnCurrency = data.model.tables
    .flatMap((t) => t.columns.map((c) => c.unit ?? ""))
    .map((u) => /^(AED|USD)\b/.exec(u)?.[1])
    .find(Boolean);
  const currency =
    output && typeof output.currency === "string" ? output.currency : (columnCurrency ?? "USD");

  return (
    <Stack>
      <Group justify="space-between" align="flex-end">
        <div>
          <Title order={1} size="h2">
            {data.model.title}
          </Title>
          {data.link.label ? <Text>{data.link.label}</Text> : null}
          <Group gap="xs">
            <Badge variant="light">v{run.modelVersion}</Badge>
            {output ? <OutcomeBadge model={model} output={output} /> : null}
            <Text size="xs" c="dimmed">
              run finished {formatDateTime(run.finishedAt ?? run.createdAt)} · link expires{" "}
              {formatDateTime(data.link.expiresAt)}
            </Text>
          </Group>
        </div>
        <ExportMenu
          exportPath={`${API}/shared/${encodeURIComponent(token)}/export`}
          documents={data.model.documents}
          query={data.runs.length > 1 ? { runId: run.id } : {}}
        />
      </Group>
      <Text size="sm" c="dimmed">
        {data.model.summary}
      </Text>
      {data.runs.length > 1 ? (
        <Paper withBorder p="sm">
          <Text size="sm" mb={4} id="shared-run-label">
            This link shares a comparison of {data.runs.length} runs; results and downloads of:
          </Text>
          <SegmentedControl
            aria-labelledby="shared-run-label"
            value={String(runIndex)}
            onChange={setRunIndex}
            data={labels.map((label, i) => ({ value: String(i), label }))}
          />
        </Paper>
      ) : null}
      {output ? (
        <Tabs defaultValue={data.comparison ? "comparison" : "results"} keepMounted={false}>
          <Tabs.List>
            {data.comparison ? <Tabs.Tab value="comparison">Comparison</Tabs.Tab> : null}
            <Tabs.Tab value="results">Results</Tabs.Tab>
            <Tabs.Tab value="input">Input</Tabs.Tab>
          </Tabs.List>
          {data.comparison ? (
            <Tabs.Panel value="comparison" pt="md">
              <Stack>
                <ComparisonBody c={data.comparison} model={model} runs={data.runs} labels={labels} />
              </Stack>
            </Tabs.Panel>
          ) : null}
          <Tabs.Panel value="results" pt="md">
            <RunResults
              key={run.id}
              run={run as unknown as Run}
              model={model}
              output={output}
              currency={currency}
              canRun={false}
              onRunChange={noRunChange}
            />
          </Tabs.Panel>
          <Tabs.Panel value="input" pt="md">
            <Code block mah={600} style={{ overflow: "auto" }}>
              {JSON.stringify(run.input, null, 2)}
            </Code>
          </Tabs.Panel>
        </Tabs>
      ) : (
        <Text>This run has no results to show.</Text>
      )}
      <Text size="xs" c="dimmed">
        Shared from{" "}
        <Anchor href="/" size="xs">
          Modelworks
        </Anchor>
        . You can view and download these results; nothing here can be changed.
      </Text>
    </Stack>
  );
}
