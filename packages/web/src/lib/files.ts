import type {
  ColumnMappingDto,
  ColumnProfileDto,
  FieldMappingDto,
  FileDto,
  MapResultDto,
  SuggestionsDto,
  TargetColumnDto,
} from "@modelworks/contracts/files";
import type { z } from "zod";

// Shapes of the file and field-mapping API, straight from the server's contracts. Type-only, and
// from their own entry point: the contracts barrel would put the standard schemas in the bundle.
export type UploadedFile = z.output<typeof FileDto>;
export type ColumnProfile = z.output<typeof ColumnProfileDto>;
export type TargetColumn = z.output<typeof TargetColumnDto>;
export type ColumnMapping = z.input<typeof ColumnMappingDto>;
export type Cast = NonNullable<ColumnMapping["cast"]>;
export type MapValue = NonNullable<ColumnMapping["valueMap"]>[string];
export type Suggestions = z.output<typeof SuggestionsDto>;
export type MapResult = z.output<typeof MapResultDto>;
export type FieldMapping = z.output<typeof FieldMappingDto>;

/** `Y=true; N=false; n/a=null` ⇄ a value map. Values read as JSON when they are (numbers, booleans, null). */
export function parseValueMap(text: string): Record<string, MapValue> | undefined {
  const out: Record<string, MapValue> = {};
  for (const part of text.split(/[;\n]/)) {
    const i = part.indexOf("=");
    if (i <= 0) continue;
    const from = part.slice(0, i).trim();
    const raw = part.slice(i + 1).trim();
    if (!from) continue;
    out[from] = /^(true|false|null|-?\d+(\.\d+)?([eE][-+]?\d+)?)$/.test(raw)
      ? (JSON.parse(raw) as MapValue)
      : raw;
  }
  return Object.keys(out).length ? out : undefined;
}

export function formatValueMap(map: Record<string, MapValue> | undefined): string {
  return map
    ? Object.entries(map)
        .map(([k, v]) => `${k}=${v === null ? "null" : String(v)}`)
        .join("; ")
    : "";
}

/** The mapping to send: targets with a source or a constant, transforms only when set. */
export function mappingToSend(columns: ColumnMapping[]): ColumnMapping[] {
  return columns
    .filter((c) => c.source !== null || c.constant !== undefined)
    .map((c) => {
      const m: ColumnMapping = { target: c.target, source: c.source };
      if (c.constant !== undefined) m.constant = c.constant;
      if (c.cast) m.cast = c.cast;
      if (c.scale !== undefined && c.scale !== 1) m.scale = c.scale;
      if (c.valueMap && Object.keys(c.valueMap).length) m.valueMap = c.valueMap;
      return m;
    });
}

/** The file name of a Content-Disposition header: RFC 6266 `filename*` first, then `filename`. */
export function fileNameOf(header: string | null): string | null {
  if (!header) return null;
  const star = /filename\*\s*=\s*([^']*)'[^']*'([^;]+)/i.exec(header);
  if (star?.[2]) {
    try {
      return decodeURIComponent(star[2].trim());
    } catch {
      // fall through to the plain name
    }
  }
  const plain = /filename\s*=\s*"([^"]*)"|filename\s*=\s*([^;]+)/i.exec(header);
  const name = plain?.[1] ?? plain?.[2]?.trim();
  return name || null;
}

/** A fixed value typed in for a target column, read as the column's type ("" = none). */
export function constantOf(text: string, type: TargetColumn["type"]): string | number | boolean | undefined {
  const t = text.trim();
  if (!t) return undefined;
  if (type === "number" || type === "integer") {
    const n = Number(t.replace(/,/g, ""));
    return Number.isFinite(n) ? n : t;
  }
  if (type === "boolean" && /^(true|false)$/i.test(t)) return t.toLowerCase() === "true";
  return t;
}
