/**
 * What differs between the warehouses the SQL export targets: quoting, the double type, the
 * regular-expression test, the safe cast and trimming. Everything else is standard SQL.
 */
export type SqlDialect = "postgresql" | "duckdb" | "snowflake" | "bigquery";

export const SQL_DIALECTS: readonly SqlDialect[] = ["postgresql", "duckdb", "snowflake", "bigquery"];

export interface DialectRules {
  identifier(name: string): string;
  string(value: string): string;
  /** Boolean SQL: does text `s` fully match the (ERE/RE2-compatible, backslash-free) pattern? */
  matches(s: string, pattern: string): string;
  /** Text known to be numeric → double. */
  toDouble(s: string): string;
  /** Trim spaces only (not tabs or newlines), as the engine does. */
  trimSpaces(s: string): string;
}

const doubleQuoted = (name: string) => `"${name.replaceAll('"', '""')}"`;
const standardString = (v: string) => `'${v.replaceAll("'", "''")}'`;

export const DIALECTS: Record<SqlDialect, DialectRules> = {
  postgresql: {
    identifier: doubleQuoted,
    string: standardString, // standard_conforming_strings = on (the default since 9.1)
    matches: (s, p) => `(${s} ~ ${standardString(p)})`,
    toDouble: (s) => `CAST(${s} AS DOUBLE PRECISION)`,
    trimSpaces: (s) => `BTRIM(${s}, ' ')`,
  },
  duckdb: {
    identifier: doubleQuoted,
    string: standardString,
    matches: (s, p) => `regexp_full_match(${s}, ${standardString(p)})`,
    toDouble: (s) => `TRY_CAST(${s} AS DOUBLE)`,
    trimSpaces: (s) => `trim(${s}, ' ')`,
  },
  snowflake: {
    identifier: doubleQuoted,
    // Backslash is an escape character in Snowflake string literals.
    string: (v) => `'${v.replaceAll("\\", "\\\\").replaceAll("'", "''")}'`,
    matches: (s, p) => `REGEXP_LIKE(${s}, '${p}')`, // REGEXP_LIKE matches the whole string
    toDouble: (s) => `TRY_TO_DOUBLE(${s})`,
    trimSpaces: (s) => `TRIM(${s}, ' ')`,
  },
  bigquery: {
    identifier: (name) => `\`${name.replaceAll("\\", "\\\\").replaceAll("`", "\\`")}\``,
    string: (v) =>
      `'${v.replaceAll("\\", "\\\\").replaceAll("'", "\\'").replaceAll("\n", "\\n").replaceAll("\r", "\\r")}'`,
    matches: (s, p) => `REGEXP_CONTAINS(${s}, r'${p}')`,
    toDouble: (s) => `SAFE_CAST(${s} AS FLOAT64)`,
    trimSpaces: (s) => `TRIM(${s}, ' ')`,
  },
};

/**
 * A double as an exact SQL literal: the shortest decimal that reads back as the same double
 * (≤ 17 significant digits), in exponent form so DuckDB, Snowflake and BigQuery read it as a
 * double (PostgreSQL reads it as an exact numeric, converted to the same double).
 */
export function doubleLiteral(x: number): string {
  if (!Number.isFinite(x)) throw new RangeError(`cannot write ${x} as SQL`);
  if (Object.is(x, -0)) return "0e+0";
  const s = x.toExponential();
  return x < 0 ? `(${s})` : s;
}
