import { rng } from "../common/rng.ts";
import type { DealPickerInputRaw } from "./schema.ts";

export const SECTORS = ["Residential", "Office", "Retail", "Industrial", "Hospitality", "Mixed-Use"] as const;
export const CITIES = [
  "Dubai Marina",
  "Downtown Dubai",
  "Business Bay",
  "JVC",
  "JLT",
  "JBR",
  "Dubai Hills",
  "Al Quoz",
  "Dubai Investments Park",
  "Motor City",
] as const;

/**
 * A seeded pipeline of `n` deals: prices 5–80 M AED (log-uniform), yields 5–10 % before
 * vacancy, risk 1–5, some capex; a budget of `budgetShare` of the total price.
 */
export function generateDeals(n: number, seed: number, budgetShare = 0.2): DealPickerInputRaw {
  const r = rng(seed);
  const deals: DealPickerInputRaw["deals"] = [];
  let total = 0;
  for (let i = 0; i < n; i++) {
    const price = Math.round((5e6 * 16 ** r()) / 1000) * 1000;
    const y = 0.05 + 0.05 * r();
    total += price;
    deals.push({
      id: `D${String(i + 1).padStart(5, "0")}`,
      askPrice: price,
      noi: Math.round(price * y),
      sector: SECTORS[Math.floor(r() * SECTORS.length)]!,
      city: CITIES[Math.floor(r() * CITIES.length)]!,
      riskScore: Math.round((1 + 4 * r()) * 10) / 10,
      capex: r() < 0.3 ? Math.round(price * 0.05 * r()) : 0,
    });
  }
  return { budget: Math.round(total * budgetShare), deals };
}
