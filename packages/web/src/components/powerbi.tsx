import {
  Alert,
  Anchor,
  Button,
  Card,
  Group,
  Progress,
  Radio,
  Stack,
  Text,
  TextInput,
  Title,
} from "@mantine/core";
import type { PowerBiPublishOutput } from "@modelworks/contracts/powerbi";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { ApiError, call } from "../api.ts";
import * as endpoints from "../client/endpoints.ts";
import { queryKeys } from "../client/query-keys.ts";
import { formatDateTime } from "../format.ts";
import { useOrg } from "../session.ts";
import { FormErrorAlert } from "./form-error-alert.tsx";
import { datasetIdError, type PublishChoice, publishBody } from "./powerbi-publishes.ts";

/*
 * Power BI publishing (issue 16 item 5d): the organization's connection (admins, on the AI
 * providers page) and the dashboard's "Publish to Power BI" button, which starts a publish run
 * and shows its progress and result. Kept in one file so the pages only gain a line each.
 */

const FIELDS = [
  ["tenantId", "Directory (tenant) id", "GUID or contoso.onmicrosoft.com"],
  ["clientId", "Application (client) id", "GUID of the app registration"],
  ["groupId", "Workspace id", "GUID of the Power BI workspace"],
  ["clientSecret", "Client secret", "stored encrypted, never shown again"],
] as const;
type Field = (typeof FIELDS)[number][0];

/** The connection form: set, test, remove. */
export function PowerBiSettings() {
  const { session } = useOrg();
  const org = session?.activeOrgId;
  const qc = useQueryClient();
  const state = useQuery({
    queryKey: queryKeys.powerBi(org),
    queryFn: () => call(endpoints.powerBiConnection),
  });
  const [values, setValues] = useState<Record<Field, string>>({
    tenantId: "",
    clientId: "",
    groupId: "",
    clientSecret: "",
  });
  const [errors, setErrors] = useState<Partial<Record<Field, string>>>({});
  const conn = state.data?.connection ?? null;
  const refresh = () => qc.invalidateQueries({ queryKey: queryKeys.powerBi.all });
  const save = useMutation({
    mutationFn: () =>
      call(endpoints.putPowerBiConnection, {
        body: {
          tenantId: values.tenantId.trim() || conn?.tenantId || "",
          clientId: values.clientId.trim() || conn?.clientId || "",
          groupId: values.groupId.trim() || conn?.groupId || "",
          ...(values.clientSecret ? { clientSecret: values.clientSecret } : {}),
        },
      }),
    onMutate: () => setErrors({}),
    onSuccess: async () => {
      setValues({ tenantId: "", clientId: "", groupId: "", clientSecret: "" });
      await refresh();
    },
    onError: (err) => {
      if (err instanceof ApiError)
        setErrors(Object.fromEntries(err.fieldErrors.map((e) => [e.path.replace(/^body\./, ""), e.message])));
    },
  });
  const test = useMutation({ mutationFn: () => call(endpoints.testPowerBiConnection), onSettled: refresh });
  const remove = useMutation({
    mutationFn: () => call(endpoints.deletePowerBiConnection),
    onSuccess: refresh,
  });
  return (
    <Card withBorder component="section" aria-labelledby="powerbi-heading">
      <Title order={2} size="h4" id="powerbi-heading" mb={4}>
        Power BI
      </Title>
      <Text size="sm" c="dimmed" mb="xs">
        Dashboards publish to a Power BI workspace as push datasets, through a Microsoft Entra app
        registration (client credentials) that is a member of the workspace.
      </Text>
      {conn ? (
        <Text size="sm" mb="xs" data-testid="powerbi-connection">
          Connected: tenant {conn.tenantId}, app {conn.clientId}, workspace {conn.groupId}, secret{" "}
          {conn.secretHint}
          {conn.lastTestedAt ? ` · tested ${formatDateTime(conn.lastTestedAt)}` : " · not tested yet"}
        </Text>
      ) : null}
      <form
        onSubmit={(e) => {
          e.preventDefault();
          save.mutate();
        }}
      >
        <Stack gap="xs">
          {FIELDS.map(([name, label, hint]) => (
            <TextInput
              key={name}
              label={label}
              description={hint}
              type={name === "clientSecret" ? "password" : "text"}
              placeholder={conn && name !== "clientSecret" ? conn[name] : undefined}
              value={values[name]}
              error={errors[name]}
              onChange={(e) => setValues({ ...values, [name]: e.currentTarget.value })}
              required={!conn}
            />
          ))}
          <Group gap="xs">
            <Button type="submit" loading={save.isPending}>
              Save
            </Button>
            {conn ? (
              <>
                <Button variant="default" onClick={() => test.mutate()} loading={test.isPending}>
                  Test connection
                </Button>
                <Button
                  variant="subtle"
                  color="red"
                  onClick={() => remove.mutate()}
                  loading={remove.isPending}
                >
                  Remove
                </Button>
              </>
            ) : null}
          </Group>
        </Stack>
      </form>
      <FormErrorAlert error={Object.keys(errors).length ? null : save.error} />
      {test.data ? (
        <Alert color="green" mt="xs">
          The app signed in and sees {test.data.datasetsInWorkspace} dataset(s) in the workspace.
        </Alert>
      ) : null}
      <FormErrorAlert error={test.error} mt="xs" />
    </Card>
  );
}

/** "Publish to Power BI": starts a publish run of the revision and follows it to the end. */
export function PublishToPowerBi({ conversationId, revision }: { conversationId: string; revision: number }) {
  const { session, can } = useOrg();
  const org = session?.activeOrgId;
  const [runId, setRunId] = useState<string | null>(null);
  const [choice, setChoice] = useState<PublishChoice>("new");
  const start = useMutation({
    mutationFn: () =>
      call(endpoints.publishToPowerBi, {
        params: { id: conversationId, revision: String(revision) },
        body: publishBody(choice),
      }),
    onSuccess: (r) => setRunId(r.runId),
  });
  const choiceError = start.error instanceof ApiError ? datasetIdError(start.error.fieldErrors) : undefined;
  const run = useQuery({
    queryKey: queryKeys.run(org, runId ?? ""),
    queryFn: () => call(endpoints.run, { params: { id: runId! } }),
    enabled: runId !== null,
    refetchInterval: (q) =>
      q.state.data && ["succeeded", "failed", "canceled"].includes(q.state.data.status) ? false : 1000,
  });
  // The datasets earlier publishes of this dashboard made (the server reads them from its runs).
  const earlier = useQuery({
    // Read again when a publish of this page ends: it may have made a dataset to offer.
    queryKey: [...queryKeys.powerBi(org), "publishes", conversationId, runId, run.data?.status],
    queryFn: async () => (await call(endpoints.powerBiPublishes, { params: { id: conversationId } })).items,
    // The choice stays on screen while the list is read again.
    placeholderData: (previous) => previous,
    enabled: can("runs:execute"),
  });
  if (!can("runs:execute")) return null;
  const r = run.data;
  const busy = start.isPending || (r !== undefined && ["queued", "running"].includes(r.status));
  const output = r?.status === "succeeded" ? (r.output as PowerBiPublishOutput) : null;
  return (
    <Stack gap={4} aria-label="Publish to Power BI">
      {earlier.data?.length ? (
        <Radio.Group
          size="xs"
          label="Publish into"
          value={choice}
          onChange={(v) => {
            setChoice(v);
            start.reset();
          }}
          error={choiceError}
        >
          <Stack gap={2} mt={2}>
            <Radio value="new" label="A new dataset" />
            {earlier.data.map((p) => (
              <Radio
                key={p.datasetId}
                value={p.datasetId}
                label={`Update the dataset published on ${formatDateTime(p.publishedAt)} (“${p.datasetName}”${
                  p.updatedAt !== p.publishedAt ? `, last updated ${formatDateTime(p.updatedAt)}` : ""
                })`}
              />
            ))}
          </Stack>
        </Radio.Group>
      ) : null}
      <Button size="compact-sm" variant="light" onClick={() => start.mutate()} loading={busy}>
        Publish to Power BI
      </Button>
      {r && busy ? (
        <Progress
          value={Math.round(r.progress * 100)}
          size="sm"
          aria-label={r.progressMessage ?? "Publishing"}
        />
      ) : null}
      <FormErrorAlert error={choiceError ? null : start.error} />
      <FormErrorAlert
        error={
          r?.status === "failed" || r?.status === "canceled"
            ? (r.error?.message ?? `The publish run was ${r.status}.`)
            : null
        }
      />
      {output ? (
        <Text size="xs">
          {output.refreshed ? "Updated" : "Published"} dataset “{output.datasetName}” (
          {output.tables.reduce((n, t) => n + t.rows, 0).toLocaleString("en-US")} rows).{" "}
          {output.webUrl ? (
            <Anchor href={output.webUrl} target="_blank" rel="noreferrer">
              Open in Power BI
            </Anchor>
          ) : (
            `Dataset id ${output.datasetId}.`
          )}
        </Text>
      ) : null}
    </Stack>
  );
}
