import { z } from "zod";
import type { DataConnectors, ModelContext } from "./context.ts";
import {
  type ChartDescriptor,
  type DocumentDescriptor,
  type FormLayout,
  type KpiDescriptor,
  type OutcomeDescriptor,
  RESULT_VIEW_RE,
  type TableDescriptor,
} from "./descriptors.ts";
import { ModelCanceledError, ModelInputError, ModelOutputError } from "./errors.ts";
import type { ModelPart } from "./parallel.ts";
import { plainCheckOf } from "./plain-check.ts";
import { nulIssues } from "./text.ts";

export interface ModelExample<Input> {
  name: string;
  title: string;
  input: Input;
}

/**
 * Another way to write a model's input and output — e.g. `prototype`, the JSON the original
 * Python prototype read and wrote, so its users can bring old cases and reconcile old numbers.
 */
export interface ModelFormat<In extends z.ZodType, Out extends z.ZodType> {
  title: string;
  /** A document in this format → the model's input (validated by the input schema afterwards). */
  toInput(raw: unknown): unknown;
  /** The model's output (and the validated input it came from) written in this format. */
  fromOutput(output: z.output<Out>, input: z.output<In>): unknown;
}

export interface ModelDefinition<In extends z.ZodType, Out extends z.ZodType> {
  /** Stable, URL-safe: `deal-picker`. */
  id: string;
  /** Semver; every run records it, and the result cache keys on it. */
  version: string;
  title: string;
  summary: string;
  input: In;
  output: Out;
  /** Realistic inputs, used by docs, the UI and tests. Each must satisfy `input`. */
  examples: ModelExample<z.input<In>>[];
  tables?: TableDescriptor[];
  charts?: ChartDescriptor[];
  /** Headline outputs, first in reports and exports; without them the platform shows the output's `kpis` object or top-level numbers. */
  kpis?: KpiDescriptor[];
  /**
   * The one number that sums up a run (a deal's levered IRR, a plan's objective): stored with the
   * run when it succeeds and shown in lists of runs. The first numeric KPI when omitted.
   */
  keyResult?: KpiDescriptor;
  /** Engine-specific documents exported beside the generic run report (PDF and Word). */
  documents?: DocumentDescriptor<z.output<Out>, z.output<In>>[];
  /** Sections of the input form (see FormLayout); without one the form follows the schema's order. */
  layout?: FormLayout;
  /**
   * The result view clients show runs with (see RESULT_VIEW_RE): `generic` (the default),
   * `optimizer`, or a dedicated view's name. Declared per version, so a v2 with a new output
   * shape can name a new view while v1's runs keep theirs.
   */
  view?: string;
  /** What a succeeded run's answer was (a plan, no feasible plan, an empty plan): a badge beside its status. */
  outcome?: OutcomeDescriptor;
  /** Longest a run may take before it is stopped. */
  timeoutMs?: number;
  /** Heavy models (optimizers) get the stricter per-user run rate limit. */
  heavy?: boolean;
  /** Internal models (the platform's own test model) stay out of the user-facing catalog. */
  internal?: boolean;
  /** Alternative input/output formats by name (`--format prototype` on the CLI, `format` in the API). */
  formats?: Record<string, ModelFormat<In, Out>>;
  /**
   * Reference data this model reads from `ctx.data` (connector keys). The platform resolves each
   * before the run (an upstream edition, or the shipped one) and records which edition was used.
   */
  data?: readonly (keyof DataConnectors)[];
  /**
   * Called once in each engine thread as it starts, before any run: loads what every run needs and
   * would otherwise load in a user's first run on that thread (a solver's WebAssembly). Takes no
   * input; a rejection does not fail the thread (the first run that needs it loads it again, and
   * fails with its own error if it must).
   */
  warmUp?: () => Promise<void>;
  /** Pure pieces of work the platform may run on helper threads (see `runParts`), by name. */
  parts?: Record<string, ModelPart>;
  run(input: z.output<In>, ctx: ModelContext): Promise<z.input<Out>> | z.input<Out>;
}

export type Model<In extends z.ZodType = z.ZodType, Out extends z.ZodType = z.ZodType> = Readonly<
  ModelDefinition<In, Out>
>;
// biome-ignore lint/suspicious/noExplicitAny: a registry holds models of every shape
export type AnyModel = Model<any, any>;

const ID_RE = /^[a-z][a-z0-9-]{1,40}$/;
const SEMVER_RE = /^\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?$/;

/**
 * Declares an engine. Checks the declaration itself (id, version, examples valid, tables and
 * charts consistent) so a broken engine fails when it is loaded, not when a user runs it.
 */
export function defineModel<In extends z.ZodType, Out extends z.ZodType>(
  def: ModelDefinition<In, Out>,
): Model<In, Out> {
  if (!ID_RE.test(def.id)) throw new Error(`Model id "${def.id}" must match ${ID_RE}`);
  if (!SEMVER_RE.test(def.version))
    throw new Error(`Model ${def.id}: version "${def.version}" is not semver`);
  for (const ex of def.examples) {
    const r = def.input.safeParse(ex.input);
    if (!r.success)
      throw new Error(`Model ${def.id}: example "${ex.name}" is invalid: ${z.prettifyError(r.error)}`);
  }
  for (const name of Object.keys(def.formats ?? {})) {
    if (!/^[a-z][a-z0-9-]*$/.test(name))
      throw new Error(`Model ${def.id}: format name "${name}" must be lower-case`);
  }
  const tables = new Map((def.tables ?? []).map((t) => [t.name, t]));
  for (const c of def.charts ?? []) {
    const t = tables.get(c.table);
    if (!t) throw new Error(`Model ${def.id}: chart "${c.name}" draws from unknown table "${c.table}"`);
    if (c.kind === "gantt" && c.y.length !== 2)
      throw new Error(`Model ${def.id}: gantt chart "${c.name}" needs y = [first period, last period]`);
    for (const key of [c.x, ...c.y]) {
      if (!t.columns.some((col) => col.key === key)) {
        throw new Error(`Model ${def.id}: chart "${c.name}" uses column "${key}" not in table "${t.name}"`);
      }
    }
  }
  const names = new Set<string>();
  for (const d of def.documents ?? []) {
    if (!/^[a-z][a-z0-9-]{0,40}$/.test(d.name))
      throw new Error(`Model ${def.id}: document name "${d.name}" must be lower-case and URL-safe`);
    if (d.name === "report" || names.has(d.name))
      throw new Error(`Model ${def.id}: document name "${d.name}" is taken`);
    names.add(d.name);
  }
  if (def.view !== undefined && !RESULT_VIEW_RE.test(def.view))
    throw new Error(`Model ${def.id}: view "${def.view}" must match ${RESULT_VIEW_RE}`);
  if (def.layout) checkLayout(def.id, def.layout, def.input);
  return Object.freeze({ ...def });
}

/**
 * A layout must name sections and fields the input has, each field once: a misspelt field would
 * otherwise silently drop to "Other" and the section the author meant would be missing it.
 */
function checkLayout(id: string, layout: FormLayout, input: z.ZodType) {
  const keys = new Set(inputFieldsAt(input, layout.at));
  if (keys.size === 0)
    throw new Error(`Model ${id}: layout.at "${layout.at ?? ""}" is not an object of the input`);
  const sectionIds = new Set<string>();
  const placed = new Set<string>();
  for (const s of layout.sections) {
    if (!/^[a-z][a-z0-9-]{0,40}$/.test(s.id) || s.id === "other" || sectionIds.has(s.id))
      throw new Error(`Model ${id}: layout section id "${s.id}" must be URL-safe, unique and not "other"`);
    sectionIds.add(s.id);
    for (const f of s.fields) {
      if (!keys.has(f))
        throw new Error(`Model ${id}: layout section "${s.id}" names "${f}", not an input field`);
      if (placed.has(f)) throw new Error(`Model ${id}: layout places "${f}" twice`);
      placed.add(f);
    }
  }
}

/**
 * The field names of the object at a dotted path of an input schema ("" = the input itself), as
 * clients see them in its JSON Schema; empty when there is no object there.
 */
export function inputFieldsAt(input: z.ZodType, at = ""): string[] {
  let node = objectOf(z.toJSONSchema(input, { io: "input", unrepresentable: "any" }) as JsonNode);
  for (const key of at ? at.split(".") : []) node = objectOf(node.properties?.[key]);
  return Object.keys(node.properties ?? {});
}

type JsonNode = { properties?: Record<string, JsonNode>; anyOf?: JsonNode[] };
/** The object node of a (possibly nullable or defaulted) schema node. */
const objectOf = (n: JsonNode | undefined): JsonNode =>
  n?.properties ? n : (n?.anyOf?.find((a) => a.properties) ?? {});

/** Zod issues as `{ path, message }` with dotted paths (`tranches.2.rateAnnual`). */
export function issuesOf(error: z.ZodError, prefix = ""): { path: string; message: string }[] {
  return error.issues.map((i) => ({
    path: [prefix, ...i.path.map(String)].filter(Boolean).join(".") || prefix || "(root)",
    message: i.message,
  }));
}

/**
 * Validates the input against the model's schema, throwing ModelInputError with every bad field.
 * Text holding a NUL is refused first, whatever the schema says (the platform's one text rule).
 */
export function parseInput<In extends z.ZodType>(model: Model<In>, raw: unknown): z.output<In> {
  const nul = nulIssues(raw);
  if (nul.length) throw new ModelInputError(nul);
  const r = model.input.safeParse(raw);
  if (!r.success) throw new ModelInputError(issuesOf(r.error));
  return r.data;
}

/**
 * Runs a model the way the platform does: validate input, run, validate output. Throws
 * ModelInputError (user's input), ModelCanceledError (signal), ModelOutputError (engine bug).
 * `inputParsed`: `raw` is already what `parseInput` returned for this model (the caller parsed it
 * moments ago, in the same deployment), so it is not parsed again; the output is always checked.
 */
export async function executeModel<In extends z.ZodType, Out extends z.ZodType>(
  model: Model<In, Out>,
  raw: unknown,
  ctx: ModelContext,
  opts: { inputParsed?: boolean } = {},
): Promise<z.output<Out>> {
  const input = opts.inputParsed ? (raw as z.output<In>) : parseInput(model, raw);
  if (ctx.signal.aborted) throw new ModelCanceledError();
  let result: z.input<Out>;
  try {
    result = await model.run(input, ctx);
  } catch (err) {
    if (ctx.signal.aborted) throw new ModelCanceledError();
    throw err;
  }
  return checkOutput(model, result);
}

/**
 * The model's output as its schema parses it; throws `ModelOutputError` when it does not satisfy
 * it. An output that zod would return unchanged (plain-check.ts) is returned as it is, without
 * zod's copy: the check then costs a tenth of a parse.
 */
export function checkOutput<Out extends z.ZodType>(
  model: Model<z.ZodType, Out>,
  result: unknown,
): z.output<Out> {
  if (plainCheckOf(model.output)?.(result)) return result as z.output<Out>;
  const out = model.output.safeParse(result);
  if (!out.success) throw new ModelOutputError(issuesOf(out.error));
  return out.data;
}

/** A model's format by name, or the message to show when it has none of that name. */
export function findFormat(
  model: AnyModel,
  name: string,
):
  | { format: ModelFormat<z.ZodType, z.ZodType>; missing?: undefined }
  | { format?: undefined; missing: string } {
  const format = model.formats?.[name];
  if (format) return { format };
  const offered = Object.keys(model.formats ?? {});
  return {
    missing: `${model.id}@${model.version} has no format "${name}"${offered.length ? `; it offers: ${offered.join(", ")}` : ""}`,
  };
}
