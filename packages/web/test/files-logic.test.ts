import { describe, expect, it } from "vitest";
import { constantOf, fileNameOf, formatValueMap, mappingToSend, parseValueMap } from "../src/lib/files.ts";

/** The upload dialog's and the downloads' pure logic. */
describe("value maps", () => {
  it("reads `from=to` pairs, with JSON scalars as numbers, booleans and null", () => {
    expect(parseValueMap("Y=true; N=false; n/a=null; one=1; half=0.5; Off Plan = Residential")).toEqual({
      Y: true,
      N: false,
      "n/a": null,
      one: 1,
      half: 0.5,
      "Off Plan": "Residential",
    });
    expect(parseValueMap("A=x\nB=-2e3")).toEqual({ A: "x", B: -2000 });
  });

  it("ignores pairs without a key or an `=`, and is undefined when nothing is left", () => {
    expect(parseValueMap("")).toBeUndefined();
    expect(parseValueMap("=x; nothing here")).toBeUndefined();
    // "1.2.3" is not a number: kept as text.
    expect(parseValueMap("v=1.2.3")).toEqual({ v: "1.2.3" });
  });

  it("round-trips through its text form", () => {
    const map = { Y: true, N: false, "n/a": null, code: 7, label: "Office" };
    expect(parseValueMap(formatValueMap(map))).toEqual(map);
    expect(formatValueMap(undefined)).toBe("");
  });
});

describe("mappingToSend", () => {
  it("keeps mapped targets and only the transforms that change something", () => {
    expect(
      mappingToSend([
        { target: "id", source: "Ref" },
        { target: "name", source: null },
        { target: "askPrice", source: "Price (k)", scale: 1000, cast: "number" },
        { target: "noi", source: "NOI", scale: 1, valueMap: {} },
        { target: "city", source: null, constant: "Dubai" },
        { target: "mustBuy", source: "Must", valueMap: { Y: true } },
      ]),
    ).toEqual([
      { target: "id", source: "Ref" },
      { target: "askPrice", source: "Price (k)", scale: 1000, cast: "number" },
      { target: "noi", source: "NOI" },
      { target: "city", source: null, constant: "Dubai" },
      { target: "mustBuy", source: "Must", valueMap: { Y: true } },
    ]);
  });
});

describe("fileNameOf", () => {
  it("reads the server's attachment names, RFC 6266 filename* first", () => {
    expect(fileNameOf('attachment; filename="deal-picker-run-1a2b.xlsx"')).toBe("deal-picker-run-1a2b.xlsx");
    expect(fileNameOf("attachment; filename=plain.csv")).toBe("plain.csv");
    expect(fileNameOf("attachment; filename=\"x.pdf\"; filename*=UTF-8''Term%20sheet.pdf")).toBe(
      "Term sheet.pdf",
    );
    expect(fileNameOf(null)).toBeNull();
    expect(fileNameOf("inline")).toBeNull();
  });
});

describe("constantOf", () => {
  it("reads a fixed value as the target column's type", () => {
    expect(constantOf(" 1,250,000 ", "number")).toBe(1_250_000);
    expect(constantOf("2", "integer")).toBe(2);
    expect(constantOf("TRUE", "boolean")).toBe(true);
    expect(constantOf("Dubai", "string")).toBe("Dubai");
    // Not a number: sent as typed, and the server's row check names it.
    expect(constantOf("abc", "number")).toBe("abc");
    expect(constantOf("   ", "string")).toBeUndefined();
  });
});
