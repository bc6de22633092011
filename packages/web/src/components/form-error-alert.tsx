import { Alert, type AlertProps, List, Text } from "@mantine/core";
import { describePath } from "../lib/field-path.ts";
import { alertContent, type FieldProblem, problemText } from "../lib/form-errors.ts";

/**
 * The red alert of a form or an action that was refused. `error` is what went wrong: a sentence
 * (what `applyServerErrors` left over after placing the field errors on their fields), a list of
 * sentences, or the error itself — an `ApiError`'s field errors are then listed under its message, each named as
 * its label reads. Nothing is drawn when there is nothing to say, so a form writes
 * `<FormErrorAlert error={formError} />` without a condition around it.
 *
 * role="alert" makes screen readers announce it when it appears. It does not take the focus:
 * the form's first invalid field does (react-hook-form), and an action's button keeps it, as the
 * app's alerts always have.
 */
export function FormErrorAlert({
  error,
  problems,
  describe = describePath,
  ...props
}: {
  error: unknown;
  /** The field-level problems to list, when they do not come with `error` (an ApiError). */
  problems?: readonly FieldProblem[];
  /** How a problem's path reads (default: "Unit mix, row 2, Gross sqft"). */
  describe?: (path: string) => string;
  "data-testid"?: string;
} & Omit<AlertProps, "color" | "role" | "children">) {
  const content = alertContent(error, problems);
  if (!content.message && content.problems.length === 0) return null;
  return (
    <Alert color="red" role="alert" {...props}>
      {content.problems.length === 0 ? (
        content.message
      ) : (
        <>
          {content.message ? <Text size="sm">{content.message}</Text> : null}
          <List size="sm">
            {content.problems.map((p) => (
              <List.Item key={`${p.path}:${p.message}`}>{problemText(p, describe)}</List.Item>
            ))}
          </List>
        </>
      )}
    </Alert>
  );
}
