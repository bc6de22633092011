import { Anchor, Button, Group, Stack, Table, Title } from "@mantine/core";
import { useMutation, useQuery } from "@tanstack/react-query";
import { Link, useLocation } from "wouter";
import { call } from "../api.ts";
import * as endpoints from "../client/endpoints.ts";
import { queryKeys } from "../client/query-keys.ts";
import { formatDateTime } from "../format.ts";
import { useOrg } from "../session.ts";
import { FormErrorAlert } from "./form-error-alert.tsx";
import { Empty, ErrorState, Loading } from "./states.tsx";

// Its own module, so the project page does not load the dashboard's charts (pages/dashboards.tsx).
/** The "Dashboards" section of a project: its conversations, the most recently active first. */
export function ProjectDashboards({ projectId }: { projectId: string }) {
  const { session, can } = useOrg();
  const org = session?.activeOrgId;
  const [, navigate] = useLocation();
  const list = useQuery({
    queryKey: queryKeys.conversations(org, projectId),
    queryFn: () =>
      call(endpoints.conversations, {
        params: { projectId },
        query: { limit: 100, sort: "-lastActivityAt" },
      }),
  });
  const create = useMutation({
    mutationFn: () => call(endpoints.createConversation, { params: { projectId }, body: {} }),
    onSuccess: (c) => navigate(`/conversations/${c.id}`),
  });
  return (
    <Stack gap="xs">
      <Group justify="space-between">
        <Title order={2} size="h3">
          Dashboards
        </Title>
        {can("projects:write") ? (
          <Button size="compact-sm" onClick={() => create.mutate()} loading={create.isPending}>
            New dashboard
          </Button>
        ) : null}
      </Group>
      <FormErrorAlert error={create.error} />
      {list.isPending ? (
        <Loading />
      ) : list.error ? (
        <ErrorState error={list.error} onRetry={() => list.refetch()} />
      ) : list.data.items.length === 0 ? (
        <Empty title="No dashboards in this project">
          Start one, attach a few data files and say what you want to see.
        </Empty>
      ) : (
        <Table striped highlightOnHover aria-label="Dashboards">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Dashboard</Table.Th>
              <Table.Th>Messages</Table.Th>
              <Table.Th>Plan revision</Table.Th>
              <Table.Th>Last activity</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {list.data.items.map((c) => (
              <Table.Tr key={c.id}>
                <Table.Td>
                  <Anchor component={Link} href={`/conversations/${c.id}`}>
                    {c.title}
                  </Anchor>
                </Table.Td>
                <Table.Td>{c.messageCount}</Table.Td>
                <Table.Td>{c.currentRevision ?? "—"}</Table.Td>
                <Table.Td>{formatDateTime(c.lastActivityAt)}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
    </Stack>
  );
}
