/**
 * The names of the platform's standard schemas (tables files are mapped onto that belong to no
 * one model). The schemas themselves live with the server's file mapping
 * (`server/src/files/standard.ts`), which must define exactly these.
 */
export const STANDARD_SCHEMA_NAMES = ["customer-response", "linkedin-post-analytics"] as const;
export type StandardSchemaName = (typeof STANDARD_SCHEMA_NAMES)[number];
