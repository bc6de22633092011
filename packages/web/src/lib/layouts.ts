import type { Model } from "../types.ts";

/**
 * Input form layouts come from the model's own declaration (`layout` in defineModel, published
 * by GET /models/{id}): a layout groups and orders the fields the input schema has (the schema
 * stays the single source); a field no section names lands in "Other", so a new input field is
 * never hidden.
 */
export type FormLayout = NonNullable<Model["layout"]>;

/** The layout's sections over the keys an object actually has, plus "Other" for the rest. */
export function sectionsOver(layout: FormLayout, keys: string[]) {
  const have = new Set(keys);
  const named = new Set(layout.sections.flatMap((s) => s.fields));
  const sections = layout.sections
    .map((s) => ({ ...s, fields: s.fields.filter((f) => have.has(f)) }))
    .filter((s) => s.fields.length > 0);
  const rest = keys.filter((k) => !named.has(k));
  return rest.length ? [...sections, { id: "other", title: "Other", fields: rest }] : sections;
}
