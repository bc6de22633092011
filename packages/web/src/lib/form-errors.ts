import { ApiError, errorMessage } from "../api.ts";

/** One field-level problem as the server reports it (`body.input.deals.3.askPrice`). */
export interface FieldProblem {
  path: string;
  message: string;
}

/** What an alert says: a sentence and the field-level problems, each `where: what`. */
export function alertContent(
  error: unknown,
  problems?: readonly FieldProblem[],
): { message: string | null; problems: readonly FieldProblem[] } {
  // A list of sentences (a form's own checks) is listed as problems that name no field.
  if (Array.isArray(error))
    return { message: null, problems: error.map((m) => ({ path: "", message: String(m) })) };
  const listed = problems ?? (error instanceof ApiError ? error.fieldErrors : []);
  if (error === null || error === undefined || error === false || error === "")
    return { message: null, problems: listed };
  return { message: typeof error === "string" ? error : errorMessage(error), problems: listed };
}

/** A problem as a line of the alert: "Unit mix, row 2, Gross sqft: must be positive". */
export function problemText(p: FieldProblem, describe: (path: string) => string): string {
  const where = p.path ? describe(p.path) : "";
  return where ? `${where}: ${p.message}` : p.message;
}
