import { once } from "node:events";
import { createWriteStream } from "node:fs";

/**
 * 20 columns of the kinds real uploads have: ids, text, money, counts, rates, dates, flags, gaps;
 * `extraColumns` more (issue 16's 1M × 30 profile), alternating a decimal measure and a
 * small-cardinality category, so wider files keep the same mix.
 */
export async function generateCsv(file: string, rows: number, extraColumns = 0): Promise<void> {
  const out = createWriteStream(file);
  const sectors = ["Office", "Retail", "Industrial", "Residential", "Hotel"];
  const cities = ["Dubai", "Abu Dhabi", "Sharjah", "Ajman", "Al Ain", "Fujairah"];
  out.write(
    "id,code,name,sector,city,askPriceAed,noiAed,capexAed,units,floors,yearBuilt,occupancy,riskScore," +
      "vacancyPct,listedOn,closingOn,mustBuy,rentPerSqft,notes,brokerEmail" +
      Array.from({ length: extraColumns }, (_, k) => (k % 2 ? `,grade${k}` : `,metric${k}`)).join("") +
      "\n",
  );
  let seed = 42;
  const rnd = () => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed / 2147483648;
  };
  let chunk = "";
  for (let i = 1; i <= rows; i++) {
    const price = Math.round(1e6 + rnd() * 5e8);
    const day = 1 + Math.floor(rnd() * 28);
    chunk +=
      `${i},D-${i},Asset ${i},${sectors[i % 5]},${cities[i % 6]},${price},${Math.round(price * (0.04 + rnd() * 0.05))},` +
      `${rnd() < 0.1 ? "" : Math.round(rnd() * 1e6)},${1 + Math.floor(rnd() * 400)},${1 + Math.floor(rnd() * 60)},` +
      `${1960 + Math.floor(rnd() * 65)},${(rnd()).toFixed(4)},${(rnd() * 5).toFixed(1)},${(rnd() * 20).toFixed(1)}%,` +
      `2025-${String(1 + (i % 12)).padStart(2, "0")}-${String(day).padStart(2, "0")},` +
      `2026-${String(1 + ((i + 3) % 12)).padStart(2, "0")}-${String(day).padStart(2, "0")},` +
      `${rnd() < 0.05 ? "true" : "false"},${(50 + rnd() * 250).toFixed(2)},${rnd() < 0.7 ? "" : `"note, ${i}"`},` +
      `broker${i % 97}@example.com`;
    for (let k = 0; k < extraColumns; k++)
      chunk += k % 2 ? `,${"ABCDEFG"[(i + k) % 7]}` : `,${(rnd() * 1000).toFixed(2)}`;
    chunk += "\n";
    if (i % 10_000 === 0) {
      if (!out.write(chunk)) await once(out, "drain");
      chunk = "";
    }
  }
  out.write(chunk);
  out.end();
  await once(out, "close");
}
