import { describe, expect, it } from "vitest";
import { PowerBiProjectSpec, powerBiCsv } from "../../src/powerbi/index.ts";
import { EXAMPLE_SPEC } from "./example.ts";

const sales = PowerBiProjectSpec.parse(EXAMPLE_SPEC).tables[0]!;

describe("powerBiCsv", () => {
  it("writes the header of source names and each type the way the partition query reads it", () => {
    const csv = powerBiCsv(sales, [
      {
        order_id: 1,
        order_date: new Date("2026-01-30T00:00:00Z"),
        region: "West",
        customer_id: "C1",
        amount: 120.5,
        quantity: 2,
        unit_price: 60.25,
        is_returned: false,
      },
      [2n, new Date("2026-01-31T13:45:07.250Z"), 'O\'Hare, "Terminal 5"', null, -0.125, 1, undefined, true],
      [3, new Date(Number.NaN), "  padded", "multi\nline", Number.NaN, 2.9, 1e-7, null],
    ]);
    expect(csv).toBe(
      [
        "order_id,order_date,region,customer_id,amount,quantity,unit_price,is_returned",
        "1,2026-01-30,West,C1,120.5,2,60.25,false",
        '2,2026-01-31T13:45:07,"O\'Hare, ""Terminal 5""",,-0.125,1,,true',
        '3,,"  padded","multi\nline",,2.9,1e-7,',
        "",
      ].join("\r\n"),
    );
  });

  it("quotes a header that needs it", () => {
    const table = { ...sales, columns: [{ name: "a", sourceColumn: 'x,"y"', dataType: "string" as const }] };
    expect(powerBiCsv(table, [["v"]])).toBe('"x,""y"""\r\nv\r\n');
  });
});
