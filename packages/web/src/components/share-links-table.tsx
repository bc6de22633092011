import { Anchor, Badge, Button, Table, Text, VisuallyHidden } from "@mantine/core";
import { Link } from "wouter";
import { formatDateTime } from "../format.ts";
import type { ShareLink } from "../types.ts";

/**
 * Share links as a table — what each shares, its status, expiry and how often it was opened —
 * with Revoke on the active ones. The run's share dialog and the organization's list both use it.
 */
export function ShareLinksTable({
  links,
  canRevoke,
  onRevoke,
  showRuns = false,
}: {
  links: ShareLink[];
  canRevoke: boolean;
  onRevoke: (link: ShareLink) => void;
  /** Link each shared run (the organization's list; the dialog is already on the run). */
  showRuns?: boolean;
}) {
  return (
    <Table striped data-testid="share-links">
      <Table.Thead>
        <Table.Tr>
          <Table.Th>Label</Table.Th>
          <Table.Th>Shares</Table.Th>
          <Table.Th>Status</Table.Th>
          <Table.Th>Expires</Table.Th>
          <Table.Th>Opened</Table.Th>
          <Table.Th>
            <VisuallyHidden>Actions</VisuallyHidden>
          </Table.Th>
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {links.map((l) => (
          <Table.Tr key={l.id}>
            <Table.Td>{l.label || <Text c="dimmed">—</Text>}</Table.Td>
            <Table.Td>
              {l.conversationId
                ? "a dashboard (live)"
                : l.runIds.length > 1
                  ? `comparison of ${l.runIds.length} runs`
                  : "one run"}
              {showRuns && l.conversationId ? (
                <Anchor component={Link} href={`/conversations/${l.conversationId}`} size="sm" ml={6}>
                  open dashboard
                </Anchor>
              ) : null}
              {showRuns
                ? l.runIds.map((id, i) => (
                    <Anchor key={id} component={Link} href={`/runs/${id}`} size="sm" ml={6}>
                      {l.runIds.length > 1 ? `run ${i + 1}` : "open run"}
                    </Anchor>
                  ))
                : null}
            </Table.Td>
            <Table.Td>
              <Badge
                color={l.status === "active" ? "green" : l.status === "revoked" ? "red" : "gray"}
                variant="light"
              >
                {l.status}
              </Badge>
            </Table.Td>
            <Table.Td>
              {l.revokedAt ? `revoked ${formatDateTime(l.revokedAt)}` : formatDateTime(l.expiresAt)}
            </Table.Td>
            <Table.Td>
              {l.accessCount} time{l.accessCount === 1 ? "" : "s"}
              {l.lastAccessedAt ? (
                <Text size="xs" c="dimmed">
                  last {formatDateTime(l.lastAccessedAt)}
                </Text>
              ) : null}
            </Table.Td>
            <Table.Td>
              {canRevoke && l.status === "active" ? (
                <Button
                  size="compact-sm"
                  color="red"
                  variant="light"
                  aria-label={`Revoke the link ${l.label || `created ${formatDateTime(l.createdAt)}`}`}
                  onClick={() => onRevoke(l)}
                >
                  Revoke
                </Button>
              ) : null}
            </Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}
