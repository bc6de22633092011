import {
  Alert,
  Anchor,
  Badge,
  Button,
  Card,
  Chip,
  FileButton,
  Group,
  Loader,
  Modal,
  MultiSelect,
  Paper,
  Stack,
  Text,
  Textarea,
  TextInput,
  Title,
} from "@mantine/core";
import { CONVERSATION_MAX_FILES } from "@modelworks/contracts/conversations";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useRef, useState } from "react";
import { Link, useLocation } from "wouter";
import { API, call, errorMessage } from "../api.ts";
import * as endpoints from "../client/endpoints.ts";
import { queryKeys } from "../client/query-keys.ts";
import { CrossFilters, DashboardPages, GRID_GAP_PX, GRID_ROW_PX } from "../components/dashboard-view.tsx";
import { FormErrorAlert } from "../components/form-error-alert.tsx";
import { PublishToPowerBi } from "../components/powerbi.tsx";
import { ReplaceFileButton } from "../components/replace-file.tsx";
import { ShareDialog } from "../components/share-dialog.tsx";
import { ErrorState, Loading } from "../components/states.tsx";
import { VisualFormModal } from "../components/visual-form.tsx";
import { formatDateTime } from "../format.ts";
import {
  changeLine,
  dashboardQueryOf,
  type GridPitch,
  type PlanVisual,
  planOf,
  type Selection,
  type SlicerState,
  type Tile,
  tileAfterDrag,
  tileAfterKey,
  toggleSelection,
} from "../lib/dashboard.ts";
import { downloadFile } from "../lib/download.ts";
import { useReplyStream } from "../lib/reply-stream.ts";
import { uploadResumable } from "../lib/resumable-upload.ts";
import { browserTransport } from "../lib/upload-transport.ts";
import { useOrg } from "../session.ts";

/** A drag grip: small, above the tile's content, and no browser panning under a finger. */
const GRIP_STYLE = {
  position: "absolute",
  zIndex: 2,
  padding: "0 6px",
  fontSize: 12,
  lineHeight: "14px",
  color: "var(--mantine-color-gray-6)",
  userSelect: "none",
  touchAction: "none",
} as const;

/** One conversation: its messages, the composer with files, and the current plan's live dashboard. */
export function ConversationPage({ id }: { id: string }) {
  const { session, can } = useOrg();
  const org = session?.activeOrgId;
  const qc = useQueryClient();
  const [, navigate] = useLocation();
  const streamEndedRef = useRef(false);
  const conv = useQuery({
    queryKey: queryKeys.conversation(org, id),
    queryFn: () => call(endpoints.conversation, { params: { id } }),
    // A pending reply is followed over its run's event stream; only once that is over and the
    // reply is still not stored (the settling instance is a moment behind) is it read again.
    refetchInterval: (q) =>
      q.state.data?.messages.some((m) => m.status === "pending") && streamEndedRef.current ? 1000 : false,
  });
  const pendingRunId = conv.data?.messages.find((m) => m.status === "pending")?.runId ?? null;
  const stream = useReplyStream(pendingRunId, () => {
    void qc.invalidateQueries({ queryKey: queryKeys.conversation(org, id) });
  });
  streamEndedRef.current = stream.ended;
  const [renaming, setRenaming] = useState<string | null>(null);
  // The visual the next message is about ("top 3 only" needs to know which chart).
  const [target, setTarget] = useState<{ id: string; title: string } | null>(null);
  const [confirmDelete, setConfirmDelete] = useState(false);
  const invalidate = () => {
    void qc.invalidateQueries({ queryKey: queryKeys.conversation.all });
    void qc.invalidateQueries({ queryKey: queryKeys.conversations.all });
  };
  const rename = useMutation({
    mutationFn: (title: string) => call(endpoints.updateConversation, { params: { id }, body: { title } }),
    onSuccess: () => {
      setRenaming(null);
      invalidate();
    },
  });
  const remove = useMutation({
    mutationFn: () => call(endpoints.deleteConversation, { params: { id } }),
    onSuccess: () => {
      void qc.invalidateQueries({ queryKey: queryKeys.conversations.all });
      navigate(`/projects/${conv.data?.projectId ?? ""}`);
    },
  });
  if (conv.isPending) return <Loading />;
  if (conv.error) return <ErrorState error={conv.error} onRetry={() => conv.refetch()} />;
  const c = conv.data;
  const writable = can("projects:write");
  return (
    <Stack>
      <div>
        <Anchor component={Link} href={`/projects/${c.projectId}`} size="sm">
          ← Project
        </Anchor>
        <Group justify="space-between" align="flex-start">
          {renaming === null ? (
            <Title order={1} size="h2">
              {c.title}
            </Title>
          ) : (
            <form
              onSubmit={(e) => {
                e.preventDefault();
                rename.mutate(renaming);
              }}
            >
              <Group gap="xs" align="flex-end">
                <TextInput
                  label="Dashboard title"
                  value={renaming}
                  onChange={(e) => setRenaming(e.currentTarget.value)}
                  error={rename.error ? errorMessage(rename.error) : undefined}
                  autoFocus
                />
                <Button type="submit" loading={rename.isPending}>
                  Save title
                </Button>
                <Button variant="default" onClick={() => setRenaming(null)}>
                  Cancel
                </Button>
              </Group>
            </form>
          )}
          {writable && renaming === null ? (
            <Group gap="xs">
              <Button variant="default" size="compact-sm" onClick={() => setRenaming(c.title)}>
                Rename
              </Button>
              <Button color="red" variant="light" size="compact-sm" onClick={() => setConfirmDelete(true)}>
                Delete
              </Button>
            </Group>
          ) : null}
        </Group>
      </div>
      <Modal opened={confirmDelete} onClose={() => setConfirmDelete(false)} title="Delete this dashboard?">
        <Stack>
          <Text size="sm">
            Its messages and plan revisions are deleted; its files follow the retention policy.
          </Text>
          <FormErrorAlert error={remove.error} />
          <Group justify="flex-end">
            <Button variant="default" onClick={() => setConfirmDelete(false)}>
              Cancel
            </Button>
            <Button color="red" loading={remove.isPending} onClick={() => remove.mutate()}>
              Delete dashboard
            </Button>
          </Group>
        </Stack>
      </Modal>
      {c.currentRevision !== null ? (
        <Dashboard
          conversationId={id}
          revision={c.currentRevision}
          writable={writable}
          onAsk={(v) => {
            setTarget(v);
            document.getElementById("dashboard-message")?.focus();
          }}
        />
      ) : null}
      <Card withBorder>
        <Title order={2} size="h4" mb="xs">
          Conversation
        </Title>
        <Stack gap="xs" role="log" aria-label="Messages">
          {c.messages.length === 0 ? (
            <Text c="dimmed" size="sm">
              Attach data files and say what you want to see, e.g. “sales by region”.
            </Text>
          ) : null}
          {c.messages.map((m) => (
            <Paper
              key={m.id}
              withBorder
              p="xs"
              bg={m.role === "user" ? undefined : "var(--mantine-color-default-hover)"}
            >
              <Group gap="xs" mb={4}>
                <Badge size="xs" variant="light">
                  {m.role === "user" ? "You" : m.role === "assistant" ? "Assistant" : "System"}
                </Badge>
                {m.status === "pending" ? (
                  <Group gap={4} role="status">
                    <Loader size="xs" />
                    <Text size="xs">{stream.text ? "Writing the reply…" : "Planning the dashboard…"}</Text>
                  </Group>
                ) : m.status === "failed" ? (
                  <Badge size="xs" color="red">
                    failed
                  </Badge>
                ) : null}
                {m.planRevision !== null ? (
                  <Text size="xs" c="dimmed">
                    made revision {m.planRevision}
                  </Text>
                ) : null}
                <Text size="xs" c="dimmed">
                  {formatDateTime(m.createdAt)}
                </Text>
              </Group>
              <Text
                size="sm"
                style={{ whiteSpace: "pre-wrap" }}
                aria-live={m.status === "pending" ? "polite" : undefined}
              >
                {m.status === "pending" && m.runId === pendingRunId ? stream.text : m.content}
              </Text>
              {m.fileIds.length ? (
                <Text size="xs" c="dimmed">
                  Files: {m.fileIds.map((f) => c.files.find((x) => x.fileId === f)?.name ?? f).join(", ")}
                </Text>
              ) : null}
            </Paper>
          ))}
        </Stack>
        {writable && c.files.length ? (
          <Group gap="xs" mt="sm" align="flex-start" aria-label="Replace a file by a new version">
            {c.files.map((f) => (
              <ReplaceFileButton
                // By table: the new version keeps it (and the result stays shown), not the file id.
                key={f.table}
                conversationId={id}
                file={f}
                disabled={c.messages.some((m) => m.status === "pending")}
                onReplaced={invalidate}
              />
            ))}
          </Group>
        ) : null}
        {writable ? (
          <Composer
            conversationId={id}
            attached={c.files}
            busy={c.messages.some((m) => m.status === "pending")}
            target={target}
            onClearTarget={() => setTarget(null)}
            onSent={() => {
              setTarget(null);
              invalidate();
            }}
          />
        ) : null}
      </Card>
    </Stack>
  );
}

type AttachedFile = { fileId: string; name: string };

/** The message box: text, stored files to attach or new ones to upload, and Send. */
function Composer({
  conversationId,
  attached,
  busy,
  target,
  onClearTarget,
  onSent,
}: {
  conversationId: string;
  attached: { fileId: string; name: string; rowCount: number }[];
  busy: boolean;
  target: { id: string; title: string } | null;
  onClearTarget: () => void;
  onSent: () => void;
}) {
  const { session } = useOrg();
  const [text, setText] = useState("");
  const [pending, setPending] = useState<AttachedFile[]>([]);
  const [uploading, setUploading] = useState<string | null>(null);
  const [uploadError, setUploadError] = useState<string | null>(null);
  const stored = useQuery({
    queryKey: queryKeys.files(session?.activeOrgId),
    queryFn: () => call(endpoints.files, { query: { limit: 100 } }),
  });
  const room = CONVERSATION_MAX_FILES - attached.length - pending.length;
  const send = useMutation({
    mutationFn: () =>
      call(endpoints.postMessage, {
        params: { id: conversationId },
        body: {
          content: text,
          fileIds: pending.map((f) => f.fileId),
          ...(target ? { visualId: target.id } : {}),
        },
      }),
    onSuccess: () => {
      setText("");
      setPending([]);
      onSent();
    },
  });
  const upload = async (file: File | null) => {
    if (!file) return;
    setUploadError(null);
    setUploading(file.name);
    try {
      const f = await uploadResumable(file, {}, browserTransport);
      setPending((p) => [...p, { fileId: f.id, name: f.name }]);
    } catch (err) {
      setUploadError(errorMessage(err));
    } finally {
      setUploading(null);
    }
  };
  const choices = (stored.data?.items ?? [])
    .filter((f) => !attached.some((a) => a.fileId === f.id) && !pending.some((p) => p.fileId === f.id))
    .map((f) => ({ value: f.id, label: f.name }));
  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        send.mutate();
      }}
    >
      <Stack gap="xs" mt="sm">
        {attached.length ? (
          <Text size="xs" c="dimmed">
            This dashboard reads: {attached.map((f) => `${f.name} (${f.rowCount} rows)`).join(", ")}
          </Text>
        ) : null}
        <Group gap="xs" align="flex-end">
          <FileButton onChange={(f) => void upload(f)} accept=".csv,.tsv,.txt,.xlsx,.json,.parquet">
            {(props) => (
              <Button {...props} variant="light" size="compact-sm" disabled={room <= 0} loading={!!uploading}>
                Upload a file
              </Button>
            )}
          </FileButton>
          <MultiSelect
            size="xs"
            placeholder="Attach stored files"
            aria-label="Attach stored files"
            data={choices}
            value={[]}
            onChange={(ids) => {
              const id = ids[0];
              const f = stored.data?.items.find((x) => x.id === id);
              if (f && room > 0) setPending((p) => [...p, { fileId: f.id, name: f.name }]);
            }}
            searchable
            disabled={room <= 0}
          />
          <Text size="xs" c="dimmed">
            {room} of {CONVERSATION_MAX_FILES} file places left
          </Text>
        </Group>
        {uploading ? <Text size="xs">Uploading {uploading}…</Text> : null}
        <FormErrorAlert error={uploadError} />
        {pending.length ? (
          <Group gap={4} aria-label="Files to attach">
            {pending.map((f) => (
              <Chip
                key={f.fileId}
                checked
                size="xs"
                onChange={() => setPending((p) => p.filter((x) => x.fileId !== f.fileId))}
              >
                {f.name}
              </Chip>
            ))}
          </Group>
        ) : null}
        {target ? (
          <Group gap={4}>
            <Text size="sm">About the visual:</Text>
            <Chip
              checked
              size="xs"
              onChange={onClearTarget}
              aria-label={`About ${target.title} (click to clear)`}
            >
              {target.title}
            </Chip>
          </Group>
        ) : null}
        <Textarea
          id="dashboard-message"
          label="Message"
          placeholder="What do you want to see? Or how should the dashboard change?"
          autosize
          minRows={2}
          value={text}
          onChange={(e) => setText(e.currentTarget.value)}
          error={send.error ? errorMessage(send.error) : undefined}
          onKeyDown={(e) => {
            if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) send.mutate();
          }}
        />
        <Group>
          <Button type="submit" loading={send.isPending} disabled={busy || !!uploading || text.trim() === ""}>
            Send
          </Button>
          {busy ? <Text size="xs">The assistant is still answering the last message.</Text> : null}
        </Group>
      </Stack>
    </form>
  );
}

/** The current plan revision drawn live: slicers, the grid of visuals, undo, diff and download. */
function Dashboard({
  conversationId,
  revision,
  writable,
  onAsk,
}: {
  conversationId: string;
  revision: number;
  writable: boolean;
  onAsk: (v: { id: string; title: string }) => void;
}) {
  const { session } = useOrg();
  const org = session?.activeOrgId;
  const qc = useQueryClient();
  const [slicers, setSlicers] = useState<Record<string, SlicerState>>({});
  const [selections, setSelections] = useState<Selection[]>([]);
  // A new revision may have other slicers and visuals: its state starts empty.
  // biome-ignore lint/correctness/useExhaustiveDependencies: reset on a revision change only
  useEffect(() => {
    setSlicers({});
    setSelections([]);
  }, [revision]);
  const rev = useQuery({
    queryKey: queryKeys.planRevision(org, conversationId, revision),
    queryFn: () => call(endpoints.planRevision, { params: { id: conversationId, revision } }),
  });
  const state = dashboardQueryOf(slicers, selections);
  const results = useQuery({
    queryKey: queryKeys.dashboardQuery(org, conversationId, revision, state.key),
    queryFn: () =>
      call(endpoints.dashboardQuery, { params: { id: conversationId, revision }, body: state.body }),
    placeholderData: (prev) => prev,
  });
  const undo = useMutation({
    mutationFn: () => call(endpoints.undoPlan, { params: { id: conversationId } }),
    onSuccess: () => {
      void qc.invalidateQueries({ queryKey: queryKeys.conversation.all });
      void qc.invalidateQueries({ queryKey: queryKeys.conversations.all });
    },
  });
  // Keyboard layout edits: arrows move the focused tile, Shift+arrows resize it; each is a revision.
  const [layoutError, setLayoutError] = useState<string | null>(null);
  const move = useMutation({
    mutationFn: (tile: { id: string } & Tile) =>
      call(endpoints.movePlanTiles, {
        params: { id: conversationId },
        body: { baseRevision: revision, tiles: [tile] },
      }),
    onMutate: () => setLayoutError(null),
    onError: (err) => setLayoutError(errorMessage(err)),
    onSuccess: () => {
      void qc.invalidateQueries({ queryKey: queryKeys.conversation.all });
      void qc.invalidateQueries({ queryKey: queryKeys.conversations.all });
    },
  });
  // The grid is redrawn for the new revision: the moved tile keeps the keyboard focus.
  const lastMoved = useRef<string | null>(null);
  useEffect(() => {
    const id = lastMoved.current;
    if (!id || !rev.data) return;
    document.querySelector<HTMLElement>(`[data-visual-id="${CSS.escape(id)}"]`)?.focus();
  }, [rev.data]);
  // Pointer layout edits: drag a tile's grip to move it, its corner to resize it. The tile follows
  // the pointer snapped to the grid; the drop is one revision (as one key press is), and the
  // preview stays until the new revision is drawn (or the server refuses it).
  const [drag, setDrag] = useState<{ id: string; tile: Tile } | null>(null);
  const dragFrom = useRef<{
    id: string;
    mode: "move" | "resize";
    x: number;
    y: number;
    from: Tile;
    pitch: GridPitch;
  } | null>(null);
  // biome-ignore lint/correctness/useExhaustiveDependencies: a new revision ends the preview
  useEffect(() => setDrag(null), [rev.data]);
  const dragHandlers = (id: string, mode: "move" | "resize", layout: Tile) => ({
    onPointerDown: (e: import("react").PointerEvent<HTMLElement>) => {
      if (!writable || move.isPending || e.button !== 0) return;
      const grid = e.currentTarget.closest<HTMLElement>("[data-dashboard-grid]");
      if (!grid) return;
      e.preventDefault();
      e.stopPropagation();
      e.currentTarget.setPointerCapture(e.pointerId);
      // 12 columns and 11 gaps fill the width: a column's pitch is (width + gap) / 12.
      const pitch = { colPx: (grid.clientWidth + GRID_GAP_PX) / 12, rowPx: GRID_ROW_PX + GRID_GAP_PX };
      dragFrom.current = { id, mode, x: e.clientX, y: e.clientY, from: layout, pitch };
      setDrag({ id, tile: layout });
    },
    onPointerMove: (e: import("react").PointerEvent<HTMLElement>) => {
      const d = dragFrom.current;
      if (!d) return;
      const tile = tileAfterDrag(d.from, d.mode, e.clientX - d.x, e.clientY - d.y, d.pitch) ?? d.from;
      setDrag((cur) =>
        cur &&
        cur.tile.x === tile.x &&
        cur.tile.y === tile.y &&
        cur.tile.w === tile.w &&
        cur.tile.h === tile.h
          ? cur
          : { id: d.id, tile },
      );
    },
    onPointerUp: (e: import("react").PointerEvent<HTMLElement>) => {
      const d = dragFrom.current;
      if (!d) return;
      dragFrom.current = null;
      const next = tileAfterDrag(d.from, d.mode, e.clientX - d.x, e.clientY - d.y, d.pitch);
      if (!next) return setDrag(null);
      lastMoved.current = d.id;
      move.mutate({ id: d.id, ...next }, { onError: () => setDrag(null) });
    },
    onPointerCancel: () => {
      dragFrom.current = null;
      setDrag(null);
    },
  });
  const onTileKey = (e: import("react").KeyboardEvent, id: string, layout: Tile) => {
    if (!writable || move.isPending || e.target !== e.currentTarget) return;
    const next = tileAfterKey(layout, e.key, e.shiftKey);
    if (!next) return;
    e.preventDefault();
    lastMoved.current = id;
    move.mutate({ id, ...next });
  };
  const [downloading, setDownloading] = useState<"powerbi" | "pdf" | "png" | null>(null);
  const [sharing, setSharing] = useState(false);
  const [editing, setEditing] = useState<PlanVisual | null>(null);
  const [downloadError, setDownloadError] = useState<string | null>(null);
  const plan = rev.data ? planOf(rev.data) : null;
  if (rev.isPending) return <Loading />;
  if (rev.error) return <ErrorState error={rev.error} onRetry={() => rev.refetch()} />;
  const p = plan!;
  const revisionUrl = `${API}/conversations/${encodeURIComponent(conversationId)}/plan-revisions/${revision}`;
  const DOWNLOADS = {
    powerbi: { path: "powerbi", name: "dashboard.pbip.zip" },
    pdf: { path: "export?format=pdf", name: "dashboard.pdf" },
    png: { path: "export?format=png", name: "dashboard.png" },
  } as const;
  const download = async (kind: keyof typeof DOWNLOADS) => {
    setDownloading(kind);
    setDownloadError(null);
    try {
      await downloadFile(`${revisionUrl}/${DOWNLOADS[kind].path}`, DOWNLOADS[kind].name);
    } catch (err) {
      setDownloadError(errorMessage(err));
    } finally {
      setDownloading(null);
    }
  };
  return (
    <Stack gap="xs" aria-label="Dashboard">
      <Group justify="space-between" align="flex-start">
        <div>
          <Title order={2} size="h3">
            {p.title}
          </Title>
          <Text size="xs" c="dimmed">
            Revision {revision} ·{" "}
            {p.generatedBy === "built-in"
              ? "planned by the built-in rules"
              : `planned by ${p.generatedBy.provider} ${p.generatedBy.model}`}
          </Text>
        </div>
        <Group gap="xs">
          {writable ? (
            <Button
              variant="default"
              size="compact-sm"
              onClick={() => undo.mutate()}
              loading={undo.isPending}
              disabled={rev.data.baseRevision === null}
            >
              Undo
            </Button>
          ) : null}
          <Button
            size="compact-sm"
            variant="light"
            onClick={() => void download("powerbi")}
            loading={downloading === "powerbi"}
          >
            Download Power BI project
          </Button>
          <Button
            size="compact-sm"
            variant="default"
            onClick={() => void download("pdf")}
            loading={downloading === "pdf"}
          >
            PDF
          </Button>
          <Button
            size="compact-sm"
            variant="default"
            onClick={() => void download("png")}
            loading={downloading === "png"}
          >
            PNG
          </Button>
          <PublishToPowerBi conversationId={conversationId} revision={revision} />
          <Button size="compact-sm" variant="default" onClick={() => setSharing(true)}>
            Share
          </Button>
        </Group>
        <ShareDialog
          conversationId={conversationId}
          opened={sharing}
          onClose={() => setSharing(false)}
          canShare={writable}
        />
      </Group>
      {p.fallback ? (
        <Alert color="yellow" title="A fallback plan">
          {p.fallback.reason}
        </Alert>
      ) : null}
      <FormErrorAlert error={undo.error} />
      {layoutError ? (
        <Alert color="red" title="The tile was not moved">
          {layoutError}
        </Alert>
      ) : null}
      {writable ? (
        <Text size="xs" c="dimmed" id={`layout-help-${conversationId}`}>
          Drag a visual by its grip (top) to move it, by its corner to resize it; or focus it: arrow keys move
          it, Shift+arrow keys resize it. Each change is a new revision (undo goes back).
        </Text>
      ) : null}
      <FormErrorAlert error={downloadError} />
      {rev.data.baseRevision !== null && rev.data.diff.length ? (
        <details open aria-label={`Changes from revision ${rev.data.baseRevision}`}>
          <summary>
            <Text span size="sm">
              {rev.data.diff.length} change{rev.data.diff.length === 1 ? "" : "s"} from revision{" "}
              {rev.data.baseRevision}
              {rev.data.note ? `: ${rev.data.note}` : ""}
            </Text>
          </summary>
          <ul style={{ margin: 0, fontFamily: "var(--mantine-font-family-monospace)", fontSize: 12 }}>
            {rev.data.diff.slice(0, 50).map((ch) => (
              <li key={ch.path}>{changeLine(ch)}</li>
            ))}
          </ul>
        </details>
      ) : null}
      <CrossFilters selections={selections} onChange={setSelections} />
      {results.error ? <ErrorState error={results.error} onRetry={() => results.refetch()} /> : null}
      <DashboardPages
        plan={p}
        results={results.data?.visuals ?? []}
        loading={results.isFetching}
        filters={state.body}
        slicers={slicers}
        onSlicer={(id, st) => setSlicers((cur) => ({ ...cur, [id]: st }))}
        selections={selections}
        onSelect={(sel) => setSelections((cur) => toggleSelection(cur, sel))}
        slicerSource={{
          scope: conversationId,
          revision,
          values: (slicerId, body) =>
            call(endpoints.slicerValues, { params: { id: conversationId, revision, slicerId }, body }),
        }}
        tile={
          writable
            ? (v) => ({
                tabIndex: 0,
                "aria-describedby": `layout-help-${conversationId}`,
                "aria-keyshortcuts": "ArrowUp ArrowDown ArrowLeft ArrowRight Shift+ArrowRight",
                onKeyDown: (e) => onTileKey(e, v.id, v.layout),
              })
            : undefined
        }
        preview={drag}
        overlay={
          writable
            ? (v) => (
                <>
                  {/* Pointer-only grips (the keyboard path is the tile's arrow keys), hidden from
                      assistive technology so the figure reads as before. */}
                  <span
                    aria-hidden="true"
                    title="Drag to move"
                    data-drag-handle="move"
                    style={{
                      ...GRIP_STYLE,
                      top: 0,
                      left: "50%",
                      transform: "translateX(-50%)",
                      cursor: "grab",
                    }}
                    {...dragHandlers(v.id, "move", v.layout)}
                  >
                    ⠿⠿
                  </span>
                  <span
                    aria-hidden="true"
                    title="Drag to resize"
                    data-drag-handle="resize"
                    style={{ ...GRIP_STYLE, right: 0, bottom: 0, cursor: "nwse-resize" }}
                    {...dragHandlers(v.id, "resize", v.layout)}
                  >
                    ◢
                  </span>
                </>
              )
            : undefined
        }
        onAsk={writable ? (v) => onAsk({ id: v.id, title: v.title }) : undefined}
        onEdit={writable ? setEditing : undefined}
      />
      <VisualFormModal
        conversationId={conversationId}
        revision={revision}
        visual={editing}
        tables={rev.data.tables}
        onClose={() => setEditing(null)}
      />
    </Stack>
  );
}
