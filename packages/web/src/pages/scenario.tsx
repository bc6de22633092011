import { zodResolver } from "@hookform/resolvers/zod";
import { Anchor, Badge, Button, Group, Paper, Stack, Tabs, Text, TextInput, Title } from "@mantine/core";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { lazy, Suspense, useMemo, useState } from "react";
import { type FieldValues, type Resolver, useForm } from "react-hook-form";
import { Link, useLocation } from "wouter";
import { z } from "zod";
import { call, hasCode } from "../api.ts";
import * as endpoints from "../client/endpoints.ts";
import { queryKeys } from "../client/query-keys.ts";
import { FitFromFile } from "../components/fit-from-file.tsx";
import { FormErrorAlert } from "../components/form-error-alert.tsx";
import { LaidOutSchemaForm } from "../components/form-layout.tsx";
import { InputModelContext } from "../components/input-model.ts";
import { RevisionHistory } from "../components/revision-history.tsx";
import { RunList } from "../components/run-list.tsx";
import { FormErrorSummary, SchemaForm } from "../components/schema-form.tsx";
import { ErrorState, Loading } from "../components/states.tsx";
import { formatDateTime } from "../format.ts";
import { applyServerErrors } from "../forms.ts";
import { entryProblems } from "../lib/entry-check.ts";
import { RESPONSE_MODEL_ID } from "../lib/model-artifacts.ts";
import type { JsonSchema } from "../lib/schema.ts";
import { useModel } from "../queries.ts";
import { useOrg } from "../session.ts";
import type { Model, Scenario } from "../types.ts";

// The what-if tab draws charts: ECharts (~190 KB gzipped) loads when the tab opens, not with the editor.
const SweepPanel = lazy(() =>
  import("../components/sweep-panel.tsx").then((m) => ({ default: m.SweepPanel })),
);

export function ScenarioPage({ id }: { id: string }) {
  const { session } = useOrg();
  const scenario = useQuery({
    queryKey: queryKeys.scenario(session?.activeOrgId, id),
    queryFn: () => call(endpoints.scenario, { params: { id } }),
  });
  const model = useModel(scenario.data?.modelId, scenario.data?.modelVersion);
  if (scenario.isPending || (scenario.data && model.isPending))
    return <Loading label="Loading the scenario…" />;
  if (scenario.error) return <ErrorState error={scenario.error} onRetry={() => scenario.refetch()} />;
  if (model.error) return <ErrorState error={model.error} onRetry={() => model.refetch()} />;
  if (!model.data) return <Loading />;
  return (
    <ScenarioEditor
      key={`${scenario.data.id}:${scenario.data.revision}`}
      scenario={scenario.data}
      model={model.data}
    />
  );
}

/**
 * Client-side checks from the model's own input schema; the server checks again and has the last
 * word. Emptied and unreadable numbers are refused first (lib/entry-check.ts): the schema's
 * defaults would otherwise accept them and store the default without a word.
 */
function useInputResolver(
  schema: Record<string, unknown>,
  saved: unknown,
): Resolver<FieldValues> | undefined {
  return useMemo(() => {
    let zod: Resolver<FieldValues> | undefined;
    try {
      zod = zodResolver(z.fromJSONSchema(schema as never) as never, undefined, {
        raw: true,
      }) as unknown as Resolver<FieldValues>;
    } catch {
      zod = undefined;
    }
    const resolver: Resolver<FieldValues> = async (values, context, options) => {
      const problems = entryProblems(schema as JsonSchema, values, saved);
      const base = zod ? await zod(values, context, options) : { values, errors: {} };
      if (problems.length === 0) return base;
      const errors: Record<string, unknown> = { ...(base.errors as Record<string, unknown>) };
      for (const p of problems) setPath(errors, p.path, { type: "entry", message: p.message });
      return { values: {}, errors: errors as never };
    };
    return resolver;
  }, [schema, saved]);
}

/** Sets a dotted path in a nested error object, making the objects (and row arrays) on the way. */
function setPath(target: Record<string, unknown>, path: string, value: unknown) {
  const keys = path.split(".");
  let cur = target as Record<string, unknown>;
  keys.slice(0, -1).forEach((k, i) => {
    const nextIsIndex = /^\d+$/.test(keys[i + 1]!);
    if (!cur[k] || typeof cur[k] !== "object") cur[k] = nextIsIndex ? [] : {};
    cur = cur[k] as Record<string, unknown>;
  });
  cur[keys[keys.length - 1]!] = value;
}

function ScenarioEditor({ scenario, model }: { scenario: Scenario; model: Model }) {
  const { can, org } = useOrg();
  const qc = useQueryClient();
  const [, navigate] = useLocation();
  const editable = can("projects:write");
  const canRun = can("runs:execute");
  const resolver = useInputResolver(model.inputSchema, scenario.input);
  const form = useForm<FieldValues>({
    defaultValues: scenario.input as FieldValues,
    resolver,
    mode: "onSubmit",
    reValidateMode: "onChange",
  });
  const [note, setNote] = useState("");
  const [noteHint, setNoteHint] = useState(false);
  const [formError, setFormError] = useState<string | null>(null);
  const [busy, setBusy] = useState<null | "save" | "run">(null);
  const currency =
    typeof form.watch("currency") === "string" ? (form.watch("currency") as string) : undefined;

  const save = async (values: FieldValues): Promise<boolean> => {
    try {
      await call(endpoints.updateScenario, {
        params: { id: scenario.id },
        body: {
          input: values,
          baseRevision: scenario.revision,
          ...(note.trim() ? { note: note.trim() } : {}),
        },
      });
      setNote("");
      await qc.invalidateQueries({ queryKey: queryKeys.scenario.all });
      await qc.invalidateQueries({ queryKey: queryKeys.scenarios.all });
      return true;
    } catch (err) {
      if (hasCode(err, "revision_conflict")) {
        setFormError(
          "Someone saved a newer revision of this scenario meanwhile. Reload to see it; your changes are still here.",
        );
      } else setFormError(applyServerErrors(err, form.setError, "body.input."));
      return false;
    }
  };
  const onSave = form.handleSubmit(async (values) => {
    setFormError(null);
    setBusy("save");
    await save(values);
    setBusy(null);
  });
  const onRun = form.handleSubmit(async (values) => {
    setFormError(null);
    setBusy("run");
    try {
      if (form.formState.isDirty && !(await save(values))) return;
      const run = await call(endpoints.createRun, {
        params: { id: model.id },
        body: { scenarioId: scenario.id },
      });
      await qc.invalidateQueries({ queryKey: queryKeys.runs.all });
      navigate(`/runs/${run.id}`);
    } catch (err) {
      setFormError(applyServerErrors(err, form.setError, "body.input."));
    } finally {
      setBusy(null);
    }
  });

  return (
    <Stack>
      <div>
        <Anchor component={Link} href={`/projects/${scenario.projectId}`} size="sm">
          ← Project
        </Anchor>
        <Group justify="space-between" align="flex-end">
          <div>
            <Title order={1} size="h2">
              {scenario.name}
            </Title>
            <Group gap="xs">
              <Anchor component={Link} href={`/models/${model.id}`} size="sm">
                {model.title}
              </Anchor>
              <Badge variant="light">v{scenario.modelVersion}</Badge>
              <Badge variant="outline">revision {scenario.revision}</Badge>
              <Text size="xs" c="dimmed">
                saved {formatDateTime(scenario.updatedAt)}
              </Text>
            </Group>
          </div>
          <Group>
            {editable ? (
              <Button
                variant="default"
                onClick={onSave}
                loading={busy === "save"}
                disabled={!form.formState.isDirty || busy !== null}
              >
                Save revision
              </Button>
            ) : null}
            {canRun ? (
              <Button onClick={onRun} loading={busy === "run"} disabled={busy !== null}>
                {form.formState.isDirty ? "Save and run" : "Run"}
              </Button>
            ) : null}
          </Group>
        </Group>
        {!editable ? (
          <Text size="sm" c="dimmed" mt="xs">
            You can read this scenario; your role ({org?.role}) cannot change or run it.
          </Text>
        ) : null}
      </div>
      <FormErrorAlert error={formError} title="Not saved" />
      {model.id === RESPONSE_MODEL_ID && canRun ? (
        <FitFromFile
          modelId={model.id}
          version={scenario.modelVersion}
          projectId={scenario.projectId}
          settings={() => form.getValues()}
        />
      ) : null}
      <Tabs defaultValue="inputs" keepMounted={false}>
        <Tabs.List>
          <Tabs.Tab value="inputs">Inputs</Tabs.Tab>
          <Tabs.Tab value="runs">Runs and comparison</Tabs.Tab>
          <Tabs.Tab value="what-if">What-if sweep</Tabs.Tab>
          <Tabs.Tab value="history">History</Tabs.Tab>
        </Tabs.List>
        <Tabs.Panel value="inputs" pt="md">
          <form
            onSubmit={onSave}
            noValidate
            aria-label="Scenario inputs"
            onKeyDown={(e) => {
              // Enter in a field does not save a revision by accident: only in the note, and only
              // when the note says why (issue 18 item 15); the buttons save as before.
              const t = e.target as HTMLElement;
              if (e.key !== "Enter" || t.tagName !== "INPUT") return;
              if (t.getAttribute("name") === "revision-note" && note.trim()) return;
              e.preventDefault();
              if (t.getAttribute("name") === "revision-note") setNoteHint(true);
            }}
          >
            <Stack>
              <FormErrorSummary control={form.control} />
              <InputModelContext.Provider value={{ id: model.id, version: scenario.modelVersion }}>
                {model.layout ? (
                  <LaidOutSchemaForm
                    layout={model.layout}
                    schema={model.inputSchema as JsonSchema}
                    control={form.control}
                    disabled={!editable}
                    currency={currency}
                  />
                ) : (
                  <SchemaForm
                    schema={model.inputSchema as JsonSchema}
                    control={form.control}
                    disabled={!editable}
                    currency={currency}
                  />
                )}
              </InputModelContext.Provider>
              {editable ? (
                <Paper withBorder p="sm">
                  <Group align="flex-end">
                    <TextInput
                      label="Revision note"
                      description="Why this change (shown in the history)"
                      w={{ base: "100%", sm: 420 }}
                      maxLength={500}
                      name="revision-note"
                      value={note}
                      onChange={(e) => {
                        setNote(e.currentTarget.value);
                        setNoteHint(false);
                      }}
                      error={noteHint ? "Write a note to save with Enter, or use Save revision" : undefined}
                    />
                    <Button
                      type="submit"
                      variant="default"
                      loading={busy === "save"}
                      disabled={!form.formState.isDirty}
                    >
                      Save revision
                    </Button>
                  </Group>
                </Paper>
              ) : null}
            </Stack>
          </form>
        </Tabs.Panel>
        <Tabs.Panel value="runs" pt="md">
          <RunList filter={{ scenarioId: scenario.id }} compare />
        </Tabs.Panel>
        <Tabs.Panel value="what-if" pt="md">
          <Suspense fallback={<Loading />}>
            <SweepPanel model={model} scenario={scenario} canRun={canRun} />
          </Suspense>
        </Tabs.Panel>
        <Tabs.Panel value="history" pt="md">
          <RevisionHistory scenario={scenario} editable={editable} />
        </Tabs.Panel>
      </Tabs>
    </Stack>
  );
}
