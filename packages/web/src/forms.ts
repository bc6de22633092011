import type { FieldValues, Path, UseFormSetError } from "react-hook-form";
import { ApiError, errorMessage } from "./api.ts";
import { describePath } from "./lib/field-path.ts";

/**
 * Puts the server's 422 field errors (`body.email`, `body.input.deals.3.askPrice`) on the form
 * fields they name; returns what names no field, for an alert above the form.
 */
export function applyServerErrors<T extends FieldValues>(
  err: unknown,
  setError: UseFormSetError<T>,
  prefix = "body.",
): string | null {
  if (!(err instanceof ApiError)) return errorMessage(err);
  const unplaced: string[] = [];
  for (const e of err.fieldErrors) {
    if (e.path.startsWith(prefix) && e.path.length > prefix.length) {
      setError(e.path.slice(prefix.length) as Path<T>, { type: "server", message: e.message });
    } else unplaced.push(e.path ? `${describePath(e.path)}: ${e.message}` : e.message);
  }
  if (err.fieldErrors.length === 0) return errorMessage(err);
  return unplaced.length ? unplaced.join("; ") : null;
}
