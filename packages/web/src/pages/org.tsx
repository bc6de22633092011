import { zodResolver } from "@hookform/resolvers/zod";
import {
  Alert,
  Badge,
  Button,
  Code,
  CopyButton,
  Group,
  NumberInput,
  Paper,
  Select,
  Stack,
  Table,
  Text,
  TextInput,
  Title,
} from "@mantine/core";
import { CreateApiKeyBody, CreateInvitationBody, CreateOrgBody, ROLES } from "@modelworks/contracts";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { Controller, useForm } from "react-hook-form";
import { useLocation, useSearch } from "wouter";
import type { z } from "zod";
import { call } from "../api.ts";
import * as endpoints from "../client/endpoints.ts";
import { queryKeys } from "../client/query-keys.ts";
import { FormErrorAlert } from "../components/form-error-alert.tsx";
import { Empty, ErrorState, Loading } from "../components/states.tsx";
import { formatDateTime } from "../format.ts";
import { applyServerErrors } from "../forms.ts";
import { keyCreatorNote } from "../lib/api-keys.ts";
import { useOrg, useSessionChange } from "../session.ts";
import type { ApiKey, ApiKeyCreated, InvitationCreated } from "../types.ts";

const ROLE_HELP: Record<string, string> = {
  viewer: "Viewer: reads projects, scenarios and runs",
  analyst: "Analyst: also creates and edits, runs models",
  admin: "Admin: also deletes, manages members, keys and the audit log",
  owner: "Owner: also renames or deletes the organization",
};

export function NewOrgPage() {
  const change = useSessionChange();
  const [, navigate] = useLocation();
  const { session } = useOrg();
  const [formError, setFormError] = useState<string | null>(null);
  const form = useForm<{ name: string }>({
    resolver: zodResolver(CreateOrgBody) as never,
    defaultValues: { name: "" },
  });
  const submit = form.handleSubmit(async (v) => {
    setFormError(null);
    try {
      await call(endpoints.createOrg, { body: v });
      await change(await call(endpoints.session));
      navigate("/projects");
    } catch (err) {
      setFormError(applyServerErrors(err, form.setError));
    }
  });
  return (
    <Paper withBorder p="lg" maw={480}>
      <form onSubmit={submit} noValidate>
        <Stack>
          <Title order={1} size="h3">
            Create an organization
          </Title>
          <Text size="sm" c="dimmed">
            {session?.organizations.length
              ? "A separate workspace with its own members, projects and runs. You become its owner."
              : "Projects, scenarios and runs live in an organization. Create one to start; you become its owner. If a colleague invited you, open the link they sent instead."}
          </Text>
          <FormErrorAlert error={formError} />
          <TextInput
            label="Organization name"
            {...form.register("name")}
            error={form.formState.errors.name?.message}
          />
          <Button type="submit" loading={form.formState.isSubmitting}>
            Create organization
          </Button>
        </Stack>
      </form>
    </Paper>
  );
}

export function AcceptInvitationPage() {
  const token = new URLSearchParams(useSearch()).get("token") ?? "";
  const change = useSessionChange();
  const [, navigate] = useLocation();
  const { session } = useOrg();
  const accept = useMutation({
    mutationFn: async () => {
      const org = await call(endpoints.acceptInvitation, {
        body: { token },
      });
      const s = await call(endpoints.setActiveOrg, { body: { orgId: org.id } });
      await change(s);
      return org;
    },
    onSuccess: () => navigate("/projects"),
  });
  if (!token)
    return <ErrorState title="No invitation" error={new Error("This link has no invitation token.")} />;
  return (
    <Paper withBorder p="lg" maw={520}>
      <Stack>
        <Title order={1} size="h3">
          Accept the invitation
        </Title>
        <Text size="sm">
          You are signed in as <b>{session?.user.email}</b>. The invitation must have been sent to this
          address.
        </Text>
        <FormErrorAlert error={accept.error} />
        <Button onClick={() => accept.mutate()} loading={accept.isPending}>
          Join the organization
        </Button>
      </Stack>
    </Paper>
  );
}

export function MembersPage() {
  const { session, can } = useOrg();
  const qc = useQueryClient();
  const members = useQuery({
    queryKey: queryKeys.members(session?.activeOrgId),
    queryFn: () => call(endpoints.members, { query: { limit: 100, sort: "joinedAt" } }),
  });
  const update = useMutation({
    // The role comes from a select offering ROLES only.
    mutationFn: ({ userId, role }: { userId: string; role: string }) =>
      call(endpoints.updateMember, { params: { userId }, body: { role: role as (typeof ROLES)[number] } }),
    onSettled: () => qc.invalidateQueries({ queryKey: queryKeys.members.all }),
  });
  const remove = useMutation({
    mutationFn: (userId: string) => call(endpoints.removeMember, { params: { userId } }),
    onSettled: () => qc.invalidateQueries({ queryKey: queryKeys.members.all }),
  });
  const manage = can("members:manage");
  if (members.isPending) return <Loading />;
  if (members.error) return <ErrorState error={members.error} onRetry={() => members.refetch()} />;
  return (
    <Stack>
      <Title order={1} size="h2">
        Members
      </Title>
      <FormErrorAlert error={update.error ?? remove.error} />
      <Table striped highlightOnHover>
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Name</Table.Th>
            <Table.Th>Email</Table.Th>
            <Table.Th>Role</Table.Th>
            <Table.Th>Joined</Table.Th>
            {manage ? <Table.Th>Actions</Table.Th> : null}
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {members.data.items.map((m) => (
            <Table.Tr key={m.userId}>
              <Table.Td>{m.name}</Table.Td>
              <Table.Td>{m.email}</Table.Td>
              <Table.Td>
                {manage && m.userId !== session?.user.id ? (
                  <Select
                    size="xs"
                    w={130}
                    aria-label={`Role of ${m.email}`}
                    allowDeselect={false}
                    data={[...ROLES]}
                    value={m.role}
                    onChange={(role) => role && update.mutate({ userId: m.userId, role })}
                  />
                ) : (
                  <Badge variant="light">{m.role}</Badge>
                )}
              </Table.Td>
              <Table.Td>{formatDateTime(m.joinedAt)}</Table.Td>
              {manage ? (
                <Table.Td>
                  {m.userId !== session?.user.id ? (
                    <Button
                      size="xs"
                      variant="subtle"
                      color="red"
                      onClick={() =>
                        window.confirm(`Remove ${m.email} from the organization?`) && remove.mutate(m.userId)
                      }
                    >
                      Remove
                    </Button>
                  ) : (
                    <Text size="xs" c="dimmed">
                      you
                    </Text>
                  )}
                </Table.Td>
              ) : null}
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      <Text size="xs" c="dimmed">
        {Object.values(ROLE_HELP).join(" · ")}
      </Text>
    </Stack>
  );
}

export function InvitationsPage() {
  const { session } = useOrg();
  const qc = useQueryClient();
  const [created, setCreated] = useState<InvitationCreated | null>(null);
  const [formError, setFormError] = useState<string | null>(null);
  const list = useQuery({
    queryKey: queryKeys.invitations(session?.activeOrgId),
    queryFn: () => call(endpoints.invitations, { query: { limit: 100, status: "pending" } }),
  });
  const revoke = useMutation({
    mutationFn: (id: string) => call(endpoints.revokeInvitation, { params: { id } }),
    onSettled: () => qc.invalidateQueries({ queryKey: queryKeys.invitations.all }),
  });
  const form = useForm<{ email: string; role: string }>({
    resolver: zodResolver(CreateInvitationBody) as never,
    defaultValues: { email: "", role: "viewer" },
  });
  const submit = form.handleSubmit(async (v) => {
    setFormError(null);
    try {
      // Validated by the same contract schema (the resolver) before it gets here.
      setCreated(await call(endpoints.createInvitation, { body: v as z.input<typeof CreateInvitationBody> }));
      form.reset({ email: "", role: v.role });
      await qc.invalidateQueries({ queryKey: queryKeys.invitations.all });
    } catch (err) {
      setFormError(applyServerErrors(err, form.setError));
    }
  });
  return (
    <Stack>
      <Title order={1} size="h2">
        Invitations
      </Title>
      <Paper withBorder p="md">
        <form onSubmit={submit} noValidate>
          <Group align="flex-end">
            <TextInput
              label="Email"
              w={280}
              {...form.register("email")}
              error={form.formState.errors.email?.message}
            />
            <Controller
              control={form.control}
              name="role"
              render={({ field, fieldState }) => (
                <Select
                  label="Role"
                  w={160}
                  data={[...ROLES]}
                  allowDeselect={false}
                  value={field.value}
                  onChange={(v) => field.onChange(v)}
                  error={fieldState.error?.message}
                />
              )}
            />
            <Button type="submit" loading={form.formState.isSubmitting}>
              Invite
            </Button>
          </Group>
        </form>
        <FormErrorAlert error={formError} mt="sm" />
      </Paper>
      {created ? (
        <Alert color="green" title={`Invitation for ${created.email} created`}>
          <Stack gap="xs">
            <Text size="sm">
              This link is shown once. Send it to {created.email}; they sign up or sign in with that address
              and accept.
            </Text>
            <Group gap="xs">
              <Code data-testid="accept-url">{created.acceptUrl}</Code>
              <CopyButton value={created.acceptUrl}>
                {({ copied, copy }) => (
                  <Button size="xs" variant="light" onClick={copy}>
                    {copied ? "Copied" : "Copy link"}
                  </Button>
                )}
              </CopyButton>
            </Group>
          </Stack>
        </Alert>
      ) : null}
      {list.isPending ? (
        <Loading />
      ) : list.error ? (
        <ErrorState error={list.error} />
      ) : list.data.items.length === 0 ? (
        <Empty title="No pending invitations">Invite a colleague by email above.</Empty>
      ) : (
        <Table striped>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Email</Table.Th>
              <Table.Th>Role</Table.Th>
              <Table.Th>Expires</Table.Th>
              <Table.Th>Actions</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {list.data.items.map((i) => (
              <Table.Tr key={i.id}>
                <Table.Td>{i.email}</Table.Td>
                <Table.Td>{i.role}</Table.Td>
                <Table.Td>{formatDateTime(i.expiresAt)}</Table.Td>
                <Table.Td>
                  <Button size="xs" variant="subtle" color="red" onClick={() => revoke.mutate(i.id)}>
                    Revoke
                  </Button>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
    </Stack>
  );
}

export function ApiKeysPage() {
  const { session } = useOrg();
  const qc = useQueryClient();
  const [created, setCreated] = useState<ApiKeyCreated | null>(null);
  const [formError, setFormError] = useState<string | null>(null);
  const list = useQuery({
    queryKey: queryKeys.apiKeys(session?.activeOrgId),
    queryFn: () => call(endpoints.apiKeys, { query: { limit: 100 } }),
  });
  const revoke = useMutation({
    mutationFn: (id: string) => call(endpoints.revokeApiKey, { params: { id } }),
    onSettled: () => qc.invalidateQueries({ queryKey: queryKeys.apiKeys.all }),
  });
  const form = useForm<{ name: string; scope: string; expiresInDays?: number }>({
    resolver: zodResolver(CreateApiKeyBody) as never,
    defaultValues: { name: "", scope: "run" },
  });
  const submit = form.handleSubmit(async (v) => {
    setFormError(null);
    try {
      setCreated(await call(endpoints.createApiKey, { body: v as z.input<typeof CreateApiKeyBody> }));
      form.reset({ name: "", scope: v.scope });
      await qc.invalidateQueries({ queryKey: queryKeys.apiKeys.all });
    } catch (err) {
      setFormError(applyServerErrors(err, form.setError));
    }
  });
  return (
    <Stack>
      <Title order={1} size="h2">
        API keys
      </Title>
      <Text size="sm" c="dimmed">
        Keys let scripts and other systems use the API as this organization: read (like a viewer), run (like
        an analyst) or admin.
      </Text>
      <Paper withBorder p="md">
        <form onSubmit={submit} noValidate>
          <Group align="flex-end">
            <TextInput
              label="Key name"
              w={220}
              {...form.register("name")}
              error={form.formState.errors.name?.message}
            />
            <Controller
              control={form.control}
              name="scope"
              render={({ field, fieldState }) => (
                <Select
                  label="Scope"
                  w={120}
                  data={["read", "run", "admin"]}
                  allowDeselect={false}
                  value={field.value}
                  onChange={(v) => field.onChange(v)}
                  error={fieldState.error?.message}
                />
              )}
            />
            <Controller
              control={form.control}
              name="expiresInDays"
              render={({ field, fieldState }) => (
                <NumberInput
                  label="Expires in (days)"
                  placeholder="never"
                  w={150}
                  allowDecimal={false}
                  value={field.value ?? ""}
                  onChange={(v) => field.onChange(typeof v === "number" ? v : undefined)}
                  error={fieldState.error?.message}
                />
              )}
            />
            <Button type="submit" loading={form.formState.isSubmitting}>
              Create key
            </Button>
          </Group>
        </form>
        <FormErrorAlert error={formError} mt="sm" />
      </Paper>
      {created ? (
        <Alert color="green" title={`Key “${created.name}” created`}>
          <Stack gap="xs">
            <Text size="sm">
              Copy it now: it is shown only once and stored hashed. Send it as Authorization: Bearer
              &lt;key&gt;.
            </Text>
            <Group gap="xs">
              <Code data-testid="api-key">{created.key}</Code>
              <CopyButton value={created.key}>
                {({ copied, copy }) => (
                  <Button size="xs" variant="light" onClick={copy}>
                    {copied ? "Copied" : "Copy key"}
                  </Button>
                )}
              </CopyButton>
              <Button size="xs" variant="subtle" onClick={() => setCreated(null)}>
                I have stored it
              </Button>
            </Group>
          </Stack>
        </Alert>
      ) : null}
      {list.isPending ? (
        <Loading />
      ) : list.error ? (
        <ErrorState error={list.error} />
      ) : list.data.items.length === 0 ? (
        <Empty title="No API keys yet">Create one above for a script or another system.</Empty>
      ) : (
        <Table striped>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Name</Table.Th>
              <Table.Th>Prefix</Table.Th>
              <Table.Th>Scope</Table.Th>
              <Table.Th>Created by</Table.Th>
              <Table.Th>Created</Table.Th>
              <Table.Th>Last used</Table.Th>
              <Table.Th>Expires</Table.Th>
              <Table.Th>Actions</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {list.data.items.map((k) => (
              <Table.Tr key={k.id}>
                <Table.Td>{k.name}</Table.Td>
                <Table.Td>
                  <Code>{k.prefix}…</Code>
                </Table.Td>
                <Table.Td>{k.scope}</Table.Td>
                <Table.Td>
                  <KeyCreator apiKey={k} />
                </Table.Td>
                <Table.Td>{formatDateTime(k.createdAt)}</Table.Td>
                <Table.Td>{k.lastUsedAt ? formatDateTime(k.lastUsedAt) : "never"}</Table.Td>
                <Table.Td>{k.expiresAt ? formatDateTime(k.expiresAt) : "never"}</Table.Td>
                <Table.Td>
                  <Button
                    size="xs"
                    variant="subtle"
                    color="red"
                    onClick={() =>
                      window.confirm(`Revoke ${k.name}? Scripts using it stop working.`) &&
                      revoke.mutate(k.id)
                    }
                  >
                    Revoke
                  </Button>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
    </Stack>
  );
}

export function AuditPage() {
  const { session } = useOrg();
  const [action, setAction] = useState("");
  const [offset, setOffset] = useState(0);
  const limit = 50;
  const valid = action === "" || /^[a-z_.*]+$/.test(action);
  const list = useQuery({
    queryKey: queryKeys.audit(session?.activeOrgId, action, offset),
    queryFn: () => call(endpoints.auditEvents, { query: { limit, offset, action: action || undefined } }),
    enabled: valid,
    placeholderData: (prev) => prev,
  });
  return (
    <Stack>
      <Title order={1} size="h2">
        Audit log
      </Title>
      <TextInput
        label="Action"
        description="An action such as project.created, or a prefix such as run.*"
        w={320}
        value={action}
        onChange={(e) => {
          setAction(e.currentTarget.value.trim());
          setOffset(0);
        }}
        error={valid ? undefined : "lower-case letters, dots, underscores and * only"}
      />
      {list.isPending ? (
        <Loading />
      ) : list.error ? (
        <ErrorState error={list.error} />
      ) : list.data.items.length === 0 ? (
        <Empty title="No matching events" />
      ) : (
        <>
          <Table striped>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>When</Table.Th>
                <Table.Th>Who</Table.Th>
                <Table.Th>Action</Table.Th>
                <Table.Th>Target</Table.Th>
                <Table.Th>Details</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {list.data.items.map((e) => (
                <Table.Tr key={e.id}>
                  <Table.Td>{formatDateTime(e.createdAt)}</Table.Td>
                  <Table.Td>{e.actorEmail ?? e.actorType}</Table.Td>
                  <Table.Td>
                    <Code>{e.action}</Code>
                  </Table.Td>
                  <Table.Td>{e.targetType ? `${e.targetType} ${e.targetId ?? ""}` : ""}</Table.Td>
                  <Table.Td>
                    <Text size="xs" ff="monospace" lineClamp={2}>
                      {Object.keys(e.metadata).length ? JSON.stringify(e.metadata) : ""}
                    </Text>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
          <Group>
            <Button
              size="xs"
              variant="default"
              disabled={offset === 0}
              onClick={() => setOffset(Math.max(0, offset - limit))}
            >
              Newer
            </Button>
            <Text size="sm">
              {offset + 1}–{offset + list.data.items.length} of {list.data.total}
            </Text>
            <Button
              size="xs"
              variant="default"
              disabled={offset + limit >= list.data.total}
              onClick={() => setOffset(offset + limit)}
            >
              Older
            </Button>
          </Group>
        </>
      )}
    </Stack>
  );
}

/** Who made a key, and what that means for it now (lib/api-keys.ts). */
function KeyCreator({ apiKey }: { apiKey: ApiKey }) {
  const { who, email, note, tone } = keyCreatorNote(apiKey);
  return (
    <Stack gap={0}>
      <Text size="sm" c={email ? undefined : "dimmed"}>
        {who}
      </Text>
      {email ? (
        <Text size="xs" c="dimmed">
          {email}
        </Text>
      ) : null}
      {note ? (
        <Text size="xs" c={tone === "dead" ? "red" : "orange"}>
          {note}
        </Text>
      ) : null}
    </Stack>
  );
}
