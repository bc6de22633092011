/**
 * Numbers as people read them, with their units. Units come from the model's descriptors
 * (`USD`, `AED/yr`, `fraction`, `months`) or, for outputs without a descriptor, from the
 * field's name (names carry units in Modelworks: `priceUsd`, `rateAnnual`, `months`).
 */
export function formatDateTime(iso: string | null | undefined): string {
  if (!iso) return "";
  const d = new Date(iso);
  return Number.isNaN(d.getTime())
    ? iso
    : d.toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" });
}

const grouped = (v: number, decimals: number) =>
  v.toLocaleString("en-US", { minimumFractionDigits: decimals, maximumFractionDigits: decimals });

/** A number with its unit: fractions as percents, money with its currency, the rest plainly. */
export function formatValue(v: unknown, unit?: string | null, decimals?: number): string {
  if (v === null || v === undefined) return "—";
  if (typeof v === "boolean") return v ? "yes" : "no";
  if (typeof v !== "number") return String(v);
  if (!Number.isFinite(v)) return v > 0 ? "∞" : v < 0 ? "−∞" : "—";
  const u = unit ?? "";
  if (u.startsWith("fraction")) {
    const rest = u.slice("fraction".length);
    return `${grouped(v * 100, decimals ?? 2)}%${rest}`;
  }
  if (u === "%") return `${grouped(v, decimals ?? 2)}%`;
  if (u === "x") return `${grouped(v, decimals ?? 2)}×`;
  if (/^(USD|AED|currency)/.test(u)) {
    const d = decimals ?? (Math.abs(v) >= 1000 ? 0 : 2);
    const [head, ...rest] = u.split("/");
    const per = rest.length ? `/${rest.join("/")}` : "";
    const sign = v < 0 ? "−" : "";
    if (head === "USD") return `${sign}$${grouped(Math.abs(v), d)}${per}`;
    return `${sign}${grouped(Math.abs(v), d)}${head === "currency" ? "" : ` ${head}`}${per}`;
  }
  const d = decimals ?? (Number.isInteger(v) ? 0 : Math.abs(v) >= 100 ? 0 : Math.abs(v) >= 1 ? 2 : 4);
  return `${grouped(v, d)}${u ? ` ${u}` : ""}`;
}

/** The unit a field's name implies, for KPIs that have no descriptor. */
export function unitFromName(key: string, currency = "USD"): string | undefined {
  if (/Usd$/.test(key)) return "USD";
  if (/Aed$/.test(key)) return "AED";
  if (
    /(Irr|Mirr|irr|mirr|Yield|yield|Rate|rate|Share|share|occupancy|Occupancy|Margin|margin|Pct)([A-Z].*)?$/.test(
      key,
    )
  )
    return "fraction";
  if (/Months$|^months$/.test(key)) return "months";
  if (/Multiple$|^dscr|Dscr/.test(key)) return "x";
  if (
    /^(capital|noi|budget|objective|ncf12|incentiveSpend|incentiveBudget|totalDebt|equity|cost|amount)/i.test(
      key,
    )
  )
    return currency;
  return undefined;
}

/** camelCase → "Camel case" for labels of fields without a title. */
export function humanize(key: string): string {
  const s = key
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .replace(/[_-]+/g, " ")
    // The unit is shown beside the label or in the value, not in the words.
    .replace(/\s(Usd|Aed)\b/g, "")
    .toLowerCase()
    .replace(/\b(irr|mirr|npv|noi|ltv|ltc|dscr|wault|egi|tdc|ami|ncf|tif|mip|id)\b/g, (w) => w.toUpperCase());
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/** A file size in binary units (1 KB = 1,024 bytes), one decimal below 10. */
export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ["KB", "MB", "GB", "TB"];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toLocaleString("en-US", { maximumFractionDigits: v < 10 ? 1 : 0 })} ${units[i]}`;
}
