import { Badge, Button, Checkbox, Group, Paper, Stack, Text, Textarea, TextInput } from "@mantine/core";
import { useDebouncedValue } from "@mantine/hooks";
import { type DraftCheckDto, LINKEDIN_COMMENTARY_MAX_CHARS } from "@modelworks/contracts/linkedin";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useForm } from "react-hook-form";
import type { z } from "zod";
import { ApiError, call, errorMessage } from "../api.ts";
import * as endpoints from "../client/endpoints.ts";
import { queryKeys } from "../client/query-keys.ts";
import { formatDateTime } from "../format.ts";
import { applyServerErrors } from "../forms.ts";
import { flaggedSpans, type Variant, variantLabel } from "../lib/content.ts";
import { useOrg } from "../session.ts";
import { FormErrorAlert } from "./form-error-alert.tsx";

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
      <FormErrorAlert error={back === "failed" ? "Connecting LinkedIn failed; try again." : null} py={4} />
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
 * On a draft: edit it, then copy, publish to LinkedIn now, schedule it, or record it as published
 * by hand — always the text in the edit box, never the run's original. An edit is checked again
 * by the server as it is typed (every figure, date and quote must be in an item the draft cites;
 * voice and LinkedIn limits), so a changed draft is never shown as clean when it is not; a flagged
 * one is published or recorded only when the writer says so, and the server keeps its flags.
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
      void qc.invalidateQueries({ queryKey: queryKeys.linkedinPublications(org) });
    },
  });
  const canWrite = can("projects:write");
  const canPublish = canWrite && status.data?.connected;
  const [recording, setRecording] = useState(false);
  // Held back while the edit's check is pending, and while it is flagged and not accepted.
  const blocked = (flagged && !acceptFlags) || (edited && !current && !check.error);
  const chars = [...text.trim()].length;
  return (
    <>
      {editing ? (
        <Stack gap={4}>
          <Textarea
            label={`Edit the ${variantLabel(variant.kind)} draft`}
            description="Copy, Publish, Schedule and Record as published use this text."
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
            disabled={blocked}
          >
            Publish to LinkedIn
          </Button>
        ) : null}
        {canWrite && !recording ? (
          <Button
            size="xs"
            variant="light"
            onClick={() => {
              setDone(null);
              setRecording(true);
            }}
          >
            Record as published
          </Button>
        ) : null}
      </Group>
      {canWrite && flagged ? (
        <Checkbox
          size="xs"
          label="Use it anyway: I checked the flagged spans (the flags are kept with the post)"
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
            disabled={!at || blocked}
            loading={publish.isPending && !!publish.variables}
            onClick={() => publish.mutate(new Date(at).toISOString())}
          >
            Schedule
          </Button>
        </Group>
      ) : null}
      {recording ? (
        <RecordPublishedForm
          runId={runId}
          variant={variant}
          text={text.trim()}
          acceptFlags={acceptFlags}
          blocked={blocked}
          onDone={(recorded) => {
            setRecording(false);
            if (recorded) setDone(recorded);
          }}
        />
      ) : null}
      {done ? (
        <Text size="xs" role="status">
          {done}
        </Text>
      ) : null}
      <FormErrorAlert error={publish.error} p="xs" />
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

/** Local date-time for an <input type="datetime-local">, minutes precision. */
const localNow = () => {
  const d = new Date();
  d.setMinutes(d.getMinutes() - d.getTimezoneOffset());
  return d.toISOString().slice(0, 16);
};

/**
 * "Record as published": the writer posted the text by hand and records it for feedback. What is
 * recorded is the edit box's text, checked by the server like Publish (a flagged text only with
 * the flags accepted, which are kept with the post); the URN lets an analytics export find it.
 */
function RecordPublishedForm(props: {
  runId: string;
  variant: Variant;
  text: string;
  acceptFlags: boolean;
  blocked: boolean;
  onDone: (recorded: string | null) => void;
}) {
  const { session } = useOrg();
  const qc = useQueryClient();
  const [formError, setFormError] = useState<string[] | null>(null);
  const form = useForm<{ publishedAt: string; externalId: string }>({
    defaultValues: { publishedAt: localNow(), externalId: "" },
  });
  const submit = form.handleSubmit(async (v) => {
    setFormError(null);
    const at = new Date(v.publishedAt);
    if (Number.isNaN(at.getTime())) {
      form.setError("publishedAt", { message: "give the date and time it was published" });
      return;
    }
    try {
      const post = await call(endpoints.createContentPost, {
        body: {
          runId: props.runId,
          variantKind: props.variant.kind,
          text: props.text,
          publishedAt: at.toISOString(),
          hourLocal: at.getHours(),
          ...(v.externalId.trim() ? { externalId: v.externalId.trim() } : {}),
          ...(props.acceptFlags ? { acceptFlags: true } : {}),
        },
      });
      await qc.invalidateQueries({ queryKey: queryKeys.contentPosts(session?.activeOrgId) });
      const kept = post.flags?.length
        ? ` with ${post.flags.length} flag${post.flags.length === 1 ? "" : "s"} kept`
        : "";
      props.onDone(`Recorded as published${kept}.`);
    } catch (err) {
      // The text's flags name body.text, which is the edit box above, not a field of this form.
      const textErrors = err instanceof ApiError ? err.fieldErrors.filter((f) => f.path === "body.text") : [];
      const rest = applyServerErrors(err, form.setError);
      setFormError(
        textErrors.length ? [errorMessage(err), ...textErrors.map((f) => f.message)] : rest ? [rest] : null,
      );
    }
  });
  const err = form.formState.errors;
  return (
    <Paper withBorder p="sm" component="form" onSubmit={submit} noValidate aria-label="Record as published">
      <Stack gap="xs">
        <Text size="sm" fw={600}>
          Record the {variantLabel(props.variant.kind)} draft as published
        </Text>
        <Text size="xs" c="dimmed">
          Records the text {props.text === props.variant.text.trim() ? "of the draft" : "as you edited it"} (
          {[...props.text].length.toLocaleString("en-US")} characters); edit the draft first if you posted
          something else.
        </Text>
        <FormErrorAlert error={formError} p="xs" />
        <TextInput
          size="xs"
          type="datetime-local"
          label="Published at"
          {...form.register("publishedAt")}
          error={err.publishedAt?.message}
        />
        <TextInput
          size="xs"
          label="LinkedIn post URL or URN (optional)"
          description="How the analytics export names the post"
          {...form.register("externalId")}
          error={err.externalId?.message}
        />
        <Group gap="xs">
          <Button
            type="submit"
            size="xs"
            loading={form.formState.isSubmitting}
            disabled={props.blocked || props.text.length === 0}
          >
            Save as published
          </Button>
          <Button size="xs" variant="default" onClick={() => props.onDone(null)}>
            Cancel
          </Button>
        </Group>
      </Stack>
    </Paper>
  );
}

/**
 * The check a published text was accepted under, as stored: [] checked clean, the flags the
 * writer accepted, or null — not checked (a text with no run has no cited items to check).
 */
export function CheckBadge({ flags }: { flags: readonly unknown[] | null }) {
  if (flags === null)
    return (
      <Badge color="gray" variant="outline" size="sm">
        not checked
      </Badge>
    );
  if (flags.length === 0)
    return (
      <Badge color="green" variant="light" size="sm">
        checked
      </Badge>
    );
  return (
    <Badge color="orange" variant="light" size="sm">
      {flags.length} flag{flags.length === 1 ? "" : "s"} accepted
    </Badge>
  );
}
