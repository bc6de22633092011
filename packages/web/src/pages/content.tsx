import {
  Alert,
  Anchor,
  Badge,
  Button,
  Checkbox,
  FileButton,
  Group,
  Modal,
  NumberInput,
  Paper,
  Stack,
  Switch,
  Table,
  Text,
  Textarea,
  TextInput,
  Title,
} from "@mantine/core";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { type Control, Controller, type FieldErrors, type Path, useForm } from "react-hook-form";
import { Link, useLocation } from "wouter";
import { ApiError, call, errorMessage } from "../api.ts";
import * as endpoints from "../client/endpoints.ts";
import { queryKeys } from "../client/query-keys.ts";
import { FormErrorAlert } from "../components/form-error-alert.tsx";
import { LinkedInConnection } from "../components/linkedin.tsx";
import { Empty, ErrorState, Loading } from "../components/states.tsx";
import { formatDateTime } from "../format.ts";
import { applyServerErrors } from "../forms.ts";
import {
  healthSummary,
  importSummary,
  intervalLabel,
  parseDomains,
  type Source,
  yamlErrorText,
} from "../lib/content.ts";
import { useOrg } from "../session.ts";

const invalidateSources = (qc: ReturnType<typeof useQueryClient>) =>
  Promise.all([
    qc.invalidateQueries({ queryKey: queryKeys.contentSources.all }),
    qc.invalidateQueries({ queryKey: queryKeys.contentItems.all }),
  ]);

/**
 * "Sources" (issue 17 item 6): the feeds and pages the organization (or the person) follows, with
 * their health — a failing source stays listed with its last error and next attempt — its fetch
 * history, the prototype's YAML import, and a search over the stored items.
 */
export function SourcesPage() {
  const { session, can } = useOrg();
  const org = session?.activeOrgId;
  const canWrite = can("projects:write");
  const sources = useQuery({
    queryKey: queryKeys.contentSources(org),
    queryFn: () => call(endpoints.contentSources, { query: { limit: 100, sort: "name" } }),
    // Health changes as the scheduled ingestion runs.
    refetchInterval: 30_000,
  });
  const [historyOf, setHistoryOf] = useState<Source | null>(null);
  const [editing, setEditing] = useState<Source | null>(null);
  return (
    <Stack>
      <Title order={1} size="h2">
        Sources
      </Title>
      <Text size="sm" c="dimmed">
        Feeds and pages followed for content-intel: each is fetched on its own interval, politely, and its
        articles are stored for search and for asking. A source that fails is retried later and shown as
        failing, never dropped.
      </Text>
      {sources.isPending ? (
        <Loading />
      ) : sources.error ? (
        <ErrorState error={sources.error} onRetry={() => sources.refetch()} />
      ) : sources.data.items.length === 0 ? (
        <Empty title="No sources yet">Add a feed below or import the prototype's sources file.</Empty>
      ) : (
        <SourcesTable
          sources={sources.data.items}
          canWrite={canWrite}
          canDelete={can("projects:delete")}
          onHistory={setHistoryOf}
          onEdit={setEditing}
        />
      )}
      {historyOf ? <FetchHistory source={historyOf} onClose={() => setHistoryOf(null)} /> : null}
      {editing ? <EditSource source={editing} onClose={() => setEditing(null)} /> : null}
      {canWrite ? (
        <>
          <AddSource />
          <ImportSources />
        </>
      ) : null}
      <ItemSearch />
    </Stack>
  );
}

function SourcesTable(props: {
  sources: Source[];
  canWrite: boolean;
  canDelete: boolean;
  onHistory: (s: Source) => void;
  onEdit: (s: Source) => void;
}) {
  const qc = useQueryClient();
  const [confirming, setConfirming] = useState<Source | null>(null);
  const [error, setError] = useState<string | null>(null);
  const remove = useMutation({
    mutationFn: (id: string) => call(endpoints.deleteContentSource, { params: { id } }),
    onSuccess: () => setConfirming(null),
    onError: (err) => setError(errorMessage(err)),
    onSettled: () => invalidateSources(qc),
  });
  // "Fetch now": the source becomes due at once (a failing one keeps its backoff); 409 while one runs.
  const fetchNow = useMutation({
    mutationFn: (id: string) => call(endpoints.fetchContentSourceNow, { params: { id } }),
    onSuccess: () => setError(null),
    onError: (err) => setError(errorMessage(err)),
    onSettled: () => invalidateSources(qc),
  });
  const nowMs = Date.now();
  return (
    <>
      <FormErrorAlert error={error} />
      <Table.ScrollContainer minWidth={900}>
        <Table aria-label="Sources" striped>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Source</Table.Th>
              <Table.Th>Health</Table.Th>
              <Table.Th>Items</Table.Th>
              <Table.Th>Credibility</Table.Th>
              <Table.Th>Interval</Table.Th>
              <Table.Th>Actions</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {props.sources.map((s) => {
              const h = healthSummary(s, nowMs);
              return (
                <Table.Tr key={s.id} data-testid={`source-${s.name}`}>
                  <Table.Td>
                    <Text fw={600} size="sm">
                      {s.name}
                    </Text>
                    <Anchor href={s.url} target="_blank" rel="noreferrer" size="xs">
                      {s.url}
                    </Anchor>
                    <Group gap={4} mt={2}>
                      <Badge size="xs" variant="outline">
                        {s.kind}
                      </Badge>
                      {s.tier !== "standard" ? (
                        <Badge size="xs" variant="light">
                          {s.tier}
                        </Badge>
                      ) : null}
                      {s.ownerUserId ? (
                        <Badge size="xs" variant="light" color="grape">
                          personal
                        </Badge>
                      ) : null}
                      {s.domains.map((d) => (
                        <Badge key={d} size="xs" variant="dot">
                          {d}
                        </Badge>
                      ))}
                    </Group>
                  </Table.Td>
                  <Table.Td>
                    <Badge color={h.color} variant="light">
                      {h.label}
                    </Badge>
                    <Text size="xs" c={h.label === "failing" ? "red.9" : "dimmed"}>
                      {h.detail}
                    </Text>
                  </Table.Td>
                  <Table.Td>{s.itemCount.toLocaleString("en-US")}</Table.Td>
                  <Table.Td>{s.credibility.toFixed(2)}</Table.Td>
                  <Table.Td>{intervalLabel(s.intervalMinutes)}</Table.Td>
                  <Table.Td>
                    <Group gap={4} wrap="nowrap">
                      <Button size="compact-xs" variant="subtle" onClick={() => props.onHistory(s)}>
                        History
                      </Button>
                      {props.canWrite ? (
                        <Button size="compact-xs" variant="subtle" onClick={() => props.onEdit(s)}>
                          Edit
                        </Button>
                      ) : null}
                      {props.canWrite && s.enabled ? (
                        <Button
                          size="compact-xs"
                          variant="subtle"
                          loading={fetchNow.isPending && fetchNow.variables === s.id}
                          onClick={() => fetchNow.mutate(s.id)}
                        >
                          Fetch now
                        </Button>
                      ) : null}
                      {props.canDelete ? (
                        <Button
                          size="compact-xs"
                          variant="subtle"
                          color="red"
                          onClick={() => setConfirming(s)}
                        >
                          Delete
                        </Button>
                      ) : null}
                    </Group>
                  </Table.Td>
                </Table.Tr>
              );
            })}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      <Modal opened={!!confirming} onClose={() => setConfirming(null)} title="Stop following this source?">
        <Stack>
          <Text size="sm">
            {confirming?.name}: its {confirming?.itemCount ?? 0} stored items and its fetch history are
            deleted with it.
          </Text>
          <Group justify="flex-end">
            <Button variant="default" onClick={() => setConfirming(null)}>
              Keep it
            </Button>
            <Button
              color="red"
              loading={remove.isPending}
              onClick={() => confirming && remove.mutate(confirming.id)}
            >
              Delete source
            </Button>
          </Group>
        </Stack>
      </Modal>
    </>
  );
}

function FetchHistory({ source, onClose }: { source: Source; onClose: () => void }) {
  const { session } = useOrg();
  const fetches = useQuery({
    queryKey: queryKeys.contentFetches(session?.activeOrgId, source.id),
    queryFn: () => call(endpoints.contentFetches, { params: { id: source.id }, query: { limit: 50 } }),
  });
  return (
    <Modal opened onClose={onClose} title={`Fetch history: ${source.name}`} size="xl">
      {fetches.isPending ? (
        <Loading />
      ) : fetches.error ? (
        <ErrorState error={fetches.error} onRetry={() => fetches.refetch()} />
      ) : fetches.data.items.length === 0 ? (
        <Empty title="Not fetched yet">The scheduled ingestion fetches a new source at its next tick.</Empty>
      ) : (
        <Table aria-label="Fetch history">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Started</Table.Th>
              <Table.Th>Outcome</Table.Th>
              <Table.Th>New</Table.Th>
              <Table.Th>Duplicates</Table.Th>
              <Table.Th>Near copies</Table.Th>
              <Table.Th>Duration (ms)</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {fetches.data.items.map((f) => (
              <Table.Tr key={f.id}>
                <Table.Td>{formatDateTime(f.startedAt)}</Table.Td>
                <Table.Td>
                  <Badge
                    variant="light"
                    color={f.outcome === "failed" ? "red" : f.outcome === "ok" ? "green" : "gray"}
                  >
                    {f.outcome}
                  </Badge>
                  {f.error ? (
                    <Text size="xs" c="red.9">
                      {f.error}
                    </Text>
                  ) : null}
                  {f.skipped.length ? (
                    <Text size="xs" c="dimmed">
                      {f.skipped.length} skipped: {f.skipped.map((k) => k.reason).join("; ")}
                    </Text>
                  ) : null}
                </Table.Td>
                <Table.Td>{f.itemsNew}</Table.Td>
                <Table.Td>{f.itemsDuplicate}</Table.Td>
                <Table.Td>{f.itemsNearDuplicate}</Table.Td>
                <Table.Td>{f.durationMs}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
    </Modal>
  );
}

/** The two numbers a source is tuned by, the same in the add and edit forms. */
interface Tuning {
  credibility: number;
  intervalMinutes: number;
}

function CredibilityAndInterval<T extends Tuning>({
  control,
  errors,
}: {
  control: Control<T>;
  errors: FieldErrors<T>;
}) {
  const fieldError = (name: keyof Tuning) => (errors as FieldErrors<Tuning>)[name]?.message;
  const asNumber = (v: string | number) => (v === "" ? Number.NaN : Number(v));
  return (
    <>
      <Controller
        control={control}
        name={"credibility" as Path<T>}
        render={({ field }) => (
          <NumberInput
            label="Credibility (0–1)"
            min={0}
            max={1}
            step={0.05}
            decimalScale={2}
            value={field.value as number}
            onChange={(v) => field.onChange(asNumber(v))}
            error={fieldError("credibility")}
          />
        )}
      />
      <Controller
        control={control}
        name={"intervalMinutes" as Path<T>}
        render={({ field }) => (
          <NumberInput
            label="Fetch every (minutes)"
            min={15}
            step={15}
            value={field.value as number}
            onChange={(v) => field.onChange(asNumber(v))}
            error={fieldError("intervalMinutes")}
          />
        )}
      />
    </>
  );
}

interface SourceForm {
  name: string;
  url: string;
  domains: string;
  credibility: number;
  intervalMinutes: number;
  personal: boolean;
}

function AddSource() {
  const qc = useQueryClient();
  const [formError, setFormError] = useState<string | null>(null);
  const form = useForm<SourceForm>({
    defaultValues: {
      name: "",
      url: "",
      domains: "",
      credibility: 0.7,
      intervalMinutes: 360,
      personal: false,
    },
  });
  const submit = form.handleSubmit(async (v) => {
    setFormError(null);
    try {
      await call(endpoints.createContentSource, {
        body: {
          name: v.name.trim(),
          url: v.url.trim(),
          domains: parseDomains(v.domains),
          credibility: Number(v.credibility),
          intervalMinutes: Number(v.intervalMinutes),
          personal: v.personal,
        },
      });
      form.reset();
      await invalidateSources(qc);
    } catch (err) {
      setFormError(applyServerErrors(err, form.setError));
    }
  });
  const err = form.formState.errors;
  return (
    <Paper withBorder p="md" component="form" onSubmit={submit} aria-label="Add a source" noValidate>
      <Stack gap="xs">
        <Title order={2} size="h4">
          Add a source
        </Title>
        <FormErrorAlert error={formError} />
        <Group grow align="flex-start">
          <TextInput label="Source name" {...form.register("name")} error={err.name?.message} />
          <TextInput
            label="Feed or page URL"
            placeholder="https://example.com/feed.xml"
            {...form.register("url")}
            error={err.url?.message}
          />
        </Group>
        <Group grow align="flex-start">
          <TextInput
            label="Domains"
            description="Comma-separated: tech, finance, policy"
            {...form.register("domains")}
            error={err.domains?.message}
          />
          <CredibilityAndInterval control={form.control} errors={err} />
        </Group>
        <Checkbox label="Only for me (a personal source)" {...form.register("personal")} />
        <Group>
          <Button type="submit" loading={form.formState.isSubmitting}>
            Add source
          </Button>
        </Group>
      </Stack>
    </Paper>
  );
}

function EditSource({ source, onClose }: { source: Source; onClose: () => void }) {
  const qc = useQueryClient();
  const [formError, setFormError] = useState<string | null>(null);
  const form = useForm<{ credibility: number; intervalMinutes: number; enabled: boolean; domains: string }>({
    defaultValues: {
      credibility: source.credibility,
      intervalMinutes: source.intervalMinutes,
      enabled: source.enabled,
      domains: source.domains.join(", "),
    },
  });
  const submit = form.handleSubmit(async (v) => {
    setFormError(null);
    try {
      await call(endpoints.updateContentSource, {
        params: { id: source.id },
        body: {
          credibility: Number(v.credibility),
          intervalMinutes: Number(v.intervalMinutes),
          enabled: v.enabled,
          domains: parseDomains(v.domains),
        },
      });
      await invalidateSources(qc);
      onClose();
    } catch (err) {
      setFormError(applyServerErrors(err, form.setError));
    }
  });
  const err = form.formState.errors;
  return (
    <Modal opened onClose={onClose} title={`Edit ${source.name}`}>
      <form onSubmit={submit} noValidate>
        <Stack gap="xs">
          <FormErrorAlert error={formError} />
          <CredibilityAndInterval control={form.control} errors={err} />
          <TextInput label="Domains" {...form.register("domains")} error={err.domains?.message} />
          <Controller
            control={form.control}
            name="enabled"
            render={({ field }) => (
              <Switch
                label="Fetched on schedule (off: paused)"
                checked={field.value}
                onChange={(e) => field.onChange(e.currentTarget.checked)}
              />
            )}
          />
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              Cancel
            </Button>
            <Button type="submit" loading={form.formState.isSubmitting}>
              Save source
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}

function ImportSources() {
  const qc = useQueryClient();
  const [yaml, setYaml] = useState("");
  const [includeExperimental, setIncludeExperimental] = useState(false);
  const [result, setResult] = useState<string | null>(null);
  const [errors, setErrors] = useState<string[]>([]);
  const importYaml = useMutation({
    mutationFn: () => call(endpoints.importContentSources, { body: { yaml, includeExperimental } }),
    onMutate: () => {
      setErrors([]);
      setResult(null);
    },
    onSuccess: (r) => setResult(importSummary(r)),
    onError: (err) =>
      setErrors(
        err instanceof ApiError && err.fieldErrors.length
          ? err.fieldErrors.map(yamlErrorText)
          : [errorMessage(err)],
      ),
    onSettled: () => invalidateSources(qc),
  });
  const readFile = async (file: File | null) => {
    if (file) setYaml(await file.text());
  };
  return (
    <Paper withBorder p="md" aria-label="Import sources">
      <Stack gap="xs">
        <Title order={2} size="h4">
          Import a sources file
        </Title>
        <Text size="sm" c="dimmed">
          The prototype's <code>prosora_sources.yaml</code>: paste it or choose the file. A bad entry is named
          and nothing is imported; e-mail newsletters and social accounts are skipped.
        </Text>
        <Textarea
          label="Sources YAML"
          autosize
          minRows={4}
          maxRows={16}
          value={yaml}
          onChange={(e) => setYaml(e.currentTarget.value)}
          error={errors.length ? errors.join("; ") : undefined}
          styles={{ input: { fontFamily: "monospace" } }}
        />
        <Group>
          <FileButton onChange={readFile} accept=".yaml,.yml,text/yaml">
            {(p) => (
              <Button variant="default" {...p}>
                Choose file…
              </Button>
            )}
          </FileButton>
          <Checkbox
            label="Include experimental sources"
            checked={includeExperimental}
            onChange={(e) => setIncludeExperimental(e.currentTarget.checked)}
          />
          <Button onClick={() => importYaml.mutate()} loading={importYaml.isPending} disabled={!yaml.trim()}>
            Import sources
          </Button>
        </Group>
        {result ? (
          <Alert color="green" role="status">
            {result}
          </Alert>
        ) : null}
      </Stack>
    </Paper>
  );
}

function ItemSearch() {
  const { session } = useOrg();
  const [typed, setTyped] = useState("");
  const [q, setQ] = useState("");
  const items = useQuery({
    queryKey: queryKeys.contentItems(session?.activeOrgId, q),
    queryFn: () => call(endpoints.contentItems, { query: { limit: 20, ...(q ? { q } : {}) } }),
  });
  return (
    <Paper withBorder p="md">
      <Stack gap="xs">
        <Title order={2} size="h4">
          Stored items
        </Title>
        <form
          onSubmit={(e) => {
            e.preventDefault();
            setQ(typed.trim());
          }}
        >
          <Group align="flex-end">
            <TextInput
              label="Search stored items"
              placeholder="words from titles and text"
              value={typed}
              onChange={(e) => setTyped(e.currentTarget.value)}
              style={{ flex: 1 }}
            />
            <Button type="submit" variant="default">
              Search
            </Button>
          </Group>
        </form>
        {items.isPending ? (
          <Loading />
        ) : items.error ? (
          <ErrorState error={items.error} onRetry={() => items.refetch()} />
        ) : items.data.items.length === 0 ? (
          <Text size="sm" c="dimmed">
            {q ? `Nothing stored matches “${q}”.` : "No items stored yet."}
          </Text>
        ) : (
          <Stack gap={6} aria-label="Items found">
            <Text size="xs" c="dimmed">
              {items.data.total} item{items.data.total === 1 ? "" : "s"}
              {q ? ` matching “${q}”, best first` : ", newest first"}
            </Text>
            {items.data.items.map((i) => (
              <div key={i.id}>
                <Anchor href={i.url} target="_blank" rel="noreferrer" size="sm" fw={600}>
                  {i.title}
                </Anchor>
                <Text size="xs" c="dimmed">
                  {i.sourceName} · {formatDateTime(i.publishedAt)}
                  {i.rank !== null ? ` · rank ${i.rank.toFixed(3)}` : ""}
                </Text>
                <Text size="xs" lineClamp={2}>
                  {i.excerpt}
                </Text>
              </div>
            ))}
          </Stack>
        )}
      </Stack>
    </Paper>
  );
}

/**
 * "Ask" (issue 17 item 6): a topic, answered from the stored items by content-intel; the run page
 * then shows the evidence, the four variants and their checks, and records the one published.
 */
export function AskPage() {
  const qc = useQueryClient();
  const [, navigate] = useLocation();
  const { can } = useOrg();
  const [formError, setFormError] = useState<string | null>(null);
  const form = useForm<{ topic: string }>({ defaultValues: { topic: "" } });
  const submit = form.handleSubmit(async (v) => {
    setFormError(null);
    try {
      // wait=0: go to the run page at once and follow its progress there.
      const run = await call(endpoints.createContentRun, { body: { topic: v.topic }, query: { wait: 0 } });
      await qc.invalidateQueries({ queryKey: queryKeys.runs.all });
      navigate(`/runs/${run.id}`);
    } catch (err) {
      setFormError(applyServerErrors(err, form.setError));
    }
  });
  return (
    <Stack>
      <Title order={1} size="h2">
        Ask
      </Title>
      <Text size="sm" c="dimmed">
        A topic you want to write about. The answer is drawn from your followed sources' stored articles:
        ranked evidence, insights across domains and four post drafts, each citing its sources, with every
        number and quote checked against them.
      </Text>
      {/* LinkedIn's consent page sends the browser back here: say how connecting went. */}
      <LinkedInConnection />
      <Paper withBorder p="md" component="form" onSubmit={submit} noValidate aria-label="Ask">
        <Stack gap="xs">
          <FormErrorAlert error={formError} />
          <Textarea
            label="Topic"
            placeholder="How are AI regulations changing fintech lending?"
            autosize
            minRows={2}
            {...form.register("topic")}
            error={form.formState.errors.topic?.message}
          />
          <Group>
            <Button type="submit" loading={form.formState.isSubmitting} disabled={!can("runs:execute")}>
              Ask
            </Button>
            <Anchor component={Link} href="/content/sources" size="sm">
              Sources
            </Anchor>
          </Group>
        </Stack>
      </Paper>
    </Stack>
  );
}
