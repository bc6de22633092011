/** An error that becomes an RFC 9457 problem response; thrown by handlers, rendered by ./errors.ts. */
export class HttpProblem extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    readonly detail?: string,
    readonly errors?: { path: string; message: string }[],
    readonly headers?: Record<string, string>,
  ) {
    super(detail ?? title);
  }
}

export const badRequest = (detail: string) => new HttpProblem(400, "Bad Request", detail);
export const unauthorized = (detail = "Sign in or send an API key as `Authorization: Bearer <key>`.") =>
  new HttpProblem(401, "Unauthorized", detail, undefined, {
    "www-authenticate": 'Bearer realm="modelworks"',
  });
export const forbidden = (detail: string) => new HttpProblem(403, "Forbidden", detail);
export const notFound = (what: string) => new HttpProblem(404, "Not Found", `${what} not found.`);
export const conflict = (detail: string) => new HttpProblem(409, "Conflict", detail);
export const gone = (detail: string) => new HttpProblem(410, "Gone", detail);
export const unprocessable = (
  errors: { path: string; message: string }[],
  detail = "The request has invalid fields.",
) => new HttpProblem(422, "Unprocessable Content", detail, errors);
