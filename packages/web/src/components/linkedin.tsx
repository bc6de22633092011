import { Alert, Badge, Button, Checkbox, Group, Stack, Text, Textarea, TextInput } from "@mantine/core";
import { useDebouncedValue } from "@mantine/hooks";
import { type DraftCheckDto, LINKEDIN_COMMENTARY_MAX_CHARS } from "@modelworks/contracts/linkedin";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import type { z } from "zod";
import { ApiError, call, errorMessage } from "../api.ts";
import * as endpoints from "../client/endpoints.ts";
import { queryKeys } from "../client/query-keys.ts";
import { formatDateTime } from "../format.ts";
import { flaggedSpans, type Variant, variantLabel } from "../lib/content.ts";
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

/** How long typing pauses before the edit is checked again. */
const CHECK_DEBOUNCE_MS = 400;

/**
 * On a draft: edit it, then copy, publish to LinkedIn now, or schedule it — always the text in
 * the edit box, never the run's original. An edit is checked again by the server as it is typed
 * (every figure, date and quote must be in an item the draft cites; voice and LinkedIn limits),
 * so a changed draft is never shown as clean when it is not; a flagged one is published only when
 * the writer says so, and the server keeps its flags with the publication.
 */
export function LinkedInDraftActions({ runId, variant }: { runId: string; variant: Variant }) {
  const { session, can } = useOrg();
  const org = session?.activeOrgId;
  const qc = useQueryClient();
  const status = useQuery({
    queryKey: queryKeys.linkedin(org),
    queryFn: () => call(endpoints.linkedinConnection, {}),
  });
  const [text, setText] = useState(variant.text);
  const [editing, setEditing] = useState(false);
  const [acceptFlags, setAcceptFlags] = useState(false);
  const [at, setAt] = useState("");
  const [done, setDone] = useState<string | null>(null);
  const [typed] = useDebouncedValue(text.trim(), CHECK_DEBOUNCE_MS);
  const edited = text.trim() !== variant.text.trim();
  const check = useQuery({
    queryKey: queryKeys.draftCheck(org, runId, variant.kind, typed),
    queryFn: () =>
      call(endpoints.checkContentDraft, { body: { runId, variantKind: variant.kind, text: typed } }),
    // The run's own draft carries its check already; only an edit is checked again.
    enabled: edited && typed.length > 0 && typed !== variant.text.trim(),
    staleTime: Number.POSITIVE_INFINITY,
  });
  // The check shown is the one of the text in the box (not of what was typed a moment ago).
  const current = edited && check.data && typed === text.trim() ? check.data : null;
  const flagged = edited ? !!current && !current.clean : !variant.clean;
  const publish = useMutation({
    mutationFn: (scheduledAt?: string) =>
      call(endpoints.publishToLinkedin, {
        body: {
          runId,
          variantKind: variant.kind,
          text: text.trim(),
          ...(acceptFlags ? { acceptFlags: true } : {}),
          ...(scheduledAt ? { scheduledAt } : {}),
        },
      }),
    onMutate: () => setDone(null),
    onSuccess: (p) => {
      const kept = p.flags?.length
        ? ` with ${p.flags.length} flag${p.flags.length === 1 ? "" : "s"} kept`
        : "";
      setDone(
        p.status === "published"
          ? `Published to LinkedIn (${p.urn})${kept}.`
          : `Scheduled for ${formatDateTime(p.scheduledAt!)}${kept}.`,
      );
      void qc.invalidateQueries({ queryKey: queryKeys.contentPosts(org) });
    },
  });
  const canPublish = can("projects:write") && status.data?.connected;
  const chars = [...text.trim()].length;
  return (
    <>
      {editing ? (
        <Stack gap={4}>
          <Textarea
            label={`Edit the ${variantLabel(variant.kind)} draft`}
            description="Copy, Publish and Schedule use this text."
            autosize
            minRows={4}
            maxRows={14}
            value={text}
            onChange={(e) => {
              setText(e.currentTarget.value);
              setAcceptFlags(false);
            }}
            error={
              chars > LINKEDIN_COMMENTARY_MAX_CHARS ? "LinkedIn allows at most 3,000 characters" : undefined
            }
          />
          <Text
            size="xs"
            c={chars > LINKEDIN_COMMENTARY_MAX_CHARS ? "red.9" : "dimmed"}
            data-testid="edit-count"
          >
            {chars.toLocaleString("en-US")} / {LINKEDIN_COMMENTARY_MAX_CHARS.toLocaleString("en-US")}{" "}
            characters
            {current ? ` · ${current.hashtags} of ${current.maxHashtags} hashtags` : ""}
          </Text>
          {edited ? <EditCheck text={text.trim()} check={current} failed={check.error} /> : null}
          {edited ? (
            <Button size="compact-xs" variant="subtle" onClick={() => setText(variant.text)}>
              Undo my edits
            </Button>
          ) : null}
        </Stack>
      ) : null}
      <Group gap="xs">
        {!editing ? (
          <Button size="xs" variant="default" onClick={() => setEditing(true)}>
            Edit draft
          </Button>
        ) : null}
        <Button
          size="xs"
          variant="default"
          onClick={() => {
            void navigator.clipboard?.writeText(text.trim());
            setDone("Copied.");
          }}
        >
          Copy
        </Button>
        {canPublish ? (
          <Button
            size="xs"
            onClick={() => publish.mutate(undefined)}
            loading={publish.isPending && !publish.variables}
            disabled={(flagged && !acceptFlags) || (edited && !current && !check.error)}
          >
            Publish to LinkedIn
          </Button>
        ) : null}
      </Group>
      {canPublish && flagged ? (
        <Checkbox
          size="xs"
          label="Publish anyway: I checked the flagged spans (the flags are kept with the post)"
          checked={acceptFlags}
          onChange={(e) => setAcceptFlags(e.currentTarget.checked)}
        />
      ) : null}
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
            disabled={!at || (flagged && !acceptFlags)}
            loading={publish.isPending && !!publish.variables}
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
        <Stack gap={0} role="alert">
          <Text size="xs" c="red.9">
            {errorMessage(publish.error)}
          </Text>
          {publish.error instanceof ApiError
            ? publish.error.fieldErrors.map((f) => (
                <Text key={`${f.path}:${f.message}`} size="xs" c="red.9">
                  {f.message}
                </Text>
              ))
            : null}
        </Stack>
      ) : null}
    </>
  );
}

/** The server's verdict on the edit: clean, or each flag marked in the text where it is. */
function EditCheck({
  text,
  check,
  failed,
}: {
  text: string;
  check: z.output<typeof DraftCheckDto> | null;
  failed: unknown;
}) {
  if (failed)
    return (
      <Text size="xs" c="red.9" role="alert">
        The edit could not be checked: {errorMessage(failed)}
      </Text>
    );
  if (!check)
    return (
      <Text size="xs" c="dimmed">
        Checking your edit…
      </Text>
    );
  if (check.clean)
    return (
      <Group gap={4} data-testid="edit-check">
        <Badge color="green" variant="light" size="sm">
          edit checked
        </Badge>
        <Text size="xs" c="dimmed">
          Every figure, date and quote is in a cited source.
        </Text>
      </Group>
    );
  return (
    <Stack gap={2} data-testid="edit-check">
      <Group gap={4}>
        <Badge color="red" variant="light" size="sm">
          {check.flags.length} flag{check.flags.length === 1 ? "" : "s"} in your edit
        </Badge>
      </Group>
      <Text size="xs" style={{ whiteSpace: "pre-wrap" }} data-testid="edit-marked">
        {flaggedSpans(text, check.flags).map((s) =>
          s.flag ? (
            <mark key={s.start} title={s.flag} style={{ background: "var(--mantine-color-red-1)" }}>
              {s.text}
            </mark>
          ) : (
            <span key={s.start}>{s.text}</span>
          ),
        )}
      </Text>
      <Stack gap={0} role="list" aria-label="Flags in your edit">
        {check.flags.map((f) => (
          <Text key={`${f.kind}:${f.start ?? ""}:${f.message}`} size="xs" c="red.9" role="listitem">
            ⚠ {f.message}
          </Text>
        ))}
      </Stack>
    </Stack>
  );
}
