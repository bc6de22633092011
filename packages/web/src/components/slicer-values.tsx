import { MultiSelect } from "@mantine/core";
import { useDebouncedValue } from "@mantine/hooks";
import type {
  DashboardQueryBody,
  SlicerValuesBody,
  SlicerValuesResult,
} from "@modelworks/contracts/conversations";
import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import type { z } from "zod";
import { queryKeys } from "../client/query-keys.ts";
import type { PlanSlicer, SlicerState } from "../lib/dashboard.ts";
import { useOrg } from "../session.ts";

/** Values offered at once; typing narrows them on the server (a prefix search). */
const OFFERED = 200;
const SEARCH_DEBOUNCE_MS = 250;

/**
 * Where a dashboard's slicer values come from: the conversation's route for its members, the
 * share link's public route for a recipient. `scope` and `revision` key the cached answers.
 */
export interface SlicerSource {
  scope: string;
  revision: number;
  values: (
    slicerId: string,
    body: z.input<typeof SlicerValuesBody>,
  ) => Promise<z.output<typeof SlicerValuesResult>>;
}

/**
 * A list slicer whose choices come from the server: the distinct values of its field under the
 * other slicers and the cross-filter selections, most frequent first, searched as the user types.
 * Chosen values stay listed even when the other filters no longer produce them.
 */
export function ListSlicer({
  source,
  slicer,
  state,
  filters,
  onChange,
}: {
  source: SlicerSource;
  slicer: PlanSlicer;
  state: SlicerState | undefined;
  /** The dashboard's current filter state (this slicer's own state is ignored by the server). */
  filters: z.input<typeof DashboardQueryBody>;
  onChange: (s: SlicerState) => void;
}) {
  const { session } = useOrg();
  const [search, setSearch] = useState("");
  const [prefix] = useDebouncedValue(search.trim(), SEARCH_DEBOUNCE_MS);
  const body = {
    order: "frequency" as const,
    limit: OFFERED,
    slicers: filters.slicers ?? {},
    selections: filters.selections ?? [],
    ...(prefix ? { prefix } : {}),
  };
  const values = useQuery({
    queryKey: queryKeys.slicerValues(
      session?.activeOrgId,
      source.scope,
      source.revision,
      slicer.id,
      prefix,
      JSON.stringify(body),
    ),
    queryFn: () => source.values(slicer.id, body),
    placeholderData: (prev) => prev,
  });
  const chosen = state && "values" in state ? state.values.map(String) : [];
  const offered = (values.data?.values ?? []).map((v) => String(v.value));
  const data = [...new Set([...chosen, ...offered])];
  return (
    <MultiSelect
      size="xs"
      label={slicer.title ?? slicer.field.column}
      placeholder="All"
      data={data}
      value={chosen}
      maxValues={slicer.multi === false ? 1 : undefined}
      onChange={(vs) => onChange({ values: vs })}
      searchable
      searchValue={search}
      onSearchChange={setSearch}
      clearable
      nothingFoundMessage={values.isFetching ? "Searching…" : "No values"}
      description={values.data?.truncated ? `The ${OFFERED} most frequent; type to search` : undefined}
      error={values.error ? "Could not load the values" : undefined}
    />
  );
}
