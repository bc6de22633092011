import {
  Alert,
  Anchor,
  Badge,
  Button,
  Card,
  Code,
  Group,
  Progress,
  Stack,
  Tabs,
  Text,
  Title,
} from "@mantine/core";
import { contentPhaseOf } from "@modelworks/contracts/content";
import { isFinishedRunStatus } from "@modelworks/contracts/run-status";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { Link, useLocation } from "wouter";
import { API, call, errorMessage } from "../api.ts";
import * as endpoints from "../client/endpoints.ts";
import { queryKeys } from "../client/query-keys.ts";
import { ContentPhaseSteps, ContentRunPanel } from "../components/content-run.tsx";
import { FormErrorAlert } from "../components/form-error-alert.tsx";
import { SaveAsModel, ScoringResult } from "../components/model-artifact-actions.tsx";
import { PhaseTimings } from "../components/phase-timings.tsx";
import { RunDownloadsAndSharing } from "../components/run-actions.tsx";
import { StatusBadge } from "../components/run-list.tsx";
import { OutcomeBadge, RunResults } from "../components/run-results.tsx";
import { ErrorState, Loading } from "../components/states.tsx";
import { formatDateTime } from "../format.ts";
import { contentOutput } from "../lib/content.ts";
import { canSaveAsModel, SCORING_MODEL_ID, scoringOutputOf } from "../lib/model-artifacts.ts";
import { runRefetchMs } from "../lib/run-follow.ts";
import { useModel } from "../queries.ts";
import { useOrg } from "../session.ts";
import type { Run } from "../types.ts";

/**
 * Follows an unfinished run over the server's event stream (SSE), then fetches the finished record.
 * Returns the text a language model has streamed so far (`event: text` deltas, issue 14), so a
 * draft can be read while it is written; `onOpen` says whether the stream is up (the page polls
 * less while it is).
 */
function useRunEvents(id: string, active: boolean, onOpen: (open: boolean) => void): string {
  const qc = useQueryClient();
  const [streamed, setStreamed] = useState("");
  const { session } = useOrg();
  const orgId = session?.activeOrgId;
  useEffect(() => {
    if (!active) return;
    const key = queryKeys.run(orgId, id);
    const es = new EventSource(`${API}/runs/${id}/events`, { withCredentials: true });
    es.onopen = () => onOpen(true);
    const patch = (e: MessageEvent) => {
      const data = JSON.parse(e.data) as Partial<Run> & { message?: string | null };
      qc.setQueryData<Run>(key, (r) =>
        r
          ? {
              ...r,
              status: data.status ?? r.status,
              progress: data.progress ?? r.progress,
              progressMessage: data.message ?? r.progressMessage,
            }
          : r,
      );
    };
    es.addEventListener("progress", patch);
    es.addEventListener("text", (e) => {
      const delta = (JSON.parse((e as MessageEvent).data) as { text?: string }).text;
      if (delta) setStreamed((s) => s + delta);
    });
    es.addEventListener("status", (e) => {
      patch(e as MessageEvent);
      es.close();
      onOpen(false);
      void qc.invalidateQueries({ queryKey: key });
      void qc.invalidateQueries({ queryKey: queryKeys.runs.all });
    });
    // The stream ends after the final status; an error before that falls back to polling.
    es.onerror = () => {
      es.close();
      onOpen(false);
      void qc.invalidateQueries({ queryKey: key });
    };
    return () => {
      es.close();
      onOpen(false);
    };
  }, [id, active, orgId, qc, onOpen]);
  return streamed;
}

export function RunPage({ id }: { id: string }) {
  const { session, can } = useOrg();
  const qc = useQueryClient();
  const [, navigate] = useLocation();
  const [streamOpen, setStreamOpen] = useState(false);
  const run = useQuery({
    queryKey: queryKeys.run(session?.activeOrgId, id),
    queryFn: () => call(endpoints.run, { params: { id } }),
    // A safety net beside the event stream, and the way to follow the run when the stream is down.
    refetchInterval: (q) => runRefetchMs(q.state.data?.status, streamOpen),
  });
  const active = !!run.data && !isFinishedRunStatus(run.data.status);
  const streamed = useRunEvents(id, active, setStreamOpen);
  // Scoring runs are the platform's own work, not a catalog model: nothing to describe them.
  const model = useModel(
    run.data?.modelId === SCORING_MODEL_ID ? undefined : run.data?.modelId,
    run.data?.modelVersion,
  );
  const [actionError, setActionError] = useState<string | null>(null);
  const [canceling, setCanceling] = useState(false);

  if (run.isPending) return <Loading label="Loading the run…" />;
  if (run.error) return <ErrorState error={run.error} onRetry={() => run.refetch()} />;
  const r = run.data;

  const cancel = async () => {
    setCanceling(true);
    setActionError(null);
    try {
      await call(endpoints.cancelRun, { params: { id } });
      await qc.invalidateQueries({ queryKey: queryKeys.run.all });
    } catch (err) {
      setActionError(errorMessage(err));
    } finally {
      setCanceling(false);
    }
  };
  const runChange = async (input: unknown) => {
    setActionError(null);
    try {
      const next = await call(endpoints.createRun, {
        params: { id: r.modelId },
        body: { input, version: r.modelVersion, ...(r.projectId ? { projectId: r.projectId } : {}) },
      });
      await qc.invalidateQueries({ queryKey: queryKeys.runs.all });
      navigate(`/runs/${next.id}`);
    } catch (err) {
      setActionError(errorMessage(err));
    }
  };
  const output = r.output as Record<string, unknown> | null;
  const scoring = r.status === "succeeded" ? scoringOutputOf(r) : null;
  // The output's own currency, else the one its table columns are in (Deal Picker: AED).
  const columnCurrency = model.data?.tables
    .flatMap((t) => t.columns.map((c) => c.unit ?? ""))
    .map((u) => /^(AED|USD)\b/.exec(u)?.[1])
    .find(Boolean);
  const currency =
    output && typeof output.currency === "string" ? output.currency : (columnCurrency ?? "USD");
  // Content-intel's drafts read as text, side by side, above its declared tables (issue 17).
  const drafts = r.modelId === "content-intel" && r.status === "succeeded" ? contentOutput(output) : null;

  return (
    <Stack>
      <div>
        {r.scenarioId ? (
          <Anchor component={Link} href={`/scenarios/${r.scenarioId}`} size="sm">
            ← Scenario
          </Anchor>
        ) : (
          <Anchor component={Link} href="/runs" size="sm">
            ← Runs
          </Anchor>
        )}
        <Group justify="space-between" align="flex-end">
          <div>
            <Title order={1} size="h2">
              {r.modelId === SCORING_MODEL_ID ? "Scoring run" : (model.data?.title ?? r.modelId)} — run
            </Title>
            <Group gap="xs">
              <StatusBadge status={r.status} />
              {r.status === "succeeded" && output && model.data ? (
                <OutcomeBadge model={model.data} output={output} />
              ) : null}
              <Badge variant="light">v{r.modelVersion}</Badge>
              {r.scenarioRevision ? (
                <Badge variant="outline">scenario revision {r.scenarioRevision}</Badge>
              ) : null}
              {r.cacheHit ? <Badge variant="outline">answered from cache</Badge> : null}
              <Text size="xs" c="dimmed">
                started {formatDateTime(r.createdAt)}
                {r.durationMs !== null ? ` · ${(r.durationMs / 1000).toFixed(2)} s` : ""}
              </Text>
            </Group>
          </div>
          <Group align="flex-start">
            {model.data ? (
              <RunDownloadsAndSharing run={r} model={model.data} canShare={can("runs:execute")} />
            ) : null}
            {active && can("runs:execute") ? (
              <Button
                color="red"
                variant="light"
                onClick={cancel}
                loading={canceling}
                disabled={!!r.cancelRequestedAt}
              >
                {r.cancelRequestedAt ? "Cancel requested" : "Cancel run"}
              </Button>
            ) : null}
          </Group>
        </Group>
      </div>
      <FormErrorAlert error={actionError} />
      {active ? (
        <Card withBorder aria-live="polite" data-testid="run-progress">
          <Text size="sm" mb={6}>
            {r.status === "queued" ? "Waiting for a worker…" : (r.progressMessage ?? "Running…")}
          </Text>
          <Progress value={Math.round(r.progress * 100)} animated aria-label="Run progress" />
          {contentPhaseOf(r.progressMessage) !== null ? (
            <ContentPhaseSteps current={contentPhaseOf(r.progressMessage)!} />
          ) : null}
          <Text size="xs" c="dimmed" mt={4}>
            {Math.round(r.progress * 100)}%
          </Text>
          {streamed ? (
            <Text size="sm" mt="sm" style={{ whiteSpace: "pre-wrap" }} data-testid="run-stream">
              {streamed}
            </Text>
          ) : null}
        </Card>
      ) : null}
      {r.status === "failed" && r.error ? (
        <FormErrorAlert title="The run failed" error={r.error.message} problems={r.error.issues ?? []} />
      ) : null}
      {r.status === "canceled" ? (
        <Alert color="orange">This run was canceled before it finished.</Alert>
      ) : null}
      {drafts ? <ContentRunPanel runId={r.id} output={drafts} /> : null}
      {r.phaseTimings?.length ? <PhaseTimings timings={r.phaseTimings} /> : null}
      {scoring ? <ScoringResult output={scoring} /> : null}
      {canSaveAsModel(r) && can("runs:execute") ? <SaveAsModel runId={r.id} /> : null}
      {r.status === "succeeded" && output && model.data ? (
        <Tabs defaultValue="results" keepMounted={false}>
          <Tabs.List>
            <Tabs.Tab value="results">Results</Tabs.Tab>
            <Tabs.Tab value="input">Input</Tabs.Tab>
          </Tabs.List>
          <Tabs.Panel value="results" pt="md">
            <RunResults
              run={r}
              model={model.data}
              output={output}
              currency={currency}
              canRun={can("runs:execute")}
              onRunChange={runChange}
            />
          </Tabs.Panel>
          <Tabs.Panel value="input" pt="md">
            <Code block mah={600} style={{ overflow: "auto" }}>
              {JSON.stringify(r.input, null, 2)}
            </Code>
          </Tabs.Panel>
        </Tabs>
      ) : null}
    </Stack>
  );
}
