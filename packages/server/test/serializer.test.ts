import { ProjectDto, ProjectPage } from "@modelworks/contracts/projects";
import { serializerCompiler as zodSerializerCompiler } from "fastify-type-provider-zod";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { compiledResponse, plainJsonSchema, responseSerializerCompiler } from "../src/http/serializer.ts";

const project = (over: Record<string, unknown> = {}) => ({
  id: "0b6a1a52-3f0e-4d8e-9a57-0f4c1e1b9f11",
  name: 'Tower "A" — ünïcode \u2028 \\ \n tab\t',
  description: "",
  status: "active",
  createdBy: null,
  createdAt: "2026-12-06T18:00:00.000Z",
  updatedAt: "2026-12-06T18:00:01.250Z",
  archivedAt: null,
  ...over,
});

function both(schema: z.ZodType, data: unknown) {
  const route = { schema, method: "GET", url: "/x", httpStatus: "200" };
  const fast = responseSerializerCompiler({ crossCheck: false })(route as never) as (d: unknown) => string;
  const zod = zodSerializerCompiler(route as never) as (d: unknown) => string;
  return { fast: fast(data), zod: zod(data) };
}

describe("compiled response serializer", () => {
  compiledResponse(ProjectPage);
  compiledResponse(ProjectDto);

  it("writes exactly what zod's check-then-stringify writes: nulls, escapes, unknown keys dropped, key order", () => {
    const page = {
      // Keys out of schema order and an extra one (zod strips it; so must the compiled one).
      offset: 20,
      items: [
        project(),
        project({
          createdBy: "7d1f2c3b-1111-4222-8333-944445555666",
          archivedAt: "2026-12-07T00:00:00.000Z",
          status: "archived",
          secret: "x",
        }),
      ],
      total: 22,
      limit: 10,
      extra: { nope: true },
    };
    const { fast, zod } = both(ProjectPage, page);
    expect(fast).toBe(zod);
    expect(JSON.parse(fast).items[1]).not.toHaveProperty("secret");
    expect(Object.keys(JSON.parse(fast))).toEqual(["items", "total", "limit", "offset"]);
    expect(both(ProjectPage, { items: [], total: 0, limit: 10, offset: 0 }).fast).toBe(
      '{"items":[],"total":0,"limit":10,"offset":0}',
    );
  });

  it("a missing required field is an error, not a silently different answer", () => {
    const route = { schema: ProjectDto, method: "GET", url: "/x", httpStatus: "200" };
    const fast = responseSerializerCompiler({ crossCheck: false })(route as never) as (d: unknown) => string;
    const { name: _, ...noName } = project();
    expect(() => fast(noName)).toThrow(/name/);
  });

  it("in tests, compares every compiled answer with zod's and fails on a difference", () => {
    const route = { schema: ProjectDto, method: "GET", url: "/x", httpStatus: "200" };
    const checked = responseSerializerCompiler({ crossCheck: true })(route as never) as (
      d: unknown,
    ) => string;
    expect(checked(project())).toBe(both(ProjectDto, project()).zod);
    // Not a valid timestamp: the compiled serializer would write it, zod refuses it.
    expect(() => checked(project({ createdAt: "yesterday" }))).toThrow();
  });

  it("unmarked schemas keep zod's serializer (which checks values)", () => {
    const Plain = z.object({ at: z.iso.datetime() });
    const route = { schema: Plain, method: "GET", url: "/x", httpStatus: "200" };
    const s = responseSerializerCompiler({ crossCheck: false })(route as never) as (d: unknown) => string;
    expect(() => s({ at: "yesterday" })).toThrow();
  });

  it("folds zod's nullable into a type list and refuses other unions", () => {
    expect(plainJsonSchema({ anyOf: [{ type: "string", format: "uuid" }, { type: "null" }] }, "t")).toEqual({
      type: ["string", "null"],
    });
    expect(() => plainJsonSchema({ anyOf: [{ type: "string" }, { type: "number" }] }, "t")).toThrow(/anyOf/);
    // A property called like a keyword is a property, not a keyword.
    expect(
      plainJsonSchema({ type: "object", properties: { pattern: { type: "string", pattern: "^a" } } }, "t"),
    ).toEqual({ type: "object", properties: { pattern: { type: "string" } } });
  });
});
