import { ERROR_CODE_NAMES, ERROR_CODES, problemType } from "@modelworks/contracts/errors";

/** Every code, one line each, for the OpenAPI description: the catalogue a client branches on. */
export function errorCodesMarkdown(): string {
  return ERROR_CODE_NAMES.map(
    (code) => `- \`${code}\` (${ERROR_CODES[code].status}): ${ERROR_CODES[code].description}`,
  ).join("\n");
}

/** docs/errors.md, rendered from the catalogue; test/error-catalogue.test.ts keeps the file equal to it. */
export function renderErrorsDoc(): string {
  const rows = ERROR_CODE_NAMES.map((code) => {
    const { status, title, description } = ERROR_CODES[code];
    return `| \`${code}\` | ${status} ${title} | ${description.replaceAll("|", "\\|")} |`;
  });
  return [
    "# Error codes",
    "",
    "Every error the API answers is an RFC 9457 `application/problem+json` body with a stable `code`",
    `and a \`type\` URI naming it (\`${problemType("not_found")}\` for \`not_found\`), which resolves to the`,
    "entry below (`GET /api/v1/problems/{code}`; the whole list at `GET /api/v1/problems`). Branch on",
    "`code`, never on the status or the title: several codes share a status. Codes are never renamed.",
    "",
    "The list lives in `packages/contracts/src/errors.ts`; this file is generated from it",
    "(`UPDATE_ERROR_DOCS=1 npx vitest run packages/server/test/error-catalogue.test.ts`).",
    "",
    "| Code | Status | When, and what to do |",
    "|---|---|---|",
    ...rows,
    "",
  ].join("\n");
}
