export { DIALECTS, type DialectRules, doubleLiteral, SQL_DIALECTS, type SqlDialect } from "./dialects.ts";
export { type ScoringSqlOptions, scoringSql } from "./scoring-sql.ts";
