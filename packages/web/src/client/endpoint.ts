import type { z } from "zod";

/**
 * An API endpoint declared once: method, path and the contract schemas of its body, query and
 * response (`@modelworks/contracts`). The schemas are carried as types only, so declaring an
 * endpoint adds a method and a path to the bundle and no zod code.
 */
export type Method = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
type Schema = z.ZodType;

export interface Endpoint<
  M extends Method = Method,
  P extends string = string,
  Res = unknown,
  Body extends Schema | undefined = Schema | undefined,
  Query extends Schema | undefined = Schema | undefined,
> {
  readonly method: M;
  readonly path: P;
  /** Type-level only: never set. */
  readonly _?: { res: Res; body: Body; query: Query };
}

/**
 * The schemas of an endpoint, passed by type only: `types<typeof ScenarioDto, typeof UpdateScenarioBody>`
 * (an instantiation expression: at run time just this function, never called). `Res` is the
 * response schema, or `undefined` for a 204.
 */
export function types<
  Res extends Schema | undefined,
  Body extends Schema | undefined = undefined,
  Query extends Schema | undefined = undefined,
>(): { res: Res; body: Body; query: Query } {
  throw new Error("types() only carries types");
}

/**
 * Declares an endpoint: `endpoint("PATCH", "/scenarios/:id", types<typeof ScenarioDto, typeof UpdateScenarioBody>)`.
 * One plain call, so declarations a chunk does not use are dropped from it (`@__PURE__`).
 */
export function endpoint<
  M extends Method,
  P extends string,
  Res extends Schema | undefined,
  Body extends Schema | undefined,
  Query extends Schema | undefined,
>(
  method: M,
  path: P,
  _types: () => { res: Res; body: Body; query: Query },
): Endpoint<M, P, Res, Body, Query> {
  return { method, path };
}

/** `/scenarios/:id/revisions/:revision` → `{ id: string | number; revision: string | number }`. */
export type PathParams<P extends string> = P extends `${string}:${infer K}/${infer Rest}`
  ? { [k in K]: string | number } & PathParams<`/${Rest}`>
  : P extends `${string}:${infer K}`
    ? { [k in K]: string | number }
    : Record<never, never>;

/** What a call of an endpoint returns: the response schema's output, undefined for a 204. */
export type ResponseOf<E> =
  E extends Endpoint<Method, string, infer Res> ? (Res extends Schema ? z.output<Res> : undefined) : never;

/** What a call of an endpoint takes: path params, body and query, each only when it has them. */
export type ArgsOf<E> =
  E extends Endpoint<Method, infer P, unknown, infer Body, infer Query>
    ? (keyof PathParams<P> extends never ? { params?: undefined } : { params: PathParams<P> }) &
        (Body extends Schema ? { body: z.input<Body> } : { body?: undefined }) &
        (Query extends Schema ? { query?: QueryOf<Query> } : { query?: undefined })
    : never;

/** A query's fields, each as the client writes it or as the server reads it (`"2"` or `2`). */
type QueryOf<Q extends Schema> = {
  [K in keyof z.input<Q>]?: z.input<Q>[K] | (K extends keyof z.output<Q> ? z.output<Q>[K] : never);
};

/** The path with its `:params` filled in (each URL-encoded). */
export function pathOf(path: string, params: Record<string, string | number> | undefined): string {
  return path.replace(/:([A-Za-z]+)/g, (_, k: string) => {
    const v = params?.[k];
    if (v === undefined) throw new Error(`${path}: missing path parameter ${k}`);
    return encodeURIComponent(String(v));
  });
}
