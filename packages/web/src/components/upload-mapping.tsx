import {
  Alert,
  Badge,
  Button,
  Group,
  Modal,
  NativeSelect,
  NumberInput,
  Progress,
  Stack,
  Table,
  Text,
  TextInput,
  Title,
} from "@mantine/core";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { type ReactNode, useId, useState } from "react";
import { call, errorMessage } from "../api.ts";
import * as endpoints from "../client/endpoints.ts";
import { queryKeys } from "../client/query-keys.ts";
import {
  type Cast,
  type ColumnMapping,
  type ColumnProfile,
  constantOf,
  formatValueMap,
  type MapResult,
  mappingToSend,
  parseValueMap,
  type Suggestions,
  type UploadedFile,
} from "../lib/files.ts";
import { type UploadProgress, uploadResumable } from "../lib/resumable-upload.ts";
import { browserTransport } from "../lib/upload-transport.ts";
import { useOrg } from "../session.ts";
import { FormErrorAlert } from "./form-error-alert.tsx";

export interface UploadTarget {
  modelId: string;
  version: string;
  /** Dotted path of the input table, e.g. `deals`. */
  field: string;
  label: string;
}

type Step =
  | { kind: "choose" }
  | { kind: "map"; file: UploadedFile; profile: ColumnProfile[]; suggestions: Suggestions };

/**
 * Fills one of the scenario's input tables from a CSV or XLSX file: upload (the server checks and
 * profiles it), the column profile, the suggested mapping with its confidence, per-column changes
 * (source column, unit scale, value map, type cast), the server's validation report with the rows
 * at fault — and only then replace or append the table's rows. Mappings can be saved and reused.
 */
export function UploadMappingDialog({
  target,
  opened,
  onClose,
  currentRowCount,
  onRows,
}: {
  target: UploadTarget;
  opened: boolean;
  onClose: () => void;
  currentRowCount: number;
  onRows: (rows: unknown[], mode: "replace" | "append") => void;
}) {
  const [step, setStep] = useState<Step>({ kind: "choose" });
  const close = () => {
    setStep({ kind: "choose" });
    onClose();
  };
  return (
    <Modal
      opened={opened}
      onClose={close}
      title={`Upload rows into ${target.label}`}
      size="90%"
      closeButtonProps={{ "aria-label": "Close" }}
    >
      {step.kind === "choose" ? (
        <ChooseFile target={target} onUploaded={setStep} />
      ) : (
        <MapFile
          key={step.file.id}
          target={target}
          file={step.file}
          profile={step.profile}
          suggestions={step.suggestions}
          currentRowCount={currentRowCount}
          onBack={() => setStep({ kind: "choose" })}
          onApply={(rows, mode) => {
            onRows(rows, mode);
            close();
          }}
        />
      )}
    </Modal>
  );
}

function ChooseFile({ target, onUploaded }: { target: UploadTarget; onUploaded: (s: Step) => void }) {
  const inputId = useId();
  const [file, setFile] = useState<File | null>(null);
  const [sheet, setSheet] = useState("");
  const [progress, setProgress] = useState<UploadProgress | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const upload = async () => {
    if (!file) return;
    setBusy(true);
    setError(null);
    try {
      const xlsx = /\.xlsx$/i.test(file.name);
      const uploaded = await uploadResumable(
        file,
        {
          sheet: xlsx && sheet.trim() ? sheet.trim() : undefined,
          onProgress: setProgress,
        },
        browserTransport,
      );
      const [profile, suggestions] = await Promise.all([
        call(endpoints.fileProfile, { params: { id: uploaded.id } }),
        call(endpoints.mappingSuggestions, {
          params: { id: uploaded.id },
          body: { modelId: target.modelId, version: target.version, field: target.field },
        }),
      ]);
      onUploaded({ kind: "map", file: uploaded, profile: profile.columns, suggestions });
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
      setProgress(null);
    }
  };
  return (
    <Stack>
      <Text size="sm">
        The file's first row names the columns (any names: you match them to the table's columns next).
        Nothing changes in the scenario until you check the rows and choose to replace or append.
      </Text>
      <div>
        <label htmlFor={inputId}>
          <Text size="sm" fw={500} component="span">
            CSV or XLSX file
          </Text>
        </label>
        <br />
        <input
          id={inputId}
          type="file"
          accept=".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
          onChange={(e) => setFile(e.currentTarget.files?.[0] ?? null)}
        />
      </div>
      {file && /\.xlsx$/i.test(file.name) ? (
        <TextInput
          label="Sheet"
          description="Name or position (1, 2, …); the first sheet when empty"
          w={320}
          maxLength={100}
          value={sheet}
          onChange={(e) => setSheet(e.currentTarget.value)}
        />
      ) : null}
      {busy && progress ? (
        <div>
          <Progress
            value={(100 * progress.sentBytes) / Math.max(1, progress.totalBytes)}
            aria-label="Upload progress"
          />
          <Text size="xs" c="dimmed" aria-live="polite" data-testid="upload-progress">
            {progressText(progress)}
          </Text>
        </div>
      ) : null}
      <FormErrorAlert error={error} title="Upload refused" />
      <Group>
        <Button onClick={() => void upload()} disabled={!file} loading={busy}>
          Upload and map columns
        </Button>
      </Group>
    </Stack>
  );
}

const CASTS: { value: "" | Cast; label: string }[] = [
  { value: "", label: "as read" },
  { value: "number", label: "number" },
  { value: "integer", label: "integer" },
  { value: "string", label: "text" },
  { value: "boolean", label: "yes/no" },
];

function MapFile({
  target,
  file,
  profile,
  suggestions,
  currentRowCount,
  onBack,
  onApply,
}: {
  target: UploadTarget;
  file: UploadedFile;
  profile: ColumnProfile[];
  suggestions: Suggestions;
  currentRowCount: number;
  onBack: () => void;
  onApply: (rows: unknown[], mode: "replace" | "append") => void;
}) {
  const { session, can } = useOrg();
  const qc = useQueryClient();
  const suggested = new Map(suggestions.suggestions.map((s) => [s.target, s]));
  const [columns, setColumns] = useState<ColumnMapping[]>(() =>
    suggestions.columns.map((c) => suggested.get(c.name)?.mapping ?? { target: c.name, source: null }),
  );
  const [valueMapText, setValueMapText] = useState<Record<string, string>>(() =>
    Object.fromEntries(
      suggestions.columns.map((c) => [c.name, formatValueMap(suggested.get(c.name)?.mapping.valueMap)]),
    ),
  );
  const [constantText, setConstantText] = useState<Record<string, string>>({});
  const [report, setReport] = useState<MapResult | null>(null);
  const [checking, setChecking] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [mappingName, setMappingName] = useState("");
  const [saveMessage, setSaveMessage] = useState<{ ok: boolean; text: string } | null>(null);

  const saved = useQuery({
    queryKey: queryKeys.fieldMappings(session?.activeOrgId, target.modelId),
    queryFn: () =>
      call(endpoints.fieldMappings, {
        query: { modelId: target.modelId, limit: 100, sort: "name" },
      }),
  });
  const savedForField = (saved.data?.items ?? []).filter((m) => m.field === target.field);

  const update = (name: string, patch: Partial<ColumnMapping>) => {
    setReport(null);
    setColumns((cols) =>
      cols.map((c) => {
        if (c.target !== name) return c;
        const next: ColumnMapping = { ...c, ...patch };
        for (const k of Object.keys(patch) as (keyof ColumnMapping)[])
          if (patch[k] === undefined) delete next[k];
        return next;
      }),
    );
  };
  const applySaved = (id: string) => {
    const m = savedForField.find((x) => x.id === id);
    if (!m) return;
    setReport(null);
    const byTarget = new Map(m.columns.map((c) => [c.target, c]));
    setColumns(suggestions.columns.map((c) => byTarget.get(c.name) ?? { target: c.name, source: null }));
    setValueMapText(
      Object.fromEntries(
        suggestions.columns.map((c) => [c.name, formatValueMap(byTarget.get(c.name)?.valueMap)]),
      ),
    );
    setConstantText(
      Object.fromEntries(
        m.columns.filter((c) => c.constant !== undefined).map((c) => [c.target, String(c.constant)]),
      ),
    );
    setMappingName(m.name);
  };
  const withValueMaps = () =>
    columns.map((c) => {
      const vm = parseValueMap(valueMapText[c.target] ?? "");
      const next = { ...c };
      if (vm) next.valueMap = vm;
      else delete next.valueMap;
      return next;
    });

  const check = async () => {
    setChecking(true);
    setError(null);
    try {
      const result = await call(endpoints.mapFile, {
        params: { id: file.id },
        body: {
          modelId: target.modelId,
          version: target.version,
          field: target.field,
          columns: mappingToSend(withValueMaps()),
        },
      });
      setReport(result);
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setChecking(false);
    }
  };
  const saveMapping = async () => {
    setSaveMessage(null);
    const cols = mappingToSend(withValueMaps());
    if (!mappingName.trim() || cols.length === 0) {
      setSaveMessage({ ok: false, text: "Name the mapping and map at least one column." });
      return;
    }
    try {
      await call(endpoints.createFieldMapping, {
        body: { name: mappingName.trim(), modelId: target.modelId, field: target.field, columns: cols },
      });
      setSaveMessage({ ok: true, text: `Saved as “${mappingName.trim()}”.` });
      await qc.invalidateQueries({ queryKey: queryKeys.fieldMappings.all });
    } catch (err) {
      setSaveMessage({ ok: false, text: errorMessage(err) });
    }
  };

  const sources = profile.map((p) => p.name);
  return (
    <Stack>
      <Group justify="space-between">
        <Text size="sm">
          <b>{file.name}</b> · {file.rowCount.toLocaleString("en-US")} rows · {profile.length} columns
        </Text>
        <Button variant="subtle" size="compact-sm" onClick={onBack}>
          Choose another file
        </Button>
      </Group>

      <section aria-labelledby="profile-title">
        <Title order={3} size="h5" id="profile-title" mb={4}>
          Columns in the file
        </Title>
        <Scroll label="Columns in the file" mah={220}>
          <Table striped withTableBorder fz="xs" data-testid="column-profile">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Column</Table.Th>
                <Table.Th>Type</Table.Th>
                <Table.Th>Missing</Table.Th>
                <Table.Th>Distinct</Table.Th>
                <Table.Th>Range</Table.Th>
                <Table.Th>Examples</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {profile.map((p) => (
                <Table.Tr key={p.name}>
                  <Table.Td>{p.name}</Table.Td>
                  <Table.Td>
                    {p.type}
                    {p.pattern ? ` (${p.pattern})` : ""}
                  </Table.Td>
                  <Table.Td>{p.missingPct.toFixed(1)}%</Table.Td>
                  <Table.Td>{p.distinct}</Table.Td>
                  <Table.Td>{p.min !== null ? `${String(p.min)} – ${String(p.max)}` : "—"}</Table.Td>
                  <Table.Td>{p.examples.slice(0, 3).map(String).join(", ")}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Scroll>
      </section>

      <section aria-labelledby="mapping-title">
        <Group justify="space-between" align="flex-end" mb={4}>
          <Title order={3} size="h5" id="mapping-title">
            Match the table's columns
          </Title>
          {savedForField.length > 0 ? (
            <NativeSelect
              label="Apply a saved mapping"
              size="xs"
              w={260}
              data={[
                { value: "", label: "—" },
                ...savedForField.map((m) => ({ value: m.id, label: m.name })),
              ]}
              onChange={(e) => applySaved(e.currentTarget.value)}
            />
          ) : null}
        </Group>
        <Scroll label="Column mapping" mah={360}>
          <Table withTableBorder fz="sm" data-testid="column-mapping" verticalSpacing={4}>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Table column</Table.Th>
                <Table.Th>From file column</Table.Th>
                <Table.Th>Suggestion</Table.Th>
                <Table.Th>Multiply by</Table.Th>
                <Table.Th>Read as</Table.Th>
                <Table.Th>Replace values</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {suggestions.columns.map((t) => {
                const m = columns.find((c) => c.target === t.name) ?? { target: t.name, source: null };
                const s = suggested.get(t.name);
                const numeric = t.type === "number" || t.type === "integer";
                return (
                  <Table.Tr key={t.name}>
                    <Table.Td title={t.description ?? undefined}>
                      <Text size="sm" fw={500} component="span">
                        {t.name}
                      </Text>{" "}
                      <Text size="xs" c="dimmed" component="span">
                        {t.type}
                        {t.enum ? `: ${t.enum.join(", ")}` : ""}
                      </Text>{" "}
                      {t.required ? (
                        <Badge size="xs" variant="outline">
                          required
                        </Badge>
                      ) : null}
                    </Table.Td>
                    <Table.Td>
                      <NativeSelect
                        size="xs"
                        aria-label={`File column for ${t.name}`}
                        value={m.source ?? ""}
                        data={[{ value: "", label: "— not from the file —" }, ...sources]}
                        onChange={(e) => {
                          // A file column replaces a fixed value (the server takes one or the other).
                          update(t.name, { source: e.currentTarget.value || null, constant: undefined });
                          setConstantText((x) => ({ ...x, [t.name]: "" }));
                        }}
                      />
                      {m.source === null ? (
                        <TextInput
                          size="xs"
                          mt={2}
                          aria-label={`Fixed value for ${t.name}`}
                          placeholder="or a fixed value for every row"
                          value={constantText[t.name] ?? ""}
                          onChange={(e) => {
                            const v = e.currentTarget.value;
                            setConstantText((x) => ({ ...x, [t.name]: v }));
                            update(t.name, { constant: constantOf(v, t.type) });
                          }}
                        />
                      ) : null}
                    </Table.Td>
                    <Table.Td>
                      {s?.source ? (
                        <Badge
                          size="sm"
                          variant={s.source === m.source ? "light" : "outline"}
                          color={s.confidence >= 0.8 ? "green" : s.confidence >= 0.5 ? "yellow" : "gray"}
                          title={s.reasons.join("; ")}
                        >
                          {s.source} · {Math.round(s.confidence * 100)}%
                        </Badge>
                      ) : (
                        <Text size="xs" c="dimmed">
                          none
                        </Text>
                      )}
                    </Table.Td>
                    <Table.Td>
                      {numeric ? (
                        <NumberInput
                          size="xs"
                          w={110}
                          aria-label={`Multiply ${t.name} by`}
                          placeholder="1"
                          min={0}
                          decimalScale={10}
                          thousandSeparator=","
                          value={m.scale ?? ""}
                          onChange={(v) =>
                            update(t.name, { scale: typeof v === "number" && v > 0 ? v : undefined })
                          }
                        />
                      ) : null}
                    </Table.Td>
                    <Table.Td>
                      <NativeSelect
                        size="xs"
                        aria-label={`Read ${t.name} as`}
                        value={m.cast ?? ""}
                        data={CASTS}
                        onChange={(e) =>
                          update(t.name, { cast: (e.currentTarget.value || undefined) as Cast })
                        }
                      />
                    </Table.Td>
                    <Table.Td>
                      <TextInput
                        size="xs"
                        aria-label={`Replace values of ${t.name}`}
                        placeholder="Y=true; N=false"
                        value={valueMapText[t.name] ?? ""}
                        onChange={(e) => {
                          const v = e.currentTarget.value;
                          setReport(null);
                          setValueMapText((x) => ({ ...x, [t.name]: v }));
                        }}
                      />
                    </Table.Td>
                  </Table.Tr>
                );
              })}
            </Table.Tbody>
          </Table>
        </Scroll>
      </section>

      <FormErrorAlert error={error} />
      <Group>
        <Button onClick={() => void check()} loading={checking}>
          Check rows
        </Button>
        {can("projects:write") ? (
          <Group gap="xs" align="flex-end">
            <TextInput
              size="xs"
              label="Save this mapping as"
              value={mappingName}
              onChange={(e) => setMappingName(e.currentTarget.value)}
              maxLength={120}
            />
            <Button size="xs" variant="default" onClick={() => void saveMapping()}>
              Save mapping
            </Button>
          </Group>
        ) : null}
        {saveMessage ? (
          <Text size="sm" c={saveMessage.ok ? "green.9" : "red.8"} role={saveMessage.ok ? "status" : "alert"}>
            {saveMessage.text}
          </Text>
        ) : null}
      </Group>

      {report ? <Report report={report} currentRowCount={currentRowCount} onApply={onApply} /> : null}
    </Stack>
  );
}

function Report({
  report,
  currentRowCount,
  onApply,
}: {
  report: MapResult;
  currentRowCount: number;
  onApply: (rows: unknown[], mode: "replace" | "append") => void;
}) {
  const n = report.validRowCount;
  const rows = (k: number) => `${k.toLocaleString("en-US")} row${k === 1 ? "" : "s"}`;
  return (
    <section aria-labelledby="report-title" data-testid="mapping-report">
      <Title order={3} size="h5" id="report-title" mb={4}>
        Validation report
      </Title>
      <Alert
        color={report.valid ? "green" : n > 0 ? "yellow" : "red"}
        role="status"
        title={
          report.valid
            ? `All ${rows(report.rowCount)} are valid`
            : `${rows(n)} of ${report.rowCount.toLocaleString("en-US")} valid · ${report.problemCount.toLocaleString("en-US")} problem${report.problemCount === 1 ? "" : "s"}`
        }
      >
        {report.valid
          ? "They can go into the table."
          : n > 0
            ? "Rows with problems are left out; fix the mapping (or the file) to bring them in."
            : "No row passed: check the mapping."}
      </Alert>
      {report.problems.length > 0 ? (
        <Scroll label="Problems found" mah={220} mt={4}>
          <Table striped withTableBorder fz="xs" data-testid="mapping-problems">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Row</Table.Th>
                <Table.Th>Column</Table.Th>
                <Table.Th>Problem</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {report.problems.slice(0, 200).map((p, i) => (
                // biome-ignore lint/suspicious/noArrayIndexKey: problems have no identity beyond their position
                <Table.Tr key={i}>
                  <Table.Td>{p.row ?? "—"}</Table.Td>
                  <Table.Td>{p.column ?? "—"}</Table.Td>
                  <Table.Td>{p.problem}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
          {report.problems.length > 200 ? (
            <Text size="xs" c="dimmed">
              The first 200 of {report.problemCount.toLocaleString("en-US")} problems.
            </Text>
          ) : null}
        </Scroll>
      ) : null}
      <Group mt="sm">
        <Button disabled={n === 0} onClick={() => onApply(report.rows, "replace")}>
          Replace the table's {rows(currentRowCount)} with {rows(n)}
        </Button>
        <Button variant="default" disabled={n === 0} onClick={() => onApply(report.rows, "append")}>
          Append {rows(n)}
        </Button>
      </Group>
    </section>
  );
}

const PHASE_TEXT: Record<UploadProgress["phase"], string> = {
  receiving: "Sending…",
  checking: "Checking the file…",
  parsing: "Reading the rows…",
  profiling: "Profiling the columns…",
  stored: "Stored.",
  failed: "Refused.",
};

function progressText(p: UploadProgress): string {
  if (p.phase !== "receiving") return PHASE_TEXT[p.phase];
  const pct = Math.floor((100 * p.sentBytes) / Math.max(1, p.totalBytes));
  const resumed = p.retries
    ? ` (resumed after ${p.retries} dropped connection${p.retries > 1 ? "s" : ""})`
    : "";
  return `Sending… ${pct}%${resumed}`;
}

/** A scrolling box a keyboard can reach (and scroll with the arrow keys): a labelled region. */
function Scroll({
  label,
  mah,
  mt,
  children,
}: {
  label: string;
  mah: number;
  mt?: number;
  children: ReactNode;
}) {
  return (
    <section
      aria-label={label}
      // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable region must be focusable to scroll by keyboard
      tabIndex={0}
      style={{ maxHeight: mah, overflow: "auto", marginTop: mt }}
    >
      {children}
    </section>
  );
}
