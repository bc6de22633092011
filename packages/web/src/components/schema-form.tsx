import {
  Fieldset,
  Group,
  Select,
  SimpleGrid,
  Stack,
  Switch,
  Text,
  Textarea,
  TextInput,
  Title,
} from "@mantine/core";
import { useEffect, useState } from "react";
import { type Control, Controller, type FieldValues, get, useFormState } from "react-hook-form";
import { humanize } from "../format.ts";
import { describePath } from "../lib/field-path.ts";
import { plainHelp } from "../lib/glossary.ts";
import { entryText, entryUnitLabel, isPercentUnit, parseEntry } from "../lib/number-entry.ts";
import {
  classify,
  defaultsOf,
  type Field,
  type FieldKind,
  inputUnit,
  type JsonSchema,
} from "../lib/schema.ts";
import { EditableTable } from "./editable-table.tsx";

export interface Ctx {
  control: Control<FieldValues>;
  disabled: boolean;
  currency: string | undefined;
}

/** The editor for a whole input object: scalar fields in a grid, groups as fieldsets, tables below. */
export function SchemaForm({ schema, control, disabled, currency }: { schema: JsonSchema } & Ctx) {
  return <ObjectFields schema={schema} prefix="" ctx={{ control, disabled, currency }} depth={0} />;
}

export function ObjectFields({
  schema,
  prefix,
  ctx,
  depth,
}: {
  schema: JsonSchema;
  prefix: string;
  ctx: Ctx;
  depth: number;
}) {
  const entries = Object.entries(schema.properties ?? {}).map(([key, s]) => ({ key, field: classify(s) }));
  const scalars = entries.filter(
    (e) => !["object", "table", "json", "numbers", "strings"].includes(e.field.kind),
  );
  const groups = entries.filter((e) => e.field.kind === "object");
  const wide = entries.filter((e) => ["table", "json", "numbers", "strings"].includes(e.field.kind));
  return (
    <Stack gap="md">
      {scalars.length ? (
        <SimpleGrid cols={{ base: 1, sm: 2, lg: depth === 0 ? 3 : 2 }} spacing="sm" verticalSpacing="xs">
          {scalars.map((e) => (
            <ScalarField key={e.key} name={`${prefix}${e.key}`} fieldKey={e.key} field={e.field} ctx={ctx} />
          ))}
        </SimpleGrid>
      ) : null}
      {groups.map((e) => (
        <GroupField
          key={e.key}
          name={`${prefix}${e.key}`}
          fieldKey={e.key}
          field={e.field}
          ctx={ctx}
          depth={depth}
        />
      ))}
      {wide.map((e) => (
        <WideField key={e.key} name={`${prefix}${e.key}`} fieldKey={e.key} field={e.field} ctx={ctx} />
      ))}
    </Stack>
  );
}

function GroupField({
  name,
  fieldKey,
  field,
  ctx,
  depth,
}: {
  name: string;
  fieldKey: string;
  field: Field;
  ctx: Ctx;
  depth: number;
}) {
  const legend = humanize(fieldKey);
  if (!field.nullable) {
    return (
      <Fieldset legend={legend} disabled={ctx.disabled}>
        {field.schema.description ? (
          <Text size="xs" c="dimmed" mb="xs">
            {plainHelp(field.schema.description)}
          </Text>
        ) : null}
        <ObjectFields schema={field.schema} prefix={`${name}.`} ctx={ctx} depth={depth + 1} />
      </Fieldset>
    );
  }
  // An optional group (e.g. incentives: object | null): a switch turns it on with its defaults.
  return (
    <Controller
      control={ctx.control}
      name={name}
      render={({ field: f }) => (
        <Fieldset legend={legend} disabled={ctx.disabled}>
          <Switch
            label={`Use ${legend.toLowerCase()}`}
            description={plainHelp(field.schema.description)}
            checked={f.value !== null && f.value !== undefined}
            onChange={(e) => f.onChange(e.currentTarget.checked ? defaultsOf(field.schema) : null)}
            mb="xs"
          />
          {f.value ? (
            <ObjectFields schema={field.schema} prefix={`${name}.`} ctx={ctx} depth={depth + 1} />
          ) : null}
        </Fieldset>
      )}
    />
  );
}

function ScalarField({
  name,
  fieldKey,
  field,
  ctx,
}: {
  name: string;
  fieldKey: string;
  field: Field;
  ctx: Ctx;
}) {
  const label = humanize(fieldKey);
  const description = plainHelp(field.schema.description);
  return (
    <Controller
      control={ctx.control}
      name={name}
      render={({ field: f, fieldState }) => {
        const error = fieldState.error?.message;
        switch (field.kind) {
          case "number":
            return (
              <NumberField
                name={name}
                label={label}
                description={description}
                unit={inputUnit(fieldKey, field.schema, ctx.currency)}
                field={field}
                value={f.value}
                onChange={f.onChange}
                onBlur={f.onBlur}
                error={error}
                disabled={ctx.disabled}
                inputRef={f.ref}
              />
            );
          case "enum":
            return (
              <Select
                label={label}
                description={description}
                data={(field.options ?? []).map((o) => ({ value: String(o), label: String(o) }))}
                value={f.value === null || f.value === undefined ? null : String(f.value)}
                onChange={(v) => {
                  const opt = (field.options ?? []).find((o) => String(o) === v);
                  f.onChange(v === null ? (field.nullable ? null : undefined) : opt);
                }}
                clearable={field.nullable}
                allowDeselect={field.nullable}
                error={error}
                disabled={ctx.disabled}
              />
            );
          case "boolean":
            return (
              <Switch
                mt="lg"
                label={label}
                description={description}
                checked={!!f.value}
                onChange={(e) => f.onChange(e.currentTarget.checked)}
                error={error}
                disabled={ctx.disabled}
              />
            );
          default:
            return (
              <TextInput
                label={label}
                description={description}
                type={field.kind === "date" ? "date" : "text"}
                value={typeof f.value === "string" ? f.value : ""}
                onChange={(e) =>
                  f.onChange(e.currentTarget.value === "" && field.nullable ? null : e.currentTarget.value)
                }
                onBlur={f.onBlur}
                error={error}
                disabled={ctx.disabled}
                ref={f.ref}
              />
            );
        }
      }}
    />
  );
}

/**
 * A number typed in its unit (issue 18 items 2 and 3): a percent field takes 20 or "20%" and
 * stores 0.2; "abc" is an error on the spot (kept in the form so saving is refused too); an
 * emptied field stays empty — never the model's default — and saving says it needs a value.
 */
function NumberField({
  name,
  label,
  description,
  unit,
  field,
  value,
  onChange,
  onBlur,
  error,
  disabled,
  inputRef,
}: {
  name: string;
  label: string;
  description?: string;
  unit: string | undefined;
  field: Field;
  value: unknown;
  onChange: (v: unknown) => void;
  onBlur: () => void;
  error?: string;
  disabled: boolean;
  inputRef: React.Ref<HTMLInputElement>;
}) {
  const [text, setText] = useState(() => entryText(value, unit));
  const [typing, setTyping] = useState<string | null>(null);
  // Follow changes made elsewhere (a reset after save, a restore) without fighting the typist.
  useEffect(() => {
    setText((t) => {
      const e = parseEntry(t, unit);
      const same = e.ok && (e.value ?? null) === (typeof value === "number" ? value : null);
      return same || typeof value === "string" ? t : entryText(value, unit);
    });
  }, [value, unit]);
  const unitLabel = entryUnitLabel(unit);
  return (
    <TextInput
      label={unitLabel ? `${label} (${unitLabel})` : label}
      description={description}
      name={name}
      inputMode="decimal"
      value={text}
      onChange={(e) => {
        const t = e.currentTarget.value;
        setText(t);
        const entry = parseEntry(t, unit);
        if (!entry.ok) {
          setTyping(entry.message);
          onChange(t); // not a number: validation refuses the save and names this field
          return;
        }
        setTyping(null);
        if (entry.value === undefined) onChange(field.nullable ? null : undefined);
        else onChange(entry.value);
      }}
      onBlur={() => {
        const entry = parseEntry(text, unit);
        if (entry.ok && entry.value !== undefined) setText(entryText(entry.value, unit));
        onBlur();
      }}
      placeholder={
        field.nullable
          ? "none"
          : typeof field.schema.default === "number"
            ? `model default: ${entryText(field.schema.default, unit)}`
            : "required"
      }
      rightSection={
        isPercentUnit(unit) ? (
          <Text size="sm" c="dimmed" pr={4}>
            %
          </Text>
        ) : undefined
      }
      error={typing ?? error}
      disabled={disabled}
      ref={inputRef}
    />
  );
}

function WideField({
  name,
  fieldKey,
  field,
  ctx,
}: {
  name: string;
  fieldKey: string;
  field: Field;
  ctx: Ctx;
}) {
  const label = humanize(fieldKey);
  if (field.kind === "table") {
    return (
      <Stack gap={4}>
        <Title order={3} size="h5">
          {label}
        </Title>
        {field.schema.description ? (
          <Text size="xs" c="dimmed">
            {plainHelp(field.schema.description)}
          </Text>
        ) : null}
        <EditableTable
          name={name}
          label={label}
          itemSchema={field.schema.items!}
          control={ctx.control}
          disabled={ctx.disabled}
          currency={ctx.currency}
        />
      </Stack>
    );
  }
  return (
    <Controller
      control={ctx.control}
      name={name}
      render={({ field: f, fieldState }) => (
        <ListText
          kind={field.kind}
          label={label}
          description={plainHelp(field.schema.description)}
          value={f.value}
          onChange={f.onChange}
          error={fieldState.error?.message ?? nestedError(fieldState.error)}
          disabled={ctx.disabled}
        />
      )}
    />
  );
}

function nestedError(err: unknown): string | undefined {
  if (!err || typeof err !== "object") return undefined;
  for (const [k, v] of Object.entries(err)) {
    const m = get(v, "message");
    if (typeof m === "string") return `item ${Number(k) + 1}: ${m}`;
  }
  return undefined;
}

/** Lists of numbers (one per year, say) and of strings, typed as text; JSON for anything else. */
function ListText({
  kind,
  label,
  description,
  value,
  onChange,
  error,
  disabled,
}: {
  kind: FieldKind;
  label: string;
  description?: string;
  value: unknown;
  onChange: (v: unknown) => void;
  error?: string;
  disabled: boolean;
}) {
  const show = (v: unknown) =>
    kind === "numbers" && Array.isArray(v)
      ? v.join(", ")
      : kind === "strings" && Array.isArray(v)
        ? v.join("\n")
        : v === undefined
          ? ""
          : JSON.stringify(v, null, 2);
  const [text, setText] = useState(() => show(value));
  const [parseError, setParseError] = useState<string | null>(null);
  // Follow changes made elsewhere (reset after save, a paste) without fighting the person typing.
  // biome-ignore lint/correctness/useExhaustiveDependencies: parse and show are pure helpers of this render
  useEffect(() => {
    setText((t) => (parse(t) === JSON.stringify(value) ? t : show(value)));
  }, [value]);
  function parse(t: string): string {
    try {
      return JSON.stringify(toValue(t));
    } catch {
      return "";
    }
  }
  function toValue(t: string): unknown {
    if (kind === "numbers") {
      return t
        .split(/[,;\s]+/)
        .filter(Boolean)
        .map((s) => {
          const n = Number(s.replace(/_/g, ""));
          if (!Number.isFinite(n)) throw new Error(`“${s}” is not a number`);
          return n;
        });
    }
    if (kind === "strings") return t.split("\n").filter((s) => s.trim() !== "");
    return t.trim() === "" ? undefined : JSON.parse(t);
  }
  const update = (t: string) => {
    setText(t);
    try {
      onChange(toValue(t));
      setParseError(null);
    } catch (e) {
      setParseError(e instanceof Error ? e.message : "cannot be read");
    }
  };
  const hint =
    kind === "numbers" ? "Numbers separated by commas" : kind === "strings" ? "One per line" : "JSON";
  return (
    <Textarea
      label={label}
      description={[description, hint].filter(Boolean).join(" · ")}
      value={text}
      onChange={(e) => update(e.currentTarget.value)}
      autosize
      minRows={kind === "json" ? 3 : 1}
      maxRows={12}
      ff={kind === "json" ? "monospace" : undefined}
      error={parseError ?? error}
      disabled={disabled}
    />
  );
}

/** Field errors on the form that no visible control shows (e.g. a rule across fields). */
export function FormErrorSummary({ control }: { control: Control<FieldValues> }) {
  const { errors } = useFormState({ control });
  const list: string[] = [];
  const walk = (e: unknown, path: string) => {
    if (!e || typeof e !== "object") return;
    const m = (e as { message?: unknown }).message;
    if (typeof m === "string") list.push(path ? `${describePath(path)}: ${m}` : m);
    for (const [k, v] of Object.entries(e))
      if (k !== "message" && k !== "ref" && k !== "type") walk(v, path ? `${path}.${k}` : k);
  };
  walk(errors, "");
  if (list.length === 0) return null;
  return (
    <Group gap={4} role="alert" aria-live="polite">
      <Text size="sm" c="red.8" fw={600}>
        {list.length === 1 ? "1 field needs attention:" : `${list.length} fields need attention:`}
      </Text>
      <Text size="sm" c="red.8">
        {list.slice(0, 6).join(" · ")}
        {list.length > 6 ? ` · and ${list.length - 6} more` : ""}
      </Text>
    </Group>
  );
}
