import { Badge, Fieldset, Stack, Tabs } from "@mantine/core";
import { type Control, type FieldValues, get, useFormState } from "react-hook-form";
import { type FormLayout, sectionsOver } from "../lib/layouts.ts";
import type { JsonSchema } from "../lib/schema.ts";
import { type Ctx, ObjectFields } from "./schema-form.tsx";

const pick = (schema: JsonSchema, keys: string[]): JsonSchema => ({
  ...schema,
  properties: Object.fromEntries(keys.map((k) => [k, schema.properties![k]!])),
});

/**
 * The generated editor with the layout the model declares (lib/layouts.ts): the object at `layout.at` in
 * tabs of sections, every other field as SchemaForm shows it. Tabs stay mounted, so validation
 * and the server's field errors reach every field; a tab shows how many of its fields have one.
 */
export function LaidOutSchemaForm({
  schema,
  layout,
  ...ctx
}: { schema: JsonSchema; layout: FormLayout } & Ctx) {
  const path = layout.at ? layout.at.split(".") : [];
  let target: JsonSchema = schema;
  for (const k of path) target = target.properties?.[k] ?? {};
  if (!target.properties) return <ObjectFields schema={schema} prefix="" ctx={ctx} depth={0} />;
  const prefix = layout.at ? `${layout.at}.` : "";
  const tabs = <SectionTabs schema={target} layout={layout} prefix={prefix} ctx={ctx} />;
  if (!layout.at) return tabs;
  // Nested (the analyses' project/deal): the outer fields first, then the deal in tabs.
  const outerKeys = Object.keys(schema.properties ?? {}).filter((k) => k !== path[0]);
  return (
    <Stack gap="md">
      <ObjectFields schema={pick(schema, outerKeys)} prefix="" ctx={ctx} depth={0} />
      <Fieldset legend={layout.title ?? layout.at} disabled={ctx.disabled}>
        {tabs}
      </Fieldset>
    </Stack>
  );
}

function SectionTabs({
  schema,
  layout,
  prefix,
  ctx,
}: {
  schema: JsonSchema;
  layout: FormLayout;
  prefix: string;
  ctx: Ctx;
}) {
  const sections = sectionsOver(layout, Object.keys(schema.properties ?? {}));
  const { errors } = useFormState({ control: ctx.control as Control<FieldValues> });
  return (
    <Tabs defaultValue={sections[0]?.id} variant="outline" keepMounted>
      <Tabs.List>
        {sections.map((s) => {
          const bad = s.fields.filter((f) => get(errors, `${prefix}${f}`)).length;
          return (
            <Tabs.Tab
              key={s.id}
              value={s.id}
              rightSection={
                bad ? (
                  <Badge size="xs" color="red.9" variant="filled" aria-label={`${bad} with errors`}>
                    {bad}
                  </Badge>
                ) : undefined
              }
            >
              {s.title}
            </Tabs.Tab>
          );
        })}
      </Tabs.List>
      {sections.map((s) => (
        <Tabs.Panel key={s.id} value={s.id} pt="md">
          <ObjectFields schema={pick(schema, s.fields)} prefix={prefix} ctx={ctx} depth={0} />
        </Tabs.Panel>
      ))}
    </Tabs>
  );
}
