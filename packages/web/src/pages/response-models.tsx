import {
  Alert,
  Anchor,
  Badge,
  Button,
  Checkbox,
  Code,
  Group,
  NativeSelect,
  Paper,
  SimpleGrid,
  Stack,
  Table,
  Text,
  Textarea,
  TextInput,
  Title,
} from "@mantine/core";
import { SQL_DIALECT_NAMES } from "@modelworks/contracts/model-artifacts";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useId, useState } from "react";
import { Link, useLocation } from "wouter";
import { API, ApiError, call, errorMessage } from "../api.ts";
import * as endpoints from "../client/endpoints.ts";
import { queryKeys } from "../client/query-keys.ts";
import { ExportMenu } from "../components/export-menu.tsx";
import { FormErrorAlert } from "../components/form-error-alert.tsx";
import { Empty, ErrorState, Loading } from "../components/states.tsx";
import { StoredFilePicker } from "../components/stored-file-picker.tsx";
import { formatDateTime } from "../format.ts";
import { downloadFile } from "../lib/download.ts";
import {
  approvalBody,
  artifactActions,
  artifactSqlPath,
  formatAuc,
  formatLift,
  type ModelArtifact,
  overrideReasonProblem,
  SQL_TABLE_PATTERN,
} from "../lib/model-artifacts.ts";
import { type UploadProgress, uploadResumable } from "../lib/resumable-upload.ts";
import { browserTransport } from "../lib/upload-transport.ts";
import { useModel } from "../queries.ts";
import { useOrg } from "../session.ts";

/*
 * Fitted response models as the organization's artifacts (issue 15, docs/decisions/0037): the
 * list, and one model's page — its metrics, approval under the deployment gate, retirement, the
 * JSON and SQL exports, and scoring a stored file with it (a run whose page shows the scored file).
 */

const formatPercent = (share: number) => `${(share * 100).toFixed(1)}%`;

const STATE_COLOR: Record<ModelArtifact["state"], string> = {
  draft: "yellow",
  approved: "green",
  retired: "gray",
};

export function ArtifactStateBadge({ state }: { state: ModelArtifact["state"] }) {
  return (
    <Badge variant="light" color={STATE_COLOR[state]}>
      {state}
    </Badge>
  );
}

/**
 * Filled in the darkest shades: white on red.9 / teal.9 is ≥ 5:1 on any row background in both
 * themes; the outline's red.8 text on a table's hovered or striped row measured 4.28:1 (axe).
 */
export function GateBadge({ pass }: { pass: boolean }) {
  return (
    <Badge variant="filled" color={pass ? "teal.9" : "red.9"}>
      gate {pass ? "passed" : "failed"}
    </Badge>
  );
}

const STATES = [
  { value: "", label: "All" },
  { value: "draft", label: "Draft" },
  { value: "approved", label: "Approved" },
  { value: "retired", label: "Retired" },
];

export function ResponseModelsPage() {
  const { session } = useOrg();
  const [state, setState] = useState("");
  const list = useQuery({
    queryKey: queryKeys.modelArtifacts(session?.activeOrgId, state),
    queryFn: () =>
      call(endpoints.modelArtifacts, {
        query: { limit: 100, sort: "-createdAt", state: (state || undefined) as "draft" | undefined },
      }),
  });
  return (
    <Stack>
      <Group justify="space-between" align="end">
        <div>
          <Title order={1} size="h2">
            Response models
          </Title>
          <Text size="sm" c="dimmed">
            Fitted response models saved from their runs ("Save as model" on a response-model run). An admin
            approves a model before it scores files; retired models stay for the record.
          </Text>
        </div>
        <NativeSelect
          label="Show"
          w={160}
          data={STATES}
          value={state}
          onChange={(e) => setState(e.currentTarget.value)}
        />
      </Group>
      {list.isPending ? (
        <Loading />
      ) : list.error ? (
        <ErrorState error={list.error} onRetry={() => list.refetch()} />
      ) : list.data.items.length === 0 ? (
        <Empty title="No response models yet">
          Run the response model (Model catalog → Response model), then "Save as model" on its run page.
        </Empty>
      ) : (
        <Table striped data-testid="model-artifacts">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Name</Table.Th>
              <Table.Th ta="right">Version</Table.Th>
              <Table.Th>State</Table.Th>
              <Table.Th ta="right">Holdout AUC</Table.Th>
              <Table.Th ta="right">Top-decile lift</Table.Th>
              <Table.Th>Gate</Table.Th>
              <Table.Th>Created</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {list.data.items.map((a) => (
              <Table.Tr key={a.id}>
                <Table.Td>
                  <Anchor component={Link} href={`/response-models/${a.id}`}>
                    {a.name}
                  </Anchor>
                </Table.Td>
                <Table.Td ta="right">v{a.version}</Table.Td>
                <Table.Td>
                  <ArtifactStateBadge state={a.state} />
                </Table.Td>
                <Table.Td ta="right">{formatAuc(a.metrics.holdoutAuc)}</Table.Td>
                <Table.Td ta="right">{formatLift(a.metrics.holdoutTopDecileLift)}</Table.Td>
                <Table.Td>
                  <GateBadge pass={a.metrics.gatePass} />
                </Table.Td>
                <Table.Td>{formatDateTime(a.createdAt)}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
    </Stack>
  );
}

export function ResponseModelPage({ id }: { id: string }) {
  const { session, can } = useOrg();
  const qc = useQueryClient();
  const orgId = session?.activeOrgId;
  const artifact = useQuery({
    queryKey: queryKeys.modelArtifact(orgId, id),
    queryFn: () => call(endpoints.modelArtifact, { params: { id } }),
  });
  const [error, setError] = useState<string | null>(null);
  if (artifact.isPending) return <Loading label="Loading the model…" />;
  if (artifact.error) return <ErrorState error={artifact.error} onRetry={() => artifact.refetch()} />;
  const a = artifact.data;
  const actions = artifactActions(a.state, can("models:approve"));
  const changed = async (next: ModelArtifact) => {
    qc.setQueryData(queryKeys.modelArtifact(orgId, id), next);
    await qc.invalidateQueries({ queryKey: queryKeys.modelArtifacts.all });
  };
  const retire = async () => {
    if (!window.confirm(`Retire ${a.name} v${a.version}? It will no longer score files.`)) return;
    setError(null);
    try {
      await changed(await call(endpoints.retireModelArtifact, { params: { id } }));
    } catch (err) {
      setError(errorMessage(err));
    }
  };
  const m = a.metrics;
  return (
    <Stack>
      <div>
        <Anchor component={Link} href="/response-models" size="sm">
          ← Response models
        </Anchor>
        <Title order={1} size="h2">
          {a.name} v{a.version}
        </Title>
        <Group gap="xs">
          <ArtifactStateBadge state={a.state} />
          <GateBadge pass={m.gatePass} />
          <Text size="xs" c="dimmed">
            created {formatDateTime(a.createdAt)}
            {a.approvedAt ? ` · approved ${formatDateTime(a.approvedAt)}` : ""}
            {a.retiredAt ? ` · retired ${formatDateTime(a.retiredAt)}` : ""}
          </Text>
        </Group>
      </div>
      <FormErrorAlert error={error} title="Not done" />
      <SimpleGrid cols={{ base: 2, sm: 4 }} data-testid="artifact-metrics">
        <Metric label="Holdout AUC" value={formatAuc(m.holdoutAuc)} />
        <Metric label="Top-decile lift" value={formatLift(m.holdoutTopDecileLift)} />
        <Metric label="Response rate" value={formatPercent(m.responseRate)} />
        <Metric label="Trained rows" value={a.trainedRows.toLocaleString("en-US")} />
      </SimpleGrid>
      <Text size="sm">
        Target <Code>{a.target}</Code>
        {a.idField ? (
          <>
            , ID field <Code>{a.idField}</Code>
          </>
        ) : null}
        . Fitted by{" "}
        <Anchor component={Link} href={`/runs/${a.sourceRunId}`}>
          its run
        </Anchor>{" "}
        ({a.modelId} {a.modelVersion}); data fingerprint <Code>{a.dataFingerprint}</Code>.
      </Text>
      {a.gateOverrideReason ? (
        <Alert color="orange" title="Approved although the deployment gate failed">
          {a.gateOverrideReason}
        </Alert>
      ) : null}
      {actions.approve ? <ApprovePanel artifact={a} onApproved={changed} /> : null}
      {actions.retire ? (
        <Group>
          <Button color="red" variant="light" onClick={() => void retire()}>
            Retire model
          </Button>
        </Group>
      ) : null}
      <ExportPanel artifact={a} />
      <ModelReportDownload artifact={a} />
      {actions.score ? <ScorePanel artifact={a} /> : null}
    </Stack>
  );
}

function Metric({ label, value }: { label: string; value: string }) {
  return (
    <Paper withBorder p="sm">
      <Text size="xs" c="dimmed">
        {label}
      </Text>
      <Text fw={700} size="lg">
        {value}
      </Text>
    </Paper>
  );
}

function ApprovePanel({
  artifact: a,
  onApproved,
}: {
  artifact: ModelArtifact;
  onApproved: (next: ModelArtifact) => Promise<void>;
}) {
  const [reason, setReason] = useState("");
  const [touched, setTouched] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const gatePass = a.metrics.gatePass;
  const problem = overrideReasonProblem(gatePass, reason);
  const approve = async () => {
    setTouched(true);
    if (problem) return;
    setBusy(true);
    setError(null);
    try {
      await onApproved(
        await call(endpoints.approveModelArtifact, {
          params: { id: a.id },
          body: approvalBody(gatePass, reason),
        }),
      );
    } catch (err) {
      const field =
        err instanceof ApiError ? err.fieldErrors.find((e) => /overrideReason/.test(e.path)) : null;
      setError(field ? field.message : errorMessage(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Paper withBorder p="md" component="section" aria-labelledby="approve-heading">
      <Title order={2} size="h3" id="approve-heading" mb="xs">
        Approve
      </Title>
      <Text size="sm" mb="sm">
        {gatePass
          ? "The deployment gate passed: once approved, the model scores files."
          : "The deployment gate failed (holdout AUC or top-decile lift below its bar). Approving anyway needs a reason; it is stored with the model and in the audit log."}
      </Text>
      <Stack gap="sm" maw={560}>
        {gatePass ? null : (
          <Textarea
            label="Override reason"
            required
            autosize
            minRows={2}
            value={reason}
            onChange={(e) => setReason(e.currentTarget.value)}
            error={touched ? problem : null}
          />
        )}
        <FormErrorAlert error={error} />
        <Group>
          <Button onClick={() => void approve()} loading={busy}>
            {gatePass ? "Approve model" : "Approve with override"}
          </Button>
        </Group>
      </Stack>
    </Paper>
  );
}

/**
 * The fit's model report (executive summary, charts, deciles, mailing plan) as Excel, PDF or
 * Word: the export of the run the artifact was fitted by, through the runs' export route.
 */
function ModelReportDownload({ artifact: a }: { artifact: ModelArtifact }) {
  const model = useModel(a.modelId, a.modelVersion);
  const documents = (model.data?.documents ?? []).filter((d) => d.name === "model-report");
  if (documents.length === 0) return null;
  return (
    <Paper withBorder p="md" component="section" aria-labelledby="model-report-heading">
      <Title order={2} size="h3" id="model-report-heading" mb="xs">
        Model report
      </Title>
      <Text size="sm" mb="sm">
        The executive summary, metrics and the gate, ROC, lift, gains and precision–recall charts, deciles,
        coefficients and the mailing plan of the fit behind this model.
      </Text>
      <ExportMenu exportPath={`${API}/runs/${a.sourceRunId}/export`} documents={documents} />
    </Paper>
  );
}

function ExportPanel({ artifact: a }: { artifact: ModelArtifact }) {
  const [dialect, setDialect] = useState<string>("postgresql");
  const [table, setTable] = useState("customers");
  const [sql, setSql] = useState<string | null>(null);
  const [note, setNote] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const tableError = SQL_TABLE_PATTERN.test(table.trim()) ? null : "A table name, optionally schema.table";
  const path = artifactSqlPath(API, a.id, dialect, table);
  const show = async () => {
    setError(null);
    setNote(null);
    try {
      const res = await fetch(path, { credentials: "same-origin" });
      if (!res.ok) throw new Error((await res.json().catch(() => null))?.detail ?? res.statusText);
      setSql(await res.text());
    } catch (err) {
      setError(errorMessage(err));
    }
  };
  const copy = async () => {
    if (!sql) return;
    try {
      await navigator.clipboard.writeText(sql);
      setNote("Copied.");
    } catch {
      setNote("The browser refused the clipboard: select the text and copy it.");
    }
  };
  const download = async (url: string, name: string) => {
    setError(null);
    try {
      await downloadFile(url, name);
    } catch (err) {
      setError(errorMessage(err));
    }
  };
  return (
    <Paper withBorder p="md" component="section" aria-labelledby="export-heading">
      <Title order={2} size="h3" id="export-heading" mb="xs">
        Export
      </Title>
      <Text size="sm" mb="sm">
        The JSON is what <Code>modelworks score</Code> reads; the SQL is one SELECT that scores the raw table
        in your own warehouse (ID, log_odds, probability, points).
      </Text>
      <Group align="end" mb="sm">
        <Button
          variant="default"
          onClick={() =>
            void download(`${API}/model-artifacts/${a.id}/download`, `${a.name}-v${a.version}.json`)
          }
        >
          Download JSON
        </Button>
        <NativeSelect
          label="SQL dialect"
          w={160}
          data={SQL_DIALECT_NAMES.map((d) => ({ value: d, label: d }))}
          value={dialect}
          onChange={(e) => {
            setDialect(e.currentTarget.value);
            setSql(null);
          }}
        />
        <TextInput
          label="Raw table"
          w={220}
          value={table}
          onChange={(e) => {
            setTable(e.currentTarget.value);
            setSql(null);
          }}
          error={tableError}
        />
        <Button variant="default" disabled={!!tableError} onClick={() => void show()}>
          Show SQL
        </Button>
        <Button
          variant="default"
          disabled={!!tableError}
          onClick={() => void download(path, `${a.name}-v${a.version}-${dialect}.sql`)}
        >
          Download SQL
        </Button>
      </Group>
      <FormErrorAlert error={error} mb="sm" />
      {sql ? (
        <Stack gap="xs">
          <Group>
            <Button size="compact-sm" variant="light" onClick={() => void copy()}>
              Copy SQL
            </Button>
            {note ? (
              <Text size="sm" role="status">
                {note}
              </Text>
            ) : null}
          </Group>
          <Code block mah={360} style={{ overflow: "auto" }} data-testid="artifact-sql">
            {sql}
          </Code>
        </Stack>
      ) : null}
    </Paper>
  );
}

/** Score a stored file (or one uploaded here) with the model: a run, followed on its own page. */
function ScorePanel({ artifact: a }: { artifact: ModelArtifact }) {
  const qc = useQueryClient();
  const [, navigate] = useLocation();
  const inputId = useId();
  const [fileId, setFileId] = useState("");
  const [mappingId, setMappingId] = useState("");
  const [trial, setTrial] = useState(false);
  const [upload, setUpload] = useState<File | null>(null);
  // A new key empties the file input once its file is stored.
  const [uploads, setUploads] = useState(0);
  const [progress, setProgress] = useState<UploadProgress | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const draft = a.state === "draft";

  const uploadFile = async () => {
    if (!upload) return;
    setBusy(true);
    setError(null);
    try {
      const stored = await uploadResumable(upload, { onProgress: setProgress }, browserTransport);
      await qc.invalidateQueries({ queryKey: queryKeys.files.all });
      setFileId(stored.id);
      setUpload(null);
      setUploads((n) => n + 1);
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
      setProgress(null);
    }
  };
  const score = async () => {
    setBusy(true);
    setError(null);
    try {
      const run = await call(endpoints.createScoringRun, {
        params: { id: a.id },
        body: { fileId, ...(mappingId ? { mappingId } : {}), ...(draft ? { allowDraft: trial } : {}) },
      });
      await qc.invalidateQueries({ queryKey: queryKeys.runs.all });
      navigate(`/runs/${run.id}`);
    } catch (err) {
      setError(errorMessage(err));
      setBusy(false);
    }
  };
  return (
    <Paper withBorder p="md" component="section" aria-labelledby="score-heading">
      <Title order={2} size="h3" id="score-heading" mb="xs">
        Score a file
      </Title>
      <Text size="sm" mb="sm">
        Scores every row of a stored CSV or XLSX and writes a scored CSV (customer ID, probability, points,
        decile, tier) as a new stored file.
        {draft ? " This model is a draft: approve it first, or score as a trial." : ""}
      </Text>
      <Stack gap="sm" maw={640}>
        <StoredFilePicker fileId={fileId} mappingId={mappingId} onFile={setFileId} onMapping={setMappingId} />
        <Group align="end">
          <div>
            <Text component="label" htmlFor={inputId} size="sm" fw={500} display="block">
              Or upload a file
            </Text>
            <input
              key={uploads}
              id={inputId}
              type="file"
              accept=".csv,.xlsx,text/csv"
              onChange={(e) => setUpload(e.currentTarget.files?.[0] ?? null)}
            />
          </div>
          <Button variant="default" disabled={!upload || busy} onClick={() => void uploadFile()}>
            Upload
          </Button>
          {progress ? (
            <Text size="sm" role="status">
              {progress.phase}{" "}
              {progress.totalBytes ? formatPercent(progress.sentBytes / progress.totalBytes) : ""}
            </Text>
          ) : null}
        </Group>
        {draft ? (
          <Checkbox
            label="Score with this draft (a trial)"
            checked={trial}
            onChange={(e) => setTrial(e.currentTarget.checked)}
          />
        ) : null}
        <FormErrorAlert error={error} />
        <Group>
          <Button disabled={!fileId || busy || (draft && !trial)} loading={busy} onClick={() => void score()}>
            Start scoring run
          </Button>
        </Group>
      </Stack>
    </Paper>
  );
}
