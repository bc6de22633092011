/**
 * Our visual kinds and how each maps onto a built-in Power BI visual: its `visualType` and the
 * data roles (field wells) it takes. Role names follow Power BI's own capabilities (Category, Y,
 * Series, X, Size, Values, Rows, Columns, Data); `Location` is ours for maps and lands in the
 * Azure Map's `Category` well. Modern types only: `cardVisual` not `card`, `tableEx` not `table`,
 * `pivotTable` for the matrix, `azureMap` for both map kinds (the Bing `map`/`filledMap` visuals
 * are deprecated and off by default in tenants).
 */

export const VISUAL_KINDS = [
  "card",
  "lineChart",
  "areaChart",
  "stackedAreaChart",
  "barChart",
  "stackedBarChart",
  "hundredPercentStackedBarChart",
  "columnChart",
  "stackedColumnChart",
  "hundredPercentStackedColumnChart",
  "scatterChart",
  "table",
  "matrix",
  "map",
  "filledMap",
  "histogram",
  "slicer",
] as const;
export type VisualKind = (typeof VISUAL_KINDS)[number];

export const ROLES = [
  "Category",
  "Series",
  "Y",
  "X",
  "Size",
  "Values",
  "Rows",
  "Columns",
  "Location",
] as const;
export type Role = (typeof ROLES)[number];

export interface RoleRule {
  /** The Power BI data role the fields are projected into. */
  pbiRole: string;
  accepts: "column" | "measure" | "any";
  min: number;
  max: number;
}

export interface KindRule {
  visualType: string;
  roles: Partial<Record<Role, RoleRule>>;
  /** The role whose first column a top-N filter ranks (none: top-N is not offered). */
  rankedRole?: Role;
}

const column = (pbiRole: string, min: number, max: number): RoleRule => ({
  pbiRole,
  accepts: "column",
  min,
  max,
});
const measure = (pbiRole: string, min: number, max: number): RoleRule => ({
  pbiRole,
  accepts: "measure",
  min,
  max,
});

/** Category × measures, optionally split by a legend column: lines, areas, bars and columns. */
const cartesian = (visualType: string): KindRule => ({
  visualType,
  roles: { Category: column("Category", 1, 1), Y: measure("Y", 1, 10), Series: column("Series", 0, 1) },
  rankedRole: "Category",
});

export const KIND_RULES: Record<VisualKind, KindRule> = {
  card: { visualType: "cardVisual", roles: { Values: measure("Data", 1, 10) } },
  lineChart: cartesian("lineChart"),
  areaChart: cartesian("areaChart"),
  stackedAreaChart: cartesian("stackedAreaChart"),
  // A plain bar/column chart is Power BI's clustered variant; its `barChart`/`columnChart` stack.
  barChart: cartesian("clusteredBarChart"),
  stackedBarChart: cartesian("barChart"),
  hundredPercentStackedBarChart: cartesian("hundredPercentStackedBarChart"),
  columnChart: cartesian("clusteredColumnChart"),
  stackedColumnChart: cartesian("columnChart"),
  hundredPercentStackedColumnChart: cartesian("hundredPercentStackedColumnChart"),
  scatterChart: {
    visualType: "scatterChart",
    roles: {
      Category: column("Category", 1, 1),
      X: measure("X", 1, 1),
      Y: measure("Y", 1, 1),
      Size: measure("Size", 0, 1),
      Series: column("Series", 0, 1),
    },
    rankedRole: "Category",
  },
  table: { visualType: "tableEx", roles: { Values: { pbiRole: "Values", accepts: "any", min: 1, max: 30 } } },
  matrix: {
    visualType: "pivotTable",
    roles: { Rows: column("Rows", 1, 5), Columns: column("Columns", 0, 5), Values: measure("Values", 1, 10) },
    rankedRole: "Rows",
  },
  map: {
    visualType: "azureMap",
    roles: {
      Location: column("Category", 1, 1),
      Size: measure("Size", 0, 1),
      Series: column("Series", 0, 1),
    },
    rankedRole: "Location",
  },
  filledMap: {
    visualType: "azureMap",
    roles: {
      Location: column("Category", 1, 1),
      Size: measure("Size", 0, 1),
      Series: column("Series", 0, 1),
    },
    rankedRole: "Location",
  },
  // A histogram is a column chart over a binned copy of a numeric column (see tmdl.ts binColumn).
  histogram: {
    visualType: "clusteredColumnChart",
    roles: { X: column("Category", 1, 1), Y: measure("Y", 1, 1) },
  },
  slicer: { visualType: "slicer", roles: { Values: column("Values", 1, 1) } },
};
