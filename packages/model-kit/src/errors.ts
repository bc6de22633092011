/** A field of a model's input that failed validation, with a message a user can act on. */
export interface InputIssue {
  path: string;
  message: string;
}

/**
 * The input does not satisfy the model: the user must change it. Never retried.
 * Thrown by the platform when the zod schema rejects the input, and by engines for
 * cross-field rules a schema cannot express (e.g. "equity plus debt exceeds the cost").
 */
export class ModelInputError extends Error {
  override name = "ModelInputError";
  constructor(
    readonly issues: InputIssue[],
    message = `The input has ${issues.length} invalid field${issues.length === 1 ? "" : "s"}.`,
  ) {
    super(message);
  }
}

/** The run was canceled through its AbortSignal. */
export class ModelCanceledError extends Error {
  override name = "ModelCanceledError";
  constructor(message = "The run was canceled.") {
    super(message);
  }
}

/** The engine returned something its own output schema rejects: a bug in the engine, not the input. */
export class ModelOutputError extends Error {
  override name = "ModelOutputError";
  constructor(readonly issues: InputIssue[]) {
    super(
      `The model produced an invalid result (${issues.map((i) => `${i.path}: ${i.message}`).join("; ")}).`,
    );
  }
}
