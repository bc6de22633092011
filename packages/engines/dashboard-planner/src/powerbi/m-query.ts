/**
 * Power Query M that loads a table's data file from the folder named by the `DataFolder`
 * parameter. M cannot read a path relative to the project, so the folder is a parameter the user
 * sets once after unzipping (README: "Open the project in Power BI Desktop").
 */
import type { PowerBiDataType, PowerBiTable } from "./spec.ts";

export const DATA_FOLDER_PARAMETER = "DataFolder";

/** An M text literal: quotes doubled, and `#(` escaped so it cannot start an escape sequence. */
export function mString(text: string): string {
  return `"${text.replaceAll('"', '""').replaceAll("#(", "#(#)(")}"`;
}

const M_TYPE: Record<PowerBiDataType, string> = {
  string: "type text",
  int64: "Int64.Type",
  double: "type number",
  decimal: "Currency.Type",
  boolean: "type logical",
  dateTime: "type datetime",
};

/**
 * The partition query: read the file, keep the spec's columns, type them. Conversions use the
 * en-US culture because the files are written with "." decimals and ISO dates; without it a
 * machine set to German would read 72.5 as 725.
 */
export function partitionM(table: PowerBiTable): string {
  const sources = table.columns.map((c) => c.sourceColumn ?? c.name);
  const read = table.fileName.toLowerCase().endsWith(".parquet")
    ? `Parquet.Document(File.Contents(Folder & ${mString(table.fileName)}))`
    : `Csv.Document(File.Contents(Folder & ${mString(table.fileName)}), [Delimiter = ",", Encoding = 65001, QuoteStyle = QuoteStyle.Csv])`;
  const steps = [
    `Folder = if Text.EndsWith(${DATA_FOLDER_PARAMETER}, "\\") or Text.EndsWith(${DATA_FOLDER_PARAMETER}, "/") then ${DATA_FOLDER_PARAMETER} else ${DATA_FOLDER_PARAMETER} & "\\"`,
    `Source = ${read}`,
  ];
  let last = "Source";
  if (!table.fileName.toLowerCase().endsWith(".parquet")) {
    steps.push(`Promoted = Table.PromoteHeaders(Source, [PromoteAllScalars = true])`);
    last = "Promoted";
  }
  steps.push(`Selected = Table.SelectColumns(${last}, {${sources.map(mString).join(", ")}})`);
  const types = table.columns.map((c, i) => `{${mString(sources[i]!)}, ${M_TYPE[c.dataType]}}`);
  steps.push(`Typed = Table.TransformColumnTypes(Selected, {${types.join(", ")}}, "en-US")`);
  return [
    "let",
    ...steps.map((s, i) => `    ${s}${i < steps.length - 1 ? "," : ""}`),
    "in",
    "    Typed",
  ].join("\n");
}

/** The parameter's own M: a text value flagged as a required parameter query. */
export function dataFolderParameterM(folder: string): string {
  return `${mString(folder)} meta [IsParameterQuery = true, Type = "Text", IsParameterQueryRequired = true]`;
}
