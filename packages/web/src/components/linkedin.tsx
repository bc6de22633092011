import { Alert, Button, Group, Text, TextInput } from "@mantine/core";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { call, errorMessage } from "../api.ts";
import * as endpoints from "../client/endpoints.ts";
import { queryKeys } from "../client/query-keys.ts";
import { formatDateTime } from "../format.ts";
import type { Variant } from "../lib/content.ts";
import { useOrg } from "../session.ts";

/**
 * The caller's LinkedIn connection (issue 17 item 5): "Connect LinkedIn" sends the browser to
 * LinkedIn's consent page (the server's callback brings it back here), else who it posts as.
 */
export function LinkedInConnection() {
  const { session, can } = useOrg();
  const qc = useQueryClient();
  const status = useQuery({
    queryKey: queryKeys.linkedin(session?.activeOrgId),
    queryFn: () => call(endpoints.linkedinConnection, {}),
  });
  const connect = useMutation({
    mutationFn: () => call(endpoints.connectLinkedin, {}),
    onSuccess: (r) => window.location.assign(r.authorizeUrl),
  });
  const disconnect = useMutation({
    mutationFn: () => call(endpoints.disconnectLinkedin, {}),
    onSuccess: () => qc.invalidateQueries({ queryKey: queryKeys.linkedin(session?.activeOrgId) }),
  });
  const back = new URLSearchParams(window.location.search).get("linkedin");
  const s = status.data;
  if (!s) return null;
  return (
    <Group gap="sm" aria-label="LinkedIn">
      {back === "failed" ? (
        <Alert color="red" role="alert" py={4}>
          Connecting LinkedIn failed; try again.
        </Alert>
      ) : null}
      {!s.configured ? (
        <Text size="sm" c="dimmed">
          LinkedIn publishing is not configured on this server — copy a draft instead.
        </Text>
      ) : s.connected ? (
        <>
          <Text size="sm">
            LinkedIn: connected as <strong>{s.memberName ?? s.memberUrn}</strong>
          </Text>
          {can("projects:write") ? (
            <Button
              size="xs"
              variant="subtle"
              onClick={() => disconnect.mutate()}
              loading={disconnect.isPending}
            >
              Disconnect
            </Button>
          ) : null}
        </>
      ) : can("projects:write") ? (
        <Button size="xs" onClick={() => connect.mutate()} loading={connect.isPending}>
          Connect LinkedIn
        </Button>
      ) : null}
      {connect.error ? (
        <Text size="sm" c="red.9" role="alert">
          {errorMessage(connect.error)}
        </Text>
      ) : null}
    </Group>
  );
}

/** On a draft: publish it to LinkedIn now, schedule it, or copy it. */
export function LinkedInDraftActions({ runId, variant }: { runId: string; variant: Variant }) {
  const { session, can } = useOrg();
  const qc = useQueryClient();
  const status = useQuery({
    queryKey: queryKeys.linkedin(session?.activeOrgId),
    queryFn: () => call(endpoints.linkedinConnection, {}),
  });
  const [at, setAt] = useState("");
  const [done, setDone] = useState<string | null>(null);
  const publish = useMutation({
    mutationFn: (scheduledAt?: string) =>
      call(endpoints.publishToLinkedin, {
        body: { runId, variantKind: variant.kind, ...(scheduledAt ? { scheduledAt } : {}) },
      }),
    onSuccess: (p) => {
      setDone(
        p.status === "published"
          ? `Published to LinkedIn (${p.urn}).`
          : `Scheduled for ${formatDateTime(p.scheduledAt!)}.`,
      );
      void qc.invalidateQueries({ queryKey: queryKeys.contentPosts(session?.activeOrgId) });
    },
  });
  const canPublish = can("projects:write") && status.data?.connected;
  return (
    <>
      <Group gap="xs">
        <Button
          size="xs"
          variant="default"
          onClick={() => {
            void navigator.clipboard?.writeText(variant.text);
            setDone("Copied.");
          }}
        >
          Copy
        </Button>
        {canPublish ? (
          <Button size="xs" onClick={() => publish.mutate(undefined)} loading={publish.isPending}>
            Publish to LinkedIn
          </Button>
        ) : null}
      </Group>
      {canPublish ? (
        <Group gap="xs" align="end">
          <TextInput
            size="xs"
            type="datetime-local"
            label="Schedule for"
            value={at}
            onChange={(e) => setAt(e.currentTarget.value)}
          />
          <Button
            size="xs"
            variant="light"
            disabled={!at}
            onClick={() => publish.mutate(new Date(at).toISOString())}
          >
            Schedule
          </Button>
        </Group>
      ) : null}
      {done ? (
        <Text size="xs" role="status">
          {done}
        </Text>
      ) : null}
      {publish.error ? (
        <Text size="xs" c="red.9" role="alert">
          {errorMessage(publish.error)}
        </Text>
      ) : null}
    </>
  );
}
