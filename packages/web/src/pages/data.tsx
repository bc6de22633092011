import { zodResolver } from "@hookform/resolvers/zod";
import {
  Anchor,
  Badge,
  Button,
  Checkbox,
  Group,
  NativeSelect,
  NumberInput,
  Paper,
  PasswordInput,
  Stack,
  Table,
  Text,
  TextInput,
  Title,
  VisuallyHidden,
} from "@mantine/core";
import { DeleteAccountBody, UpdateRetentionBody } from "@modelworks/contracts";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { Controller, useForm } from "react-hook-form";
import { useLocation } from "wouter";
import { API, call, errorMessage, hasCode } from "../api.ts";
import * as endpoints from "../client/endpoints.ts";
import { queryKeys } from "../client/query-keys.ts";
import { FormErrorAlert } from "../components/form-error-alert.tsx";
import { ShareLinksTable } from "../components/share-links-table.tsx";
import { Empty, ErrorState, Loading } from "../components/states.tsx";
import { formatBytes, formatDateTime } from "../format.ts";
import { applyServerErrors } from "../forms.ts";
import type { UploadedFile } from "../lib/files.ts";
import { useOrg, useSessionChange } from "../session.ts";

/*
 * What an organization keeps and shares: its uploaded files and share links (with delete and
 * revoke), its retention policy, the export of everything, and the two erasures — of the
 * organization and of one's own account (docs/decisions/0014-retention-and-privacy.md).
 */

const LINK_STATUSES = [
  { value: "active", label: "Active" },
  { value: "expired", label: "Expired" },
  { value: "revoked", label: "Revoked" },
  { value: "", label: "All" },
];

export function FilesAndLinksPage() {
  const { session, can } = useOrg();
  const qc = useQueryClient();
  const orgId = session?.activeOrgId;
  const [error, setError] = useState<string | null>(null);
  const [status, setStatus] = useState("active");
  const files = useQuery({
    queryKey: queryKeys.files(orgId),
    queryFn: () => call(endpoints.files, { query: { limit: 100, sort: "-createdAt" } }),
  });
  const links = useQuery({
    queryKey: queryKeys.shareLinks(orgId, "org", status),
    queryFn: () =>
      call(endpoints.shareLinks, {
        query: { limit: 100, sort: "-createdAt", status: (status || undefined) as "active" | undefined },
      }),
  });
  const act = async (request: () => Promise<unknown>, key: readonly string[]) => {
    setError(null);
    try {
      await request();
      await qc.invalidateQueries({ queryKey: key });
    } catch (err) {
      setError(errorMessage(err));
    }
  };
  const deleteFile = (f: UploadedFile) =>
    window.confirm(`Delete ${f.name}? Scenarios keep the rows already taken from it.`) &&
    void act(() => call(endpoints.deleteFile, { params: { id: f.id } }), queryKeys.files.all);

  return (
    <Stack>
      <Title order={1} size="h2">
        Files and share links
      </Title>
      <FormErrorAlert error={error} title="Not done" />
      <section aria-labelledby="files-heading">
        <Title order={2} size="h3" id="files-heading" mb="xs">
          Uploaded files
        </Title>
        <Text size="sm" c="dimmed" mb="xs">
          Files uploaded into scenarios' tables, newest first
          {files.data ? ` (${files.data.total} in all)` : ""}. Your retention policy deletes them after a
          while (Data &amp; privacy).
        </Text>
        {files.isPending ? (
          <Loading />
        ) : files.error ? (
          <ErrorState error={files.error} />
        ) : files.data.items.length === 0 ? (
          <Empty title="No files yet">Upload a CSV or XLSX from an input table of a scenario.</Empty>
        ) : (
          <Table striped data-testid="files">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Name</Table.Th>
                <Table.Th>Kind</Table.Th>
                <Table.Th ta="right">Rows</Table.Th>
                <Table.Th ta="right">Columns</Table.Th>
                <Table.Th ta="right">Size</Table.Th>
                <Table.Th>Uploaded</Table.Th>
                <Table.Th>
                  <VisuallyHidden>Actions</VisuallyHidden>
                </Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {files.data.items.map((f) => (
                <Table.Tr key={f.id}>
                  <Table.Td>{f.name}</Table.Td>
                  <Table.Td>{f.kind.toUpperCase()}</Table.Td>
                  <Table.Td ta="right">{f.rowCount.toLocaleString("en-US")}</Table.Td>
                  <Table.Td ta="right">{f.columnCount}</Table.Td>
                  <Table.Td ta="right">{formatBytes(f.sizeBytes)}</Table.Td>
                  <Table.Td>{formatDateTime(f.createdAt)}</Table.Td>
                  <Table.Td>
                    {can("projects:delete") ? (
                      <Button
                        size="compact-sm"
                        color="red"
                        variant="light"
                        aria-label={`Delete ${f.name}`}
                        onClick={() => deleteFile(f)}
                      >
                        Delete
                      </Button>
                    ) : null}
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        )}
      </section>
      <section aria-labelledby="links-heading">
        <Group justify="space-between" align="end" mb="xs">
          <Title order={2} size="h3" id="links-heading">
            Share links
          </Title>
          <NativeSelect
            label="Show"
            w={160}
            data={LINK_STATUSES}
            value={status}
            onChange={(e) => setStatus(e.currentTarget.value)}
          />
        </Group>
        <Text size="sm" c="dimmed" mb="xs">
          Every public link to a run or a comparison in this organization. A revoked link answers "gone" at
          once.
        </Text>
        {links.isPending ? (
          <Loading />
        ) : links.error ? (
          <ErrorState error={links.error} />
        ) : links.data.items.length === 0 ? (
          <Empty title="No share links here">Share a run from its page (Share).</Empty>
        ) : (
          <ShareLinksTable
            links={links.data.items}
            showRuns
            canRevoke={can("runs:execute")}
            onRevoke={(l) =>
              void act(
                () => call(endpoints.revokeShareLink, { params: { id: l.id } }),
                queryKeys.shareLinks.all,
              )
            }
          />
        )}
      </section>
    </Stack>
  );
}

type RetentionForm = {
  filesDays: number | null;
  runsDays: number | null;
  expiredShareLinksDays: number | null;
  /** Days, null (keep forever) or "server-default" (the server's CONTENT_ITEMS_RETENTION_DAYS). */
  contentItemsDays?: number | null | "server-default";
};

const RETENTION_FIELDS: {
  key: "filesDays" | "runsDays" | "expiredShareLinksDays";
  label: string;
  description: string;
}[] = [
  {
    key: "filesDays",
    label: "Delete uploaded files after (days)",
    description: "Counted from the upload. Rows already taken into scenarios stay.",
  },
  {
    key: "runsDays",
    label: "Delete finished runs after (days)",
    description: "Counted from when the run finished; queued and running runs are never deleted.",
  },
  {
    key: "expiredShareLinksDays",
    label: "Delete dead share links after (days)",
    description: "Counted from when the link expired or was revoked.",
  },
];

export function DataPrivacyPage() {
  const { session, org, can } = useOrg();
  const qc = useQueryClient();
  const change = useSessionChange();
  const [, navigate] = useLocation();
  const orgId = session?.activeOrgId;
  const policy = useQuery({
    queryKey: queryKeys.retention(orgId),
    queryFn: () => call(endpoints.retention),
  });
  const form = useForm<RetentionForm>({
    resolver: zodResolver(UpdateRetentionBody) as never,
    defaultValues: {
      filesDays: null,
      runsDays: null,
      expiredShareLinksDays: null,
      contentItemsDays: "server-default",
    },
  });
  const { reset } = form;
  useEffect(() => {
    if (policy.data)
      reset({
        filesDays: policy.data.filesDays,
        runsDays: policy.data.runsDays,
        expiredShareLinksDays: policy.data.expiredShareLinksDays,
        contentItemsDays:
          policy.data.contentItemsDaysSource === "server" ? "server-default" : policy.data.contentItemsDays,
      });
  }, [policy.data, reset]);
  const [saved, setSaved] = useState(false);
  const [formError, setFormError] = useState<string | null>(null);
  const save = form.handleSubmit(async (v) => {
    setFormError(null);
    setSaved(false);
    try {
      const next = await call(endpoints.updateRetention, { body: v });
      qc.setQueryData(["retention", orgId], next);
      setSaved(true);
    } catch (err) {
      setFormError(applyServerErrors(err, form.setError));
    }
  });

  const [confirmName, setConfirmName] = useState("");
  const [deleteError, setDeleteError] = useState<string | null>(null);
  const deleteOrg = async () => {
    setDeleteError(null);
    try {
      await call(endpoints.deleteOrg);
      await change(await call(endpoints.session));
      navigate("/projects", { replace: true });
    } catch (err) {
      setDeleteError(errorMessage(err));
    }
  };
  const editable = can("retention:manage");

  return (
    <Stack>
      <Title order={1} size="h2">
        Data &amp; privacy
      </Title>
      <Paper withBorder p="md" component="section" aria-labelledby="retention-heading">
        <Group gap="xs" mb="xs">
          <Title order={2} size="h3" id="retention-heading">
            Retention
          </Title>
          {policy.data?.isDefault ? (
            <Badge variant="light" color="gray">
              default policy
            </Badge>
          ) : null}
        </Group>
        <Text size="sm" c="dimmed" mb="sm">
          How long this organization keeps what it no longer uses. Leave a field empty to keep forever. A
          sweep deletes what is older, in batches, and records each deletion in the audit log.
          {policy.data?.updatedAt ? ` Last changed ${formatDateTime(policy.data.updatedAt)}.` : ""}
        </Text>
        {policy.isPending ? (
          <Loading />
        ) : policy.error ? (
          <ErrorState error={policy.error} />
        ) : (
          <form onSubmit={save} noValidate>
            <Stack gap="sm" maw={420}>
              {RETENTION_FIELDS.map((f) => (
                <Controller
                  key={f.key}
                  control={form.control}
                  name={f.key}
                  render={({ field, fieldState }) => (
                    <NumberInput
                      label={f.label}
                      description={f.description}
                      placeholder="keep forever"
                      allowDecimal={false}
                      min={1}
                      max={3650}
                      disabled={!editable}
                      value={field.value ?? ""}
                      onChange={(v) => field.onChange(v === "" ? null : Number(v))}
                      error={fieldState.error?.message}
                    />
                  )}
                />
              ))}
              <Controller
                control={form.control}
                name="contentItemsDays"
                render={({ field, fieldState }) => {
                  const server = policy.data?.serverContentItemsDays ?? null;
                  const followsServer = field.value === "server-default";
                  return (
                    <Stack gap={4}>
                      <NumberInput
                        label="Delete stored content items after (days)"
                        description="Articles fetched from followed sources, counted from publication and fetch; items behind measured posts stay."
                        placeholder="keep forever"
                        allowDecimal={false}
                        min={1}
                        max={36500}
                        disabled={!editable || followsServer}
                        value={followsServer ? (server ?? "") : (field.value ?? "")}
                        onChange={(v) => field.onChange(v === "" ? null : Number(v))}
                        error={fieldState.error?.message}
                      />
                      <Checkbox
                        label={`Use the server's setting (${server === null ? "keep forever" : `${server} days`})`}
                        checked={followsServer}
                        disabled={!editable}
                        onChange={(e) => field.onChange(e.currentTarget.checked ? "server-default" : server)}
                      />
                    </Stack>
                  );
                }}
              />
              <FormErrorAlert error={formError} />
              {saved ? (
                <Text size="sm" role="status">
                  Saved. The next sweep applies it.
                </Text>
              ) : null}
              {editable ? (
                <Group>
                  <Button type="submit" loading={form.formState.isSubmitting}>
                    Save retention
                  </Button>
                </Group>
              ) : (
                <Text size="sm" c="dimmed">
                  Only admins change the retention policy.
                </Text>
              )}
            </Stack>
          </form>
        )}
      </Paper>
      {can("data:export") ? (
        <Paper withBorder p="md" component="section" aria-labelledby="export-heading">
          <Title order={2} size="h3" id="export-heading" mb="xs">
            Export everything
          </Title>
          <Text size="sm" c="dimmed" mb="sm">
            One ZIP: projects, scenarios with their revisions, sweeps, runs, uploaded files with their
            originals, field mappings, members, invitations, API keys and share links (without their secrets),
            the retention policy and the audit log — JSON, with a manifest.
          </Text>
          <Anchor href={`${API}/org/export`} download>
            Download the organization's data (ZIP)
          </Anchor>
        </Paper>
      ) : null}
      {can("org:manage") && org ? (
        <Paper withBorder p="md" component="section" aria-labelledby="erase-heading">
          <Title order={2} size="h3" id="erase-heading" mb="xs">
            Delete this organization
          </Title>
          <Text size="sm" mb="sm">
            Erases {org.name} and everything in it — projects, scenarios, runs, files and their stored bytes,
            share links, members' access and the audit history. It cannot be undone: export first if you may
            need any of it.
          </Text>
          <Group align="end">
            <TextInput
              label={`Type ${org.name} to confirm`}
              value={confirmName}
              onChange={(e) => setConfirmName(e.currentTarget.value)}
              w={320}
            />
            <Button color="red" disabled={confirmName !== org.name} onClick={() => void deleteOrg()}>
              Delete organization
            </Button>
          </Group>
          <FormErrorAlert error={deleteError} mt="sm" />
        </Paper>
      ) : null}
    </Stack>
  );
}

export function AccountPage() {
  const { session } = useOrg();
  const change = useSessionChange();
  const [, navigate] = useLocation();
  const [formError, setFormError] = useState<string | null>(null);
  const form = useForm<{ password: string }>({
    resolver: zodResolver(DeleteAccountBody) as never,
    defaultValues: { password: "" },
  });
  const remove = form.handleSubmit(async (v) => {
    setFormError(null);
    if (!window.confirm("Delete your account? This cannot be undone.")) return;
    try {
      await call(endpoints.deleteAccount, { body: v });
      await change(null);
      navigate("/sign-in", { replace: true });
    } catch (err) {
      // The sole owner of an organization others still belong to: the server says which.
      setFormError(hasCode(err, "sole_owner") ? errorMessage(err) : applyServerErrors(err, form.setError));
    }
  });
  return (
    <Stack>
      <Title order={1} size="h2">
        Your account
      </Title>
      <Text>
        {session?.user.name} · {session?.user.email}
      </Text>
      <Paper withBorder p="md" component="section" aria-labelledby="delete-account-heading">
        <Title order={2} size="h3" id="delete-account-heading" mb="xs">
          Delete your account
        </Title>
        <Text size="sm" mb="sm">
          Removes your sign-in, your sessions, your API keys and your memberships. Organizations where you are
          the only member are deleted with everything in them. If you are the only owner of an organization
          others belong to, make someone else an owner first. What you created in shared organizations stays
          there, no longer attributed to you; their audit logs keep your actions without your email or IP
          address.
        </Text>
        <form onSubmit={remove} noValidate>
          <Group align="start">
            <Controller
              control={form.control}
              name="password"
              render={({ field, fieldState }) => (
                <PasswordInput
                  label="Your password"
                  autoComplete="current-password"
                  w={320}
                  {...field}
                  error={fieldState.error?.message}
                />
              )}
            />
            <Button type="submit" color="red" mt={25} loading={form.formState.isSubmitting}>
              Delete my account
            </Button>
          </Group>
          <FormErrorAlert error={formError} mt="sm" />
        </form>
      </Paper>
    </Stack>
  );
}
