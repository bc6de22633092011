import {
  ActionIcon,
  Button,
  Checkbox,
  Fieldset,
  Group,
  Modal,
  NativeSelect,
  NumberInput,
  Stack,
  Text,
  TextInput,
} from "@mantine/core";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { ApiError, call, errorMessage } from "../api.ts";
import * as endpoints from "../client/endpoints.ts";
import { queryKeys } from "../client/query-keys.ts";
import { humanize } from "../format.ts";
import type { PlanBinding, PlanVisual } from "../lib/dashboard.ts";
import {
  editOf,
  fieldKey,
  fieldOf,
  sortChoice,
  sortOf,
  type VisualEditValue,
  type VisualFormSpec,
  visualFormSpec,
  withBinding,
} from "../lib/visual-form.ts";
import { FormErrorAlert } from "./form-error-alert.tsx";
import { Loading } from "./states.tsx";

type Columns = { table: string; columns: { name: string; type: string }[] }[];
const PREFIX = "body.visual.";

/**
 * Edit a visual by form (issue 16 item 4): kind, title, each binding's field, aggregation, time
 * grain and number format, sort and top-N — the choices read from the engine's plan schema
 * (GET /dashboard-plans/visual-edit-schema), the fields from the revision's tables. Saving makes
 * the next plan revision (undo goes back); the server's checks come back as errors on the fields
 * they concern (a SUM of an identifier under that binding's aggregation), and nothing is saved.
 */
export function VisualFormModal({
  conversationId,
  revision,
  visual,
  tables,
  onClose,
}: {
  conversationId: string;
  revision: number;
  visual: PlanVisual | null;
  tables: Columns;
  onClose: () => void;
}) {
  const schema = useQuery({
    queryKey: queryKeys.visualEditSchema(),
    queryFn: () => call(endpoints.visualEditSchema),
    staleTime: Number.POSITIVE_INFINITY,
  });
  return (
    <Modal
      opened={!!visual}
      onClose={onClose}
      title={visual ? `Edit "${visual.title}"` : "Edit"}
      size="xl"
      closeButtonProps={{ "aria-label": "Close" }}
    >
      {!visual ? null : schema.data ? (
        <VisualForm
          key={`${visual.id}@${revision}`}
          conversationId={conversationId}
          revision={revision}
          visual={visual}
          tables={tables}
          spec={visualFormSpec(schema.data.schema)}
          onSaved={onClose}
        />
      ) : schema.error ? (
        <FormErrorAlert error={schema.error} />
      ) : (
        <Loading />
      )}
    </Modal>
  );
}

function VisualForm({
  conversationId,
  revision,
  visual,
  tables,
  spec,
  onSaved,
}: {
  conversationId: string;
  revision: number;
  visual: PlanVisual;
  tables: Columns;
  spec: VisualFormSpec;
  onSaved: () => void;
}) {
  const qc = useQueryClient();
  const [value, setValue] = useState<VisualEditValue>(() => editOf(visual));
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [unplaced, setUnplaced] = useState<string | null>(null);
  const save = useMutation({
    mutationFn: () =>
      call(endpoints.editVisual, {
        params: { id: conversationId, visualId: visual.id },
        body: { baseRevision: revision, visual: value },
      }),
    onMutate: () => {
      setErrors({});
      setUnplaced(null);
    },
    onError: (err) => {
      if (!(err instanceof ApiError) || err.fieldErrors.length === 0) {
        setUnplaced(errorMessage(err));
        return;
      }
      const placed: Record<string, string> = {};
      const rest: string[] = [];
      for (const e of err.fieldErrors) {
        const path = e.path.startsWith(PREFIX) ? e.path.slice(PREFIX.length) : "";
        if (path && isShown(path, value))
          placed[path] = placed[path] ? `${placed[path]}; ${e.message}` : e.message;
        else rest.push(path ? `${path}: ${e.message}` : e.message);
      }
      setErrors(placed);
      setUnplaced(rest.length ? rest.join("; ") : null);
    },
    onSuccess: () => {
      void qc.invalidateQueries({ queryKey: queryKeys.conversation.all });
      void qc.invalidateQueries({ queryKey: queryKeys.conversations.all });
      onSaved();
    },
  });
  const fieldChoices = [
    { value: "", label: "(none: a row count)" },
    ...tables.flatMap((t) =>
      t.columns.map((c) => ({
        value: fieldKey({ table: t.table, column: c.name }),
        label: `${tables.length > 1 ? `${t.table}.` : ""}${c.name} (${c.type})`,
      })),
    ),
  ];
  const options = (list: string[], none?: string) => [
    ...(none ? [{ value: "", label: none }] : []),
    ...list.map((x) => ({ value: x, label: humanize(x) })),
  ];
  const setBinding = (i: number, b: PlanBinding) =>
    setValue((v) => ({ ...v, bindings: v.bindings.map((x, j) => (j === i ? b : x)) }));
  const choice = sortChoice(value);
  const direction = value.sort?.direction ?? "desc";
  return (
    <form
      noValidate
      aria-label="Edit the visual"
      onSubmit={(e) => {
        e.preventDefault();
        save.mutate();
      }}
    >
      <Stack gap="sm">
        <Group grow align="flex-start">
          <NativeSelect
            label="Kind"
            data={options(spec.kinds)}
            value={value.kind}
            onChange={(e) => setValue((v) => ({ ...v, kind: e.currentTarget.value }))}
            error={errors.kind}
          />
          <TextInput
            label="Title"
            value={value.title}
            maxLength={spec.titleMax}
            onChange={(e) => {
              const title = e.currentTarget.value;
              setValue((v) => ({ ...v, title }));
            }}
            error={errors.title}
          />
        </Group>
        {value.bindings.map((b, i) => (
          <Fieldset
            // biome-ignore lint/suspicious/noArrayIndexKey: bindings are positional (errors name them by index)
            key={i}
            legend={`Binding ${i + 1}`}
            aria-label={`Binding ${i + 1}`}
          >
            <Group grow align="flex-start">
              <NativeSelect
                label="Channel"
                data={options(spec.channels)}
                value={b.channel}
                onChange={(e) => setBinding(i, { ...b, channel: e.currentTarget.value })}
                error={errors[`bindings.${i}.channel`]}
              />
              <NativeSelect
                label="Field"
                data={fieldChoices}
                value={fieldKey(b.field)}
                onChange={(e) => setBinding(i, withBinding(b, "field", fieldOf(e.currentTarget.value)))}
                error={errors[`bindings.${i}.field`] ?? errors[`bindings.${i}.field.column`]}
              />
              <NativeSelect
                label="Aggregation"
                data={options(spec.aggregations, "(none: group by it)")}
                value={b.aggregation ?? ""}
                onChange={(e) => setBinding(i, withBinding(b, "aggregation", e.currentTarget.value))}
                error={errors[`bindings.${i}.aggregation`]}
              />
            </Group>
            <Group grow align="flex-start" mt="xs">
              <NativeSelect
                label="Time grain"
                data={options(spec.timeGrains, "(none)")}
                value={b.timeGrain ?? ""}
                onChange={(e) =>
                  setBinding(
                    i,
                    withBinding(
                      b,
                      "timeGrain",
                      (e.currentTarget.value || undefined) as PlanBinding["timeGrain"],
                    ),
                  )
                }
                error={errors[`bindings.${i}.timeGrain`]}
              />
              <NativeSelect
                label="Number format"
                data={options(spec.formatKinds, "(default)")}
                value={b.format?.kind ?? ""}
                onChange={(e) => {
                  const kind = e.currentTarget.value as NonNullable<PlanBinding["format"]>["kind"] | "";
                  setBinding(
                    i,
                    withBinding(
                      b,
                      "format",
                      kind ? { ...b.format, kind, decimals: b.format?.decimals ?? 0 } : undefined,
                    ),
                  );
                }}
                error={errors[`bindings.${i}.format`] ?? errors[`bindings.${i}.format.kind`]}
              />
              <NumberInput
                label="Decimals"
                min={spec.decimals.min}
                max={spec.decimals.max}
                allowDecimal={false}
                disabled={!b.format}
                value={b.format?.decimals ?? ""}
                onChange={(x) =>
                  b.format &&
                  setBinding(i, { ...b, format: { ...b.format, decimals: typeof x === "number" ? x : 0 } })
                }
                error={errors[`bindings.${i}.format.decimals`]}
              />
              <ActionIcon
                variant="subtle"
                color="red"
                mt={24}
                aria-label={`Remove binding ${i + 1}`}
                disabled={value.bindings.length <= spec.bindings.min}
                onClick={() => setValue((v) => ({ ...v, bindings: v.bindings.filter((_, j) => j !== i) }))}
              >
                ×
              </ActionIcon>
            </Group>
          </Fieldset>
        ))}
        {errors.bindings ? (
          <Text size="sm" c="red">
            {errors.bindings}
          </Text>
        ) : null}
        <Group>
          <Button
            variant="light"
            size="compact-sm"
            disabled={value.bindings.length >= spec.bindings.max}
            onClick={() =>
              setValue((v) => ({ ...v, bindings: [...v.bindings, { channel: spec.channels[0] ?? "x" }] }))
            }
          >
            Add a binding
          </Button>
        </Group>
        <Group grow align="flex-start">
          <NativeSelect
            label="Sort by"
            data={[
              { value: "", label: "(no sort)" },
              { value: "count", label: "Row count" },
              ...value.bindings.map((b, i) => ({
                value: String(i),
                label: `Binding ${i + 1}: ${b.aggregation ? `${humanize(b.aggregation)} of ` : ""}${b.field?.column ?? "rows"}`,
              })),
            ]}
            value={choice}
            onChange={(e) => {
              const sort = sortOf(value, e.currentTarget.value, direction);
              setValue(({ sort: _old, ...v }) => (sort ? { ...v, sort } : v));
            }}
            error={errors.sort ?? errors["sort.field"] ?? errors["sort.aggregation"]}
          />
          <NativeSelect
            label="Sort direction"
            data={options(spec.directions)}
            value={direction}
            disabled={!value.sort}
            onChange={(e) => {
              const dir = e.currentTarget.value as "asc" | "desc";
              setValue((v) => (v.sort ? { ...v, sort: { ...v.sort, direction: dir } } : v));
            }}
            error={errors["sort.direction"]}
          />
          <NumberInput
            label="Top N"
            description="Empty: every category"
            min={spec.topN.min}
            max={spec.topN.max}
            allowDecimal={false}
            value={value.topN?.n ?? ""}
            onChange={(x) =>
              setValue(({ topN, ...v }) =>
                typeof x === "number" ? { ...v, topN: { n: x, other: topN?.other ?? false } } : v,
              )
            }
            error={errors.topN ?? errors["topN.n"]}
          />
          <Checkbox
            mt={28}
            label="Fold the rest into “Other”"
            disabled={!value.topN}
            checked={value.topN?.other ?? false}
            onChange={(e) => {
              const other = e.currentTarget.checked;
              setValue((v) => (v.topN ? { ...v, topN: { ...v.topN, other } } : v));
            }}
          />
        </Group>
        <FormErrorAlert
          title="Not saved"
          error={
            unplaced ||
            (Object.keys(errors).length ? "The fields marked below the controls do not fit the data." : null)
          }
        />
        <Group justify="flex-end">
          <Button type="submit" loading={save.isPending}>
            Save as a new revision
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

/** Whether an error's path (within the visual) names a control of the form. */
function isShown(path: string, v: VisualEditValue): boolean {
  if (
    [
      "kind",
      "title",
      "bindings",
      "sort",
      "sort.field",
      "sort.aggregation",
      "sort.direction",
      "topN",
      "topN.n",
    ].includes(path)
  )
    return true;
  const m =
    /^bindings\.(\d+)\.(channel|field|field\.column|aggregation|timeGrain|format|format\.kind|format\.decimals)$/.exec(
      path,
    );
  return !!m && Number(m[1]) < v.bindings.length;
}
