/**
 * Power BI's semantic query expressions (schema report/definition/semanticQuery/1.4.0): the field
 * references visuals project, and the filter definitions of categorical and top-N filters.
 */
import { QUERY_AGGREGATE_FUNCTION } from "./dax.ts";
import type { ResolvedField } from "./model-index.ts";
import type { PowerBiColumn } from "./spec.ts";

type Json = Record<string, unknown>;

const entity = (table: string): Json => ({ SourceRef: { Entity: table } });
const source = (alias: string): Json => ({ SourceRef: { Source: alias } });

export function columnExpr(table: string, column: string): Json {
  return { Column: { Expression: entity(table), Property: column } };
}

export function fieldExpr(field: ResolvedField): Json {
  return field.kind === "measure"
    ? { Measure: { Expression: entity(field.table.name), Property: field.measure.name } }
    : columnExpr(field.table.name, field.column.name);
}

/**
 * A literal as the semantic query encodes it: 'text' (quotes doubled), 24L, 2.4D, 2.4M, true,
 * datetime'2024-01-31T00:00:00'.
 */
export function literal(value: string | number | boolean, column: PowerBiColumn): Json {
  let encoded: string;
  switch (column.dataType) {
    case "int64":
      encoded = `${value}L`;
      break;
    case "double":
      encoded = `${value}D`;
      break;
    case "decimal":
      encoded = `${value}M`;
      break;
    case "boolean":
      encoded = String(value);
      break;
    case "dateTime": {
      const text = String(value);
      encoded = `datetime'${text.length === 10 ? `${text}T00:00:00` : text.length === 16 ? `${text}:00` : text}'`;
      break;
    }
    default:
      encoded = `'${String(value).replaceAll("'", "''")}'`;
  }
  return { Literal: { Value: encoded } };
}

/** Short, distinct source aliases, the way Desktop names them (first letter of the table). */
function aliases(tables: string[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const table of tables) {
    if (out.has(table)) continue;
    const base = (table.match(/[A-Za-z]/)?.[0] ?? "t").toLowerCase();
    let alias = base;
    for (let i = 1; [...out.values()].includes(alias); i++) alias = `${base}${i}`;
    out.set(table, alias);
  }
  return out;
}

/** Keep the rows whose column is one of `values`. */
export function categoricalFilter(
  name: string,
  table: string,
  column: PowerBiColumn,
  values: (string | number | boolean)[],
): Json {
  const alias = aliases([table]).get(table)!;
  return {
    name,
    field: columnExpr(table, column.name),
    type: "Categorical",
    filter: {
      Version: 2,
      From: [{ Name: alias, Entity: table, Type: 0 }],
      Where: [
        {
          Condition: {
            In: {
              Expressions: [{ Column: { Expression: source(alias), Property: column.name } }],
              Values: values.map((v) => [literal(v, column)]),
            },
          },
        },
      ],
    },
    howCreated: "User",
  };
}

/**
 * Keep the `count` members of a column ranked first (or last) by a measure. The ranking
 * aggregates the measure's column directly: Power BI Desktop fails on a Measure reference inside
 * the top-N subquery's OrderBy, and every measure here is one aggregation of one column.
 */
export function topNFilter(
  name: string,
  ranked: { table: string; column: PowerBiColumn },
  by: Extract<ResolvedField, { kind: "measure" }>,
  count: number,
  direction: "top" | "bottom",
): Json {
  const names = aliases([ranked.table, by.table.name]);
  const rankedAlias = names.get(ranked.table)!;
  const measureAlias = names.get(by.table.name)!;
  const from = [...names].map(([table, alias]) => ({ Name: alias, Entity: table, Type: 0 }));
  return {
    name,
    field: columnExpr(ranked.table, ranked.column.name),
    type: "TopN",
    filter: {
      Version: 2,
      From: [
        {
          Name: "subquery",
          Expression: {
            Subquery: {
              Query: {
                Version: 2,
                From: from,
                Select: [
                  {
                    Column: { Expression: source(rankedAlias), Property: ranked.column.name },
                    Name: "field",
                  },
                ],
                OrderBy: [
                  {
                    Direction: direction === "top" ? 2 : 1,
                    Expression: {
                      Aggregation: {
                        Expression: {
                          Column: { Expression: source(measureAlias), Property: by.column.name },
                        },
                        Function: QUERY_AGGREGATE_FUNCTION[by.measure.aggregation],
                      },
                    },
                  },
                ],
                Top: count,
              },
            },
          },
          Type: 2,
        },
        { Name: rankedAlias, Entity: ranked.table, Type: 0 },
      ],
      Where: [
        {
          Condition: {
            In: {
              Expressions: [{ Column: { Expression: source(rankedAlias), Property: ranked.column.name } }],
              Table: { SourceRef: { Source: "subquery" } },
            },
          },
        },
      ],
    },
    howCreated: "User",
  };
}
