import {
  Alert,
  Badge,
  Button,
  Checkbox,
  Code,
  Group,
  NumberInput,
  Paper,
  PasswordInput,
  Progress,
  Select,
  SimpleGrid,
  Stack,
  Table,
  Text,
  TextInput,
  Title,
} from "@mantine/core";
import { useMutation, useQueries, useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useMemo, useState } from "react";
import { Controller, useFieldArray, useForm } from "react-hook-form";
import { call, errorMessage } from "../api.ts";
import * as endpoints from "../client/endpoints.ts";
import { queryKeys } from "../client/query-keys.ts";
import { FormErrorAlert } from "../components/form-error-alert.tsx";
import { PowerBiSettings } from "../components/powerbi.tsx";
import { Empty, ErrorState, Loading } from "../components/states.tsx";
import { formatDateTime } from "../format.ts";
import { applyServerErrors } from "../forms.ts";
import {
  BUILT_IN_EXPLAINED,
  budgetShare,
  formatUsd,
  PRICE_HELP,
  PROVIDER_LABELS,
  type PriceRow,
  priceRows,
  pricesOf,
  providerLabel,
  type RouteRow,
  recentMonths,
  routeRows,
  routesOf,
  type Settings,
  sourceSentence,
  TASK_LABELS,
  type Task,
  type Usage,
} from "../lib/llm.ts";
import { useModels } from "../queries.ts";
import { useOrg } from "../session.ts";

/**
 * "AI providers" (issue 14): where the organization's language-model answers come from, its
 * providers (keys tested at save, never shown again), which provider and model serve each task,
 * the monthly budget, whether prompts are kept, and the price table. Members without
 * `keys:manage` see the status only, as the server allows.
 */
export function LanguageModelsPage() {
  const { session, can } = useOrg();
  const org = session?.activeOrgId;
  const admin = can("keys:manage");
  const status = useQuery({ queryKey: queryKeys.llmStatus(org), queryFn: () => call(endpoints.llmStatus) });
  // Admins may list providers: the status then names each by the label the admin gave it.
  const providers = useQuery({
    queryKey: queryKeys.llmProviders(org),
    queryFn: () => call(endpoints.llmProviders),
    enabled: admin,
  });
  const labelOf = (id: string | null) => providers.data?.items.find((p) => p.id === id)?.label ?? null;
  return (
    <Stack>
      <Title order={1} size="h2">
        AI providers
      </Title>
      <Text size="sm" c="dimmed">
        Some features write or plan with a language model: document classification and drafts, dashboard plans
        and reports. Without a provider they run on built-in rules and templates.
      </Text>
      {status.isPending ? (
        <Loading />
      ) : status.error ? (
        <ErrorState error={status.error} onRetry={() => status.refetch()} />
      ) : (
        <Paper withBorder p="md" data-testid="llm-status">
          <Stack gap="xs">
            <Text fw={600}>{sourceSentence(status.data)}</Text>
            <FormErrorAlert title="The provider cannot be used" error={status.data.problem?.message} />
            <Table>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Task</Table.Th>
                  <Table.Th>Answered by</Table.Th>
                  <Table.Th>Model</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {(Object.keys(status.data.tasks) as Task[]).map((t) => {
                  const r = status.data.tasks[t];
                  return (
                    <Table.Tr key={t}>
                      <Table.Td>{TASK_LABELS[t] ?? t}</Table.Td>
                      <Table.Td>
                        {r.source === "built-in"
                          ? "Built-in rules and templates"
                          : r.source === "platform"
                            ? `The platform's ${providerLabel(r.provider)}`
                            : [labelOf(r.providerId), providerLabel(r.provider)].filter(Boolean).join(" · ")}
                        {r.routed ? (
                          <Badge ml="xs" size="xs" variant="light">
                            chosen for this task
                          </Badge>
                        ) : null}
                        {r.problem ? (
                          <Text size="xs" c="red">
                            {r.problem.message}
                          </Text>
                        ) : null}
                      </Table.Td>
                      <Table.Td>{r.model ?? "—"}</Table.Td>
                    </Table.Tr>
                  );
                })}
              </Table.Tbody>
            </Table>
          </Stack>
        </Paper>
      )}
      {admin ? (
        <>
          <Providers canStoreKeys={status.data?.canStoreKeys ?? true} />
          <SettingsForm taskKey={status.data ? Object.keys(status.data.tasks).join(",") : ""} />
          <PowerBiSettings />
        </>
      ) : (
        <Text size="sm" c="dimmed">
          An admin of the organization sets up providers, budgets and prices.
        </Text>
      )}
    </Stack>
  );
}

const invalidateAll = (qc: ReturnType<typeof useQueryClient>) =>
  Promise.all(
    [queryKeys.llmStatus.all, queryKeys.llmProviders.all, queryKeys.llmSettings.all].map((k) =>
      qc.invalidateQueries({ queryKey: k }),
    ),
  );

interface ProviderForm {
  provider: string;
  label: string;
  baseUrl: string;
  apiKey: string;
  models: { default: string };
}

function Providers({ canStoreKeys }: { canStoreKeys: boolean }) {
  const { session } = useOrg();
  const qc = useQueryClient();
  const list = useQuery({
    queryKey: queryKeys.llmProviders(session?.activeOrgId),
    queryFn: () => call(endpoints.llmProviders),
  });
  const [formError, setFormError] = useState<string | null>(null);
  const [tested, setTested] = useState<Record<string, string>>({});
  const form = useForm<ProviderForm>({
    defaultValues: { provider: "openai", label: "", baseUrl: "", apiKey: "", models: { default: "" } },
  });
  const submit = form.handleSubmit(async (v) => {
    setFormError(null);
    try {
      await call(endpoints.createLlmProvider, {
        body: {
          provider: v.provider as "openai",
          label: v.label.trim() || null,
          baseUrl: v.baseUrl.trim() || null,
          apiKey: v.apiKey.trim() || null,
          models: { default: v.models.default.trim() },
        },
      });
      form.reset({ ...v, label: "", apiKey: "" });
      await invalidateAll(qc);
    } catch (err) {
      setFormError(applyServerErrors(err, form.setError));
    }
  });
  const test = useMutation({
    mutationFn: (id: string) => call(endpoints.testLlmProvider, { params: { id } }),
    onSuccess: (r, id) => setTested((m) => ({ ...m, [id]: `Works (answered in ${r.latencyMs} ms)` })),
    onError: (err, id) => setTested((m) => ({ ...m, [id]: `Failed: ${errorMessage(err)}` })),
    onSettled: () => qc.invalidateQueries({ queryKey: queryKeys.llmProviders.all }),
  });
  const revoke = useMutation({
    mutationFn: (id: string) => call(endpoints.revokeLlmProvider, { params: { id } }),
    onSettled: () => invalidateAll(qc),
  });
  return (
    <Paper withBorder p="md">
      <Stack>
        <Title order={2} size="h4">
          Providers
        </Title>
        <Text size="sm" c="dimmed">
          The newest provider answers every task not chosen below. A key is checked with a one-token request
          before it is saved, stored encrypted, and never shown again (only its last four characters).
        </Text>
        {!canStoreKeys ? (
          <Alert color="yellow">
            This server has no master key for stored keys (LLM_MASTER_KEY); an operator must set one before
            keys can be added.
          </Alert>
        ) : null}
        <form onSubmit={submit} noValidate aria-label="Add a provider">
          <Group align="flex-start">
            <Controller
              control={form.control}
              name="provider"
              render={({ field, fieldState }) => (
                <Select
                  label="Provider"
                  w={230}
                  data={Object.entries(PROVIDER_LABELS).map(([value, label]) => ({ value, label }))}
                  allowDeselect={false}
                  value={field.value}
                  onChange={(v) => field.onChange(v)}
                  error={fieldState.error?.message}
                />
              )}
            />
            <TextInput
              label="Name (optional)"
              placeholder="e.g. Cheap classifier"
              w={180}
              {...form.register("label")}
              error={form.formState.errors.label?.message}
            />
            <TextInput
              label="Base URL"
              description="Only for a self-hosted or compatible endpoint"
              w={240}
              {...form.register("baseUrl")}
              error={form.formState.errors.baseUrl?.message}
            />
            <PasswordInput
              label="API key"
              w={220}
              autoComplete="off"
              {...form.register("apiKey")}
              error={form.formState.errors.apiKey?.message}
            />
            <TextInput
              label="Model"
              placeholder="e.g. gpt-4o-mini"
              w={180}
              {...form.register("models.default", { required: "Name the model to use" })}
              error={form.formState.errors.models?.default?.message}
            />
          </Group>
          <Button type="submit" mt="sm" loading={form.formState.isSubmitting} disabled={!canStoreKeys}>
            Test and add provider
          </Button>
        </form>
        <FormErrorAlert error={formError} />
        {list.isPending ? (
          <Loading />
        ) : list.error ? (
          <ErrorState error={list.error} />
        ) : list.data.items.length === 0 ? (
          <Empty title="No providers yet">{BUILT_IN_EXPLAINED}</Empty>
        ) : (
          <Table striped data-testid="llm-providers">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Name</Table.Th>
                <Table.Th>Provider</Table.Th>
                <Table.Th>Base URL</Table.Th>
                <Table.Th>Model</Table.Th>
                <Table.Th>Key</Table.Th>
                <Table.Th>Added</Table.Th>
                <Table.Th>Last tested</Table.Th>
                <Table.Th>Actions</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {list.data.items.map((p) => (
                <Table.Tr key={p.id}>
                  <Table.Td>{p.label ?? "—"}</Table.Td>
                  <Table.Td>{providerLabel(p.provider)}</Table.Td>
                  <Table.Td>{p.baseUrl ? <Code>{p.baseUrl}</Code> : "standard"}</Table.Td>
                  <Table.Td>{p.models.default}</Table.Td>
                  <Table.Td>
                    {p.hasKey ? <Code>{p.keyHint}</Code> : "none"}
                    {!p.keyReadable ? (
                      <Badge ml="xs" color="red" size="xs">
                        cannot be opened
                      </Badge>
                    ) : null}
                  </Table.Td>
                  <Table.Td>{formatDateTime(p.createdAt)}</Table.Td>
                  <Table.Td>
                    {p.lastTestedAt ? formatDateTime(p.lastTestedAt) : "never"}
                    {tested[p.id] ? (
                      <Text size="xs" c={tested[p.id]!.startsWith("Works") ? "green" : "red"} role="status">
                        {tested[p.id]}
                      </Text>
                    ) : null}
                  </Table.Td>
                  <Table.Td>
                    <Group gap={4} wrap="nowrap">
                      <Button
                        size="xs"
                        variant="light"
                        loading={test.isPending && test.variables === p.id}
                        onClick={() => test.mutate(p.id)}
                      >
                        Test
                      </Button>
                      <Button
                        size="xs"
                        variant="subtle"
                        color="red"
                        onClick={() =>
                          window.confirm(
                            `Remove ${p.label ?? providerLabel(p.provider)}? Its key is erased, and tasks chosen for it go back to the default provider.`,
                          ) && revoke.mutate(p.id)
                        }
                      >
                        Remove
                      </Button>
                    </Group>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        )}
      </Stack>
    </Paper>
  );
}

interface SettingsFormValues {
  monthlyBudgetUsd: number | null;
  storeBodies: boolean;
  prices: PriceRow[];
  taskRoutes: Record<string, RouteRow>;
}

function toForm(s: Settings, tasks: readonly Task[]): SettingsFormValues {
  return {
    monthlyBudgetUsd: s.monthlyBudgetUsd,
    storeBodies: s.storeBodies,
    prices: priceRows(s.prices),
    taskRoutes: routeRows(tasks, s.taskRoutes),
  };
}

/** `taskKey`: the platform's tasks, comma-joined (a string, so the form resets only when they change). */
function SettingsForm({ taskKey }: { taskKey: string }) {
  const tasks = useMemo(() => taskKey.split(",").filter(Boolean) as Task[], [taskKey]);
  const { session } = useOrg();
  const qc = useQueryClient();
  const org = session?.activeOrgId;
  const settings = useQuery({
    queryKey: queryKeys.llmSettings(org),
    queryFn: () => call(endpoints.llmSettings),
  });
  const providers = useQuery({
    queryKey: queryKeys.llmProviders(org),
    queryFn: () => call(endpoints.llmProviders),
  });
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  const form = useForm<SettingsFormValues>({
    defaultValues: { monthlyBudgetUsd: null, storeBodies: false, prices: [], taskRoutes: {} },
  });
  const prices = useFieldArray({ control: form.control, name: "prices" });
  useEffect(() => {
    if (settings.data && tasks.length) form.reset(toForm(settings.data, tasks));
  }, [settings.data, tasks, form.reset]);
  const submit = form.handleSubmit(async (v) => {
    setMessage(null);
    try {
      const saved = await call(endpoints.updateLlmSettings, {
        body: {
          monthlyBudgetUsd: v.monthlyBudgetUsd,
          storeBodies: v.storeBodies,
          prices: pricesOf(v.prices),
          taskRoutes: routesOf(v.taskRoutes),
        },
      });
      form.reset(toForm(saved, tasks));
      setMessage({ ok: true, text: "Saved." });
      await invalidateAll(qc);
    } catch (err) {
      const rest = applyServerErrors(err, form.setError);
      setMessage({ ok: false, text: rest ?? "Some fields need attention." });
    }
  });
  if (settings.isPending || providers.isPending) return <Loading />;
  if (settings.error) return <ErrorState error={settings.error} />;
  const options = [
    { value: "", label: "Default provider" },
    ...(providers.data?.items ?? []).map((p) => ({
      value: p.id,
      label: p.label ? `${p.label} (${providerLabel(p.provider)})` : providerLabel(p.provider),
    })),
  ];
  return (
    <Paper withBorder p="md">
      <form onSubmit={submit} noValidate aria-label="AI settings">
        <Stack>
          <Title order={2} size="h4">
            Provider and model per task
          </Title>
          <Text size="sm" c="dimmed">
            For example a cheap model for classifying and a strong one for drafts. A new choice is checked
            with a one-token request when you save.
          </Text>
          <Table>
            <Table.Tbody>
              {tasks.map((t) => (
                <Table.Tr key={t}>
                  <Table.Td w={200}>{TASK_LABELS[t] ?? t}</Table.Td>
                  <Table.Td>
                    <Controller
                      control={form.control}
                      name={`taskRoutes.${t}.providerId`}
                      render={({ field, fieldState }) => (
                        <Select
                          aria-label={`Provider for ${TASK_LABELS[t] ?? t}`}
                          data={options}
                          allowDeselect={false}
                          value={field.value ?? ""}
                          onChange={(v) => field.onChange(v ?? "")}
                          error={fieldState.error?.message}
                        />
                      )}
                    />
                  </Table.Td>
                  <Table.Td>
                    <TextInput
                      aria-label={`Model for ${TASK_LABELS[t] ?? t}`}
                      placeholder="the provider's model"
                      disabled={!form.watch(`taskRoutes.${t}.providerId`)}
                      {...form.register(`taskRoutes.${t}.model`)}
                      error={form.formState.errors.taskRoutes?.[t]?.model?.message}
                    />
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>

          <Title order={2} size="h4">
            Budget and privacy
          </Title>
          <SimpleGrid cols={{ base: 1, sm: 2 }}>
            <Controller
              control={form.control}
              name="monthlyBudgetUsd"
              render={({ field, fieldState }) => (
                <NumberInput
                  label="Monthly budget (USD)"
                  description="Leave empty for no limit. When it is spent, features that need a model stop with a clear message until next month."
                  min={0}
                  decimalScale={2}
                  value={field.value ?? ""}
                  onChange={(v) => field.onChange(typeof v === "number" ? v : null)}
                  error={fieldState.error?.message}
                />
              )}
            />
            <Controller
              control={form.control}
              name="storeBodies"
              render={({ field }) => (
                <Checkbox
                  mt="lg"
                  label="Keep prompts and answers"
                  description="Off: only who asked, which model, tokens, cost and a fingerprint of the prompt are kept. On: the texts too, deleted with their runs."
                  checked={field.value}
                  onChange={(e) => field.onChange(e.currentTarget.checked)}
                />
              )}
            />
          </SimpleGrid>

          <Title order={2} size="h4">
            Prices
          </Title>
          <Text size="sm" c="dimmed">
            {PRICE_HELP}
          </Text>
          <Table>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Model</Table.Th>
                <Table.Th>Input, USD per million tokens</Table.Th>
                <Table.Th>Output, USD per million tokens</Table.Th>
                <Table.Th />
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {prices.fields.map((f, i) => (
                <Table.Tr key={f.id}>
                  <Table.Td>
                    <TextInput
                      aria-label={`Model of price ${i + 1}`}
                      {...form.register(`prices.${i}.model`)}
                    />
                  </Table.Td>
                  {(["inputPerMTokUsd", "outputPerMTokUsd"] as const).map((k) => (
                    <Table.Td key={k}>
                      <Controller
                        control={form.control}
                        name={`prices.${i}.${k}`}
                        render={({ field }) => (
                          <NumberInput
                            aria-label={`${k === "inputPerMTokUsd" ? "Input" : "Output"} price of ${i + 1}`}
                            min={0}
                            decimalScale={4}
                            value={field.value}
                            onChange={(v) => field.onChange(typeof v === "number" ? v : 0)}
                          />
                        )}
                      />
                    </Table.Td>
                  ))}
                  <Table.Td>
                    <Button size="xs" variant="subtle" color="red" onClick={() => prices.remove(i)}>
                      Remove
                    </Button>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
          <Group>
            <Button
              size="xs"
              variant="light"
              onClick={() => prices.append({ model: "", inputPerMTokUsd: 0, outputPerMTokUsd: 0 })}
            >
              Add a price
            </Button>
          </Group>
          {message ? (
            <Alert color={message.ok ? "green" : "red"} role={message.ok ? "status" : "alert"}>
              {message.text}
            </Alert>
          ) : null}
          <Group>
            <Button type="submit" loading={form.formState.isSubmitting}>
              Save settings
            </Button>
          </Group>
        </Stack>
      </form>
    </Paper>
  );
}

/**
 * "AI usage" (issue 14): this month's calls, tokens and estimated cost against the budget, by
 * person, by feature (engine) and by model, and the last months; explains the built-in path
 * when nothing was called.
 */
export function LlmUsagePage() {
  const { session } = useOrg();
  const org = session?.activeOrgId;
  const months = recentMonths(new Date(), 6);
  const [month, setMonth] = useState(months[0]!);
  const usage = useQuery({
    queryKey: queryKeys.llmUsage(org, month),
    queryFn: () => call(endpoints.llmUsage, { query: { month } }),
  });
  const history = useQueries({
    queries: months.map((m) => ({
      queryKey: queryKeys.llmUsage(org, m),
      queryFn: () => call(endpoints.llmUsage, { query: { month: m } }),
    })),
  });
  const members = useQuery({
    queryKey: queryKeys.members(org),
    queryFn: () => call(endpoints.members, { query: { limit: 100 } }),
  });
  const models = useModels();
  const personOf = (id: string | null) =>
    id === null
      ? "No person (API key or platform)"
      : (members.data?.items.find((m) => m.userId === id)?.name ?? id);
  const featureOf = (id: string | null) =>
    id === "platform" ? "Key tests" : (models.data?.find((m) => m.id === id)?.title ?? id ?? "—");
  return (
    <Stack>
      <Group justify="space-between" align="flex-end">
        <Title order={1} size="h2">
          AI usage
        </Title>
        <Select
          label="Month"
          w={140}
          data={months}
          value={month}
          allowDeselect={false}
          onChange={(v) => v && setMonth(v)}
        />
      </Group>
      {usage.isPending ? (
        <Loading />
      ) : usage.error ? (
        <ErrorState error={usage.error} onRetry={() => usage.refetch()} />
      ) : usage.data.total.calls === 0 ? (
        <Empty title={`No AI calls in ${month}`}>{BUILT_IN_EXPLAINED}</Empty>
      ) : (
        <>
          <Totals u={usage.data} />
          <UsageTable title="By person" rows={usage.data.byUser} name={personOf} />
          <UsageTable title="By feature" rows={usage.data.byEngine} name={featureOf} />
          <UsageTable title="By model" rows={usage.data.byModel} name={(k) => k ?? "—"} />
        </>
      )}
      <Title order={2} size="h4">
        Last six months
      </Title>
      <Table data-testid="llm-usage-months">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Month</Table.Th>
            <Table.Th ta="right">Calls</Table.Th>
            <Table.Th ta="right">Tokens in</Table.Th>
            <Table.Th ta="right">Tokens out</Table.Th>
            <Table.Th ta="right">Estimated cost</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {months.map((m, i) => {
            const h = history[i]?.data;
            return (
              <Table.Tr key={m}>
                <Table.Td>{m}</Table.Td>
                <Table.Td ta="right">{h ? h.total.calls : "…"}</Table.Td>
                <Table.Td ta="right">{h ? h.total.inputTokens.toLocaleString("en-US") : "…"}</Table.Td>
                <Table.Td ta="right">{h ? h.total.outputTokens.toLocaleString("en-US") : "…"}</Table.Td>
                <Table.Td ta="right">{h ? formatUsd(h.total.costUsd) : "…"}</Table.Td>
              </Table.Tr>
            );
          })}
        </Table.Tbody>
      </Table>
    </Stack>
  );
}

function Totals({ u }: { u: Usage }) {
  const share = budgetShare(u.total.costUsd, u.budgetUsd);
  return (
    <Paper withBorder p="md" data-testid="llm-usage-totals">
      <SimpleGrid cols={{ base: 2, sm: 5 }}>
        <Stat label="Calls" value={u.total.calls.toLocaleString("en-US")} />
        <Stat label="Tokens in" value={u.total.inputTokens.toLocaleString("en-US")} />
        <Stat label="Tokens out" value={u.total.outputTokens.toLocaleString("en-US")} />
        <Stat label="Answered from cache" value={u.cacheHits.toLocaleString("en-US")} />
        <Stat label="Failed calls" value={u.errors.toLocaleString("en-US")} />
      </SimpleGrid>
      <Text mt="md" fw={600}>
        Estimated cost: {formatUsd(u.total.costUsd)}
        {u.budgetUsd !== null ? ` of ${formatUsd(u.budgetUsd)} budget` : " (no budget set)"}
      </Text>
      {share !== null ? (
        <Progress
          mt="xs"
          value={Math.min(100, share * 100)}
          color={share >= 1 ? "red" : share >= 0.8 ? "yellow" : "blue"}
          aria-label="Share of the monthly budget spent"
        />
      ) : null}
    </Paper>
  );
}

function Stat({ label, value }: { label: string; value: string }) {
  return (
    <Stack gap={0}>
      <Text size="xs" c="dimmed">
        {label}
      </Text>
      <Text fw={700}>{value}</Text>
    </Stack>
  );
}

function UsageTable({
  title,
  rows,
  name,
}: {
  title: string;
  rows: Usage["byUser"];
  name: (key: string | null) => string;
}) {
  return (
    <Stack gap="xs">
      <Title order={2} size="h4">
        {title}
      </Title>
      <Table striped>
        <Table.Thead>
          <Table.Tr>
            <Table.Th>{title.replace(/^By /, "").replace(/^\w/, (c) => c.toUpperCase())}</Table.Th>
            <Table.Th ta="right">Calls</Table.Th>
            <Table.Th ta="right">Tokens in</Table.Th>
            <Table.Th ta="right">Tokens out</Table.Th>
            <Table.Th ta="right">Estimated cost</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {rows.map((r) => (
            <Table.Tr key={r.key ?? "none"}>
              <Table.Td>{name(r.key)}</Table.Td>
              <Table.Td ta="right">{r.calls}</Table.Td>
              <Table.Td ta="right">{r.inputTokens.toLocaleString("en-US")}</Table.Td>
              <Table.Td ta="right">{r.outputTokens.toLocaleString("en-US")}</Table.Td>
              <Table.Td ta="right">{formatUsd(r.costUsd)}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Stack>
  );
}
