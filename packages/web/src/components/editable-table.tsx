import { ActionIcon, Button, Group, Text } from "@mantine/core";
import { useVirtualizer } from "@tanstack/react-virtual";
import { memo, useEffect, useRef, useState } from "react";
import { type Control, Controller, type FieldValues, get } from "react-hook-form";
import { humanize } from "../format.ts";
import { entryText, entryUnitLabel } from "../lib/number-entry.ts";
import { classify, defaultsOf, inputUnit, type JsonSchema } from "../lib/schema.ts";
import { type Column, coerce, pasteTsv, type Row } from "../lib/tsv.ts";
import { TableUpload } from "./table-upload.tsx";
import classes from "./tables.module.css";

const ROW_HEIGHT = 34;

/**
 * An array of objects (deals, tranches, packages, unit mix) as a spreadsheet-like grid: add and
 * remove rows, paste a block copied from Excel or Google Sheets (tab-separated; a header row is
 * recognised by column names), errors on the cells they belong to. Rows are virtualized so a
 * 10,000-deal input stays responsive.
 */
export function EditableTable(props: {
  name: string;
  label: string;
  itemSchema: JsonSchema;
  control: Control<FieldValues>;
  disabled: boolean;
  currency: string | undefined;
}) {
  const columns: Column[] = Object.entries(props.itemSchema.properties ?? {}).map(([key, s]) => {
    const field = classify(s);
    return {
      key,
      title: humanize(key),
      field,
      unit: field.kind === "number" ? inputUnit(key, s, props.currency) : undefined,
    };
  });
  return (
    <Controller
      control={props.control}
      name={props.name}
      render={({ field, fieldState, formState }) => (
        <Grid
          {...props}
          columns={columns}
          rows={Array.isArray(field.value) ? (field.value as Row[]) : []}
          onChange={field.onChange}
          errors={get(formState.errors, props.name)}
          arrayError={fieldState.error?.message}
        />
      )}
    />
  );
}

function Grid({
  name,
  label,
  itemSchema,
  columns,
  rows,
  onChange,
  errors,
  arrayError,
  disabled,
}: {
  name: string;
  label: string;
  itemSchema: JsonSchema;
  columns: Column[];
  rows: Row[];
  onChange: (rows: Row[]) => void;
  errors: unknown;
  arrayError?: string;
  disabled: boolean;
}) {
  const scrollRef = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 12,
  });
  const latest = useRef(rows);
  latest.current = rows;

  const setCell = (r: number, key: string, value: unknown) => {
    const next = latest.current.slice();
    // An emptied cell stays in the row as empty, so saving asks for it instead of the server
    // silently filling the model's default (lib/entry-check.ts).
    const row = { ...next[r], [key]: value };
    next[r] = row;
    onChange(next);
  };
  const addRow = () => {
    onChange([...latest.current, defaultsOf(itemSchema)]);
    requestAnimationFrame(() => virtualizer.scrollToIndex(latest.current.length - 1));
  };
  const removeRow = (r: number) => onChange(latest.current.filter((_, i) => i !== r));
  const paste = (r: number, c: number, text: string) =>
    onChange(pasteTsv(latest.current, columns, r, c, text, itemSchema));

  const cellErrors = collectErrors(errors, columns);
  const widthsPx = columns.map((c) => (c.field.kind === "boolean" ? 90 : c.key === "name" ? 200 : 130));
  const template = `44px ${widthsPx.map((w) => `${w}px`).join(" ")} 40px`;
  const minWidthPx = 84 + widthsPx.reduce((a, b) => a + b, 0);
  return (
    <div>
      <div ref={scrollRef} className={classes.scroll} style={{ maxHeight: 420 }}>
        <table
          className={classes.table}
          aria-label={label}
          aria-rowcount={rows.length + 1}
          data-testid={`grid-${name}`}
          style={{ minWidth: minWidthPx }}
        >
          <thead className={classes.thead}>
            <tr className={classes.headerRow} style={{ gridTemplateColumns: template }}>
              <th className={classes.th}>#</th>
              {columns.map((c) => (
                <th key={c.key} className={classes.th} title={c.field.schema.description}>
                  {c.title}
                  {c.unit ? <span className={classes.unit}> ({entryUnitLabel(c.unit)})</span> : null}
                </th>
              ))}
              <th className={classes.th}>
                <span className={classes.srOnly}>Remove</span>
              </th>
            </tr>
          </thead>
          <tbody className={classes.tbody} style={{ height: virtualizer.getTotalSize() }}>
            {virtualizer.getVirtualItems().map((v) => (
              <GridRow
                key={v.key}
                index={v.index}
                top={v.start}
                template={template}
                row={rows[v.index] ?? {}}
                columns={columns}
                errors={cellErrors.get(v.index)}
                disabled={disabled}
                setCell={setCell}
                removeRow={removeRow}
                paste={paste}
              />
            ))}
          </tbody>
        </table>
      </div>
      {rows.length === 0 ? (
        <Text size="sm" c="dimmed" p="xs">
          No rows. Add one, or paste rows copied from a spreadsheet into the first cell.
        </Text>
      ) : null}
      <Group gap="xs" mt={4}>
        {!disabled ? (
          <Button size="compact-sm" variant="light" onClick={addRow}>
            Add row
          </Button>
        ) : null}
        {!disabled ? (
          <TableUpload
            field={name}
            label={label}
            rowCount={rows.length}
            onRows={(added, mode) =>
              onChange(mode === "replace" ? (added as Row[]) : [...latest.current, ...(added as Row[])])
            }
          />
        ) : null}
        <Text size="xs" c="dimmed">
          {rows.length} row{rows.length === 1 ? "" : "s"}
          {!disabled
            ? " · paste tab-separated cells (from Excel or Sheets) into any cell to fill from there"
            : ""}
        </Text>
      </Group>
      {arrayError ? (
        <Text size="sm" c="red.8" role="alert">
          {label}: {arrayError}
        </Text>
      ) : null}
      {cellErrors.size > 0 ? (
        <Text size="sm" c="red.8" role="alert" data-testid={`${name}-errors`}>
          {[...cellErrors.entries()]
            .slice(0, 5)
            .map(
              ([r, e]) =>
                `Row ${r + 1}: ${Object.entries(e)
                  .map(([k, m]) => `${humanize(k)} ${m}`)
                  .join("; ")}`,
            )
            .join(" · ")}
          {cellErrors.size > 5 ? ` · and ${cellErrors.size - 5} more rows` : ""}
        </Text>
      ) : null}
    </div>
  );
}

const GridRow = memo(function GridRow({
  index,
  top,
  template,
  row,
  columns,
  errors,
  disabled,
  setCell,
  removeRow,
  paste,
}: {
  index: number;
  top: number;
  template: string;
  row: Row;
  columns: Column[];
  errors: Record<string, string> | undefined;
  disabled: boolean;
  setCell: (r: number, key: string, value: unknown) => void;
  removeRow: (r: number) => void;
  paste: (r: number, c: number, text: string) => void;
}) {
  return (
    <tr
      aria-rowindex={index + 2}
      className={classes.row}
      style={{ gridTemplateColumns: template, transform: `translateY(${top}px)`, height: ROW_HEIGHT }}
    >
      <th scope="row" className={classes.rowNumber}>
        {index + 1}
      </th>
      {columns.map((c, ci) => (
        <td key={c.key} className={classes.cell}>
          <Cell
            column={c}
            value={row[c.key]}
            label={`${c.title}, row ${index + 1}`}
            error={errors?.[c.key]}
            disabled={disabled}
            onChange={(v) => setCell(index, c.key, v)}
            onPaste={(text) => paste(index, ci, text)}
          />
        </td>
      ))}
      <td className={classes.cell}>
        {!disabled ? (
          <ActionIcon
            variant="subtle"
            color="red"
            size="sm"
            aria-label={`Remove row ${index + 1}`}
            onClick={() => removeRow(index)}
          >
            ×
          </ActionIcon>
        ) : null}
      </td>
    </tr>
  );
});

function Cell({
  column,
  value,
  label,
  error,
  disabled,
  onChange,
  onPaste,
}: {
  column: Column;
  value: unknown;
  label: string;
  error?: string;
  disabled: boolean;
  onChange: (v: unknown) => void;
  onPaste: (text: string) => void;
}) {
  const kind = column.field.kind;
  const [text, setText] = useState(() => display(value, column.unit));
  useEffect(() => {
    setText((t) => (Object.is(coerce(t, column), value) ? t : display(value, column.unit)));
  }, [value, column]);
  const common = {
    "aria-label": label,
    "aria-invalid": error ? true : undefined,
    title: error,
    disabled,
    className: error ? `${classes.input} ${classes.invalid}` : classes.input,
    onPaste: (e: React.ClipboardEvent) => {
      const t = e.clipboardData.getData("text/plain");
      if (/[\t\n]/.test(t.trim())) {
        e.preventDefault();
        onPaste(t);
      }
    },
  };
  if (kind === "boolean") {
    return (
      <input
        type="checkbox"
        {...common}
        checked={!!value}
        onChange={(e) => onChange(e.currentTarget.checked)}
      />
    );
  }
  if (kind === "enum") {
    return (
      <select
        {...common}
        value={value === undefined || value === null ? "" : String(value)}
        onChange={(e) => onChange(coerce(e.currentTarget.value, column))}
      >
        <option value="">{column.field.nullable ? "none" : "—"}</option>
        {(column.field.options ?? []).map((o) => (
          <option key={String(o)} value={String(o)}>
            {String(o)}
          </option>
        ))}
      </select>
    );
  }
  return (
    <input
      {...common}
      inputMode={kind === "number" ? "decimal" : undefined}
      value={text}
      onChange={(e) => {
        setText(e.currentTarget.value);
        onChange(coerce(e.currentTarget.value, column));
      }}
    />
  );
}

function display(v: unknown, unit: string | undefined): string {
  if (v === undefined || v === null) return "";
  if (typeof v === "number") return entryText(v, unit);
  return typeof v === "object" ? JSON.stringify(v) : String(v);
}

function collectErrors(errors: unknown, columns: Column[]): Map<number, Record<string, string>> {
  const out = new Map<number, Record<string, string>>();
  if (!errors || typeof errors !== "object") return out;
  for (const [k, rowErr] of Object.entries(errors)) {
    const r = Number(k);
    if (!Number.isInteger(r) || !rowErr || typeof rowErr !== "object") continue;
    const cells: Record<string, string> = {};
    for (const c of columns) {
      const m = get(rowErr, `${c.key}.message`);
      if (typeof m === "string") cells[c.key] = m;
    }
    const own = (rowErr as { message?: unknown }).message;
    if (typeof own === "string") cells.row = own;
    if (Object.keys(cells).length) out.set(r, cells);
  }
  return out;
}
