/**
 * The report in PBIR (Power BI's enhanced report format): report.json, pages.json and one
 * page.json per page, one visual.json per visual. Each object is built in a fixed key order, so
 * JSON.stringify gives the same bytes for the same spec.
 */
import { objectName } from "./ids.ts";
import { ModelIndex, type ResolvedField } from "./model-index.ts";
import { SCHEMA_URL } from "./schema-urls.ts";
import { categoricalFilter, columnExpr, fieldExpr, topNFilter } from "./semantic-query.ts";
import {
  binColumnName,
  type CategoricalFilter,
  type FieldRef,
  type PowerBiPage,
  type PowerBiProjectSpec,
  type PowerBiVisual,
} from "./spec.ts";
import { KIND_RULES, ROLES, type Role } from "./visual-kinds.ts";

type Json = Record<string, unknown>;

export interface ReportPage {
  name: string;
  page: Json;
  visuals: { name: string; visual: Json }[];
}

export function reportJson(): Json {
  return {
    $schema: SCHEMA_URL.report,
    // Required by the schema; left empty, Power BI Desktop applies its current default theme.
    themeCollection: {},
    settings: {
      useStylableVisualContainerHeader: true,
      exportDataMode: "AllowSummarized",
      defaultDrillFilterOtherVisuals: true,
      allowChangeFilterTypes: true,
      useEnhancedTooltips: true,
      useDefaultAggregateDisplayName: true,
    },
  };
}

export function pagesJson(pages: ReportPage[]): Json {
  return { $schema: SCHEMA_URL.pages, pageOrder: pages.map((p) => p.name), activePageName: pages[0]!.name };
}

// Prefixed, so a plan id can never equal the fallback key of another page or visual.
const pageKey = (page: PowerBiPage) =>
  page.id !== undefined ? `id:${page.id}` : `name:${page.name.toLowerCase()}`;
const visualKey = (visual: PowerBiVisual, index: number) =>
  visual.id !== undefined ? `id:${visual.id}` : `index:${index}`;

export function reportPages(spec: PowerBiProjectSpec): ReportPage[] {
  const model = new ModelIndex(spec);
  return spec.pages.map((page) => {
    const name = objectName(spec.name, "page", pageKey(page));
    const filterName = (...key: string[]) => objectName(spec.name, "filter", pageKey(page), ...key);
    const pageJson: Json = {
      $schema: SCHEMA_URL.page,
      name,
      displayName: page.name,
      displayOption: "FitToPage",
      height: page.heightPx,
      width: page.widthPx,
    };
    if (page.filters.length)
      pageJson.filterConfig = {
        filters: page.filters.map((f, i) => filterJson(model, f, filterName("page", String(i)))),
      };
    const visuals = page.visuals.map((v, i) => {
      const key = visualKey(v, i);
      const visualName = objectName(spec.name, "visual", pageKey(page), key);
      return {
        name: visualName,
        visual: visualJson(model, v, i, visualName, (...k) => filterName("visual", key, ...k)),
      };
    });
    return { name, page: pageJson, visuals };
  });
}

function filterJson(model: ModelIndex, filter: CategoricalFilter, name: string): Json {
  const { table, column } = model.column(filter.column);
  return categoricalFilter(name, table.name, column, filter.values);
}

interface Projection {
  field: Json;
  queryRef: string;
  nativeQueryRef: string;
}

function projection(field: ResolvedField): Projection {
  const property = field.kind === "measure" ? field.measure.name : field.column.name;
  return { field: fieldExpr(field), queryRef: `${field.table.name}.${property}`, nativeQueryRef: property };
}

function visualJson(
  model: ModelIndex,
  v: PowerBiVisual,
  index: number,
  name: string,
  filterName: (...key: string[]) => string,
): Json {
  const rule = KIND_RULES[v.kind];
  const bindings = v.bindings as Partial<Record<Role, FieldRef[]>>;
  const queryState: Json = {};
  for (const role of ROLES) {
    const roleRule = rule.roles[role];
    const fields = bindings[role];
    if (!roleRule || !fields?.length) continue;
    const projections = fields.map((ref) => {
      const field = model.field(ref);
      if (v.kind === "histogram" && role === "X" && field.kind === "column") {
        const bin = binColumnName(field.column.name, v.binWidth!);
        return {
          field: columnExpr(field.table.name, bin),
          queryRef: `${field.table.name}.${bin}`,
          nativeQueryRef: bin,
        };
      }
      return projection(field);
    });
    // Desktop marks the shown level of a chart's axis as active; tables and matrices must not be.
    const active = roleRule.pbiRole === "Category" && rule.visualType !== "tableEx";
    queryState[roleRule.pbiRole] = {
      projections: projections.map((p) => (active ? { ...p, active: true } : p)),
    };
  }

  const query: Json = { queryState };
  const sort = sortDefinition(model, v, queryState);
  if (sort) query.sortDefinition = sort;

  const visual: Json = { visualType: rule.visualType, query };
  if (v.kind === "slicer") {
    const mode = { dropdown: "Dropdown", list: "Basic", between: "Between" }[v.slicerMode ?? "dropdown"];
    visual.objects = { data: [{ properties: { mode: { expr: { Literal: { Value: `'${mode}'` } } } } }] };
  }
  if (v.title !== undefined)
    visual.visualContainerObjects = {
      title: [
        {
          properties: {
            show: { expr: { Literal: { Value: "true" } } },
            text: { expr: { Literal: { Value: `'${v.title.replaceAll("'", "''")}'` } } },
          },
        },
      ],
    };
  visual.drillFilterOtherVisuals = true;

  const filters: Json[] = v.filters.map((f, i) => filterJson(model, f, filterName("filter", String(i))));
  if (v.topN && rule.rankedRole) {
    const rankedRef = bindings[rule.rankedRole]?.[0];
    const by = model.field(v.topN.by);
    if (rankedRef && "column" in rankedRef && by.kind === "measure") {
      const ranked = model.column(rankedRef);
      filters.push(
        topNFilter(
          filterName("topN"),
          { table: ranked.table.name, column: ranked.column },
          by,
          v.topN.count,
          v.topN.direction,
        ),
      );
    }
  }

  const container: Json = {
    $schema: SCHEMA_URL.visualContainer,
    name,
    position: {
      x: v.xPx,
      y: v.yPx,
      z: index * 1000,
      height: v.heightPx,
      width: v.widthPx,
      tabOrder: index * 1000,
    },
    visual,
  };
  if (filters.length) container.filterConfig = { filters };
  return container;
}

function sortDefinition(model: ModelIndex, v: PowerBiVisual, queryState: Json): Json | undefined {
  if (v.kind === "histogram") {
    // Bins read left to right in value order, whatever the counts.
    const category = (queryState.Category as { projections: Projection[] }).projections[0]!;
    return { sort: [{ field: category.field, direction: "Ascending" }], isDefaultSort: false };
  }
  if (!v.sort) return undefined;
  return {
    sort: [
      {
        field: fieldExpr(model.field(v.sort.by)),
        direction: v.sort.direction === "ascending" ? "Ascending" : "Descending",
      },
    ],
    // false: an explicit choice, which Power BI keeps instead of re-sorting by its default.
    isDefaultSort: false,
  };
}
