import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  auc,
  aucDeLong,
  averagePrecision,
  brier,
  compareAucDeLong,
  erfc,
  gini,
  ks,
  logLoss,
  normalCdf,
  normalQuantile,
} from "../src/evaluate/index.ts";
import { scoredSample } from "./support/random.ts";

/** O(m·n) AUC straight from the definition: P(X > Y) + ½ P(X = Y). */
function bruteAuc(y: number[], p: number[]): number {
  let s = 0;
  let pairs = 0;
  for (let i = 0; i < y.length; i++) {
    if (y[i] !== 1) continue;
    for (let j = 0; j < y.length; j++) {
      if (y[j] !== 0) continue;
      pairs++;
      s += (p[i] as number) > (p[j] as number) ? 1 : p[i] === p[j] ? 0.5 : 0;
    }
  }
  return s / pairs;
}

/**
 * DeLong, DeLong & Clarke-Pearson (1988), written from the paper's definitions with the m × n
 * kernel ψ: V10(Xᵢ) = (1/n) Σⱼ ψ(Xᵢ, Yⱼ), V01(Yⱼ) = (1/m) Σᵢ ψ(Xᵢ, Yⱼ),
 * S10 = Σ (V10 − θ)² / (m − 1), S01 = Σ (V01 − θ)² / (n − 1), Var θ = S10/m + S01/n.
 */
function slowDeLong(y: number[], p: number[]): { auc: number; variance: number } {
  const xs = p.filter((_, i) => y[i] === 1);
  const ys = p.filter((_, i) => y[i] === 0);
  const m = xs.length;
  const n = ys.length;
  const psi = (a: number, b: number) => (a > b ? 1 : a === b ? 0.5 : 0);
  const v10 = xs.map((x) => ys.reduce((s, v) => s + psi(x, v), 0) / n);
  const v01 = ys.map((v) => xs.reduce((s, x) => s + psi(x, v), 0) / m);
  const theta = v10.reduce((s, v) => s + v, 0) / m;
  const s10 = v10.reduce((s, v) => s + (v - theta) ** 2, 0) / (m - 1);
  const s01 = v01.reduce((s, v) => s + (v - theta) ** 2, 0) / (n - 1);
  return { auc: theta, variance: s10 / m + s01 / n };
}

/** The paired test from the 1988 definitions: components by the m × n kernel, variance of their difference. */
function slowPaired(y: number[], a: number[], b: number[]): { difference: number; variance: number } {
  const comps = (p: number[]) => {
    const xs = p.filter((_, i) => y[i] === 1);
    const zs = p.filter((_, i) => y[i] === 0);
    const psi = (u: number, v: number) => (u > v ? 1 : u === v ? 0.5 : 0);
    return {
      v10: xs.map((x) => zs.reduce((s, z) => s + psi(x, z), 0) / zs.length),
      v01: zs.map((z) => xs.reduce((s, x) => s + psi(x, z), 0) / xs.length),
    };
  };
  const ca = comps(a);
  const cb = comps(b);
  const variance = (d: number[]) => {
    const mean = d.reduce((s, v) => s + v, 0) / d.length;
    return d.reduce((s, v) => s + (v - mean) ** 2, 0) / (d.length - 1);
  };
  const d10 = cb.v10.map((v, i) => v - (ca.v10[i] as number));
  const d01 = cb.v01.map((v, i) => v - (ca.v01[i] as number));
  return {
    difference: d10.reduce((s, v) => s + v, 0) / d10.length,
    variance: variance(d10) / d10.length + variance(d01) / d01.length,
  };
}

describe("AUC", () => {
  it("hand case with a tie: X = {.9, .8, .4}, Y = {.7, .4, .2, .1} → 10.5 of 12 pairs = 0.875", () => {
    const y = [1, 1, 1, 0, 0, 0, 0];
    const p = [0.9, 0.8, 0.4, 0.7, 0.4, 0.2, 0.1];
    expect(auc(y, p)).toBe(0.875);
    expect(gini(y, p)).toBe(0.75);
  });

  it("perfect, reversed, all tied and one class", () => {
    expect(auc([0, 0, 1, 1], [0.1, 0.2, 0.3, 0.4])).toBe(1);
    expect(auc([1, 1, 0, 0], [0.1, 0.2, 0.3, 0.4])).toBe(0);
    expect(auc([1, 0, 1, 0], [0.5, 0.5, 0.5, 0.5])).toBe(0.5);
    expect(auc([1, 1], [0.2, 0.3])).toBeNaN();
    expect(() => auc([1, 2], [0.1, 0.2])).toThrow(/0 or 1/);
  });

  it("equals the O(n²) definition on random data, with and without ties", () => {
    for (const [seed, roundTo] of [
      [1, 0],
      [2, 0.05],
      [3, 0.2],
      [4, 0],
    ] as const) {
      const { y, p } = scoredSample(700, seed, 0.25, roundTo);
      expect(auc(y, p)).toBeCloseTo(bruteAuc(y, p), 12);
    }
  });
});

describe("DeLong confidence interval", () => {
  it("hand case: Var = S10/m + S01/n = 1/64 + 11/1728 = 19/864", () => {
    const r = aucDeLong([1, 1, 1, 0, 0, 0, 0], [0.9, 0.8, 0.4, 0.7, 0.4, 0.2, 0.1]);
    expect(r.auc).toBe(0.875);
    expect(r.variance).toBeCloseTo(19 / 864, 15);
    expect(r.upper).toBe(1); // 0.875 + 1.96 · 0.148 > 1: clipped
    expect(r.lower).toBeCloseTo(0.875 - 1.959963984540054 * Math.sqrt(19 / 864), 8);
  });

  it("fast DeLong (Sun & Xu) equals the 1988 formula on random data with ties", () => {
    for (const [seed, roundTo] of [
      [11, 0],
      [12, 0.02],
      [13, 0.1],
    ] as const) {
      const { y, p } = scoredSample(600, seed, 0.3, roundTo);
      const fast = aucDeLong(y, p);
      const slow = slowDeLong(y, p);
      expect(fast.auc).toBeCloseTo(slow.auc, 13);
      expect(fast.variance).toBeCloseTo(slow.variance, 15);
      expect(Math.abs(fast.variance / slow.variance - 1)).toBeLessThan(1e-10);
      expect(fast.upper - fast.lower).toBeCloseTo(2 * 1.959963984540054 * Math.sqrt(slow.variance), 8);
    }
  });

  it("paired comparison (DeLong 1988) equals the slow definition; identical models give p = 1", () => {
    const { y, p } = scoredSample(500, 41, 0.3, 0.02);
    const q = p.map((v, i) => v + 0.2 * Math.sin(i) * (y[i] === 1 ? 1 : -0.5));
    const c = compareAucDeLong(y, p, q);
    const slow = slowPaired(y, p, q);
    expect(c.difference).toBeCloseTo(slow.difference, 13);
    expect(c.standardError ** 2).toBeCloseTo(slow.variance, 15);
    expect(c.aucA).toBeCloseTo(auc(y, p), 13);
    expect(c.aucB).toBeCloseTo(auc(y, q), 13);
    expect(c.pValue).toBeCloseTo(2 * normalCdf(-Math.abs(c.z)), 14);
    expect(compareAucDeLong(y, p, p)).toMatchObject({ difference: 0, pValue: 1 });
  });

  it("erfc and the normal CDF match tabulated values", () => {
    expect(erfc(0)).toBe(1);
    expect(erfc(0.5)).toBeCloseTo(0.4795001221869535, 15);
    expect(Math.abs(erfc(1.9) / 0.007209570764742524 - 1)).toBeLessThan(1e-13);
    expect(erfc(3) / 2.209049699858544e-5 - 1).toBeLessThan(1e-13);
    expect(normalCdf(1.959963984540054)).toBeCloseTo(0.975, 14);
    expect(normalCdf(-8) / 6.220960574271785e-16 - 1).toBeLessThan(1e-12);
  });

  it("normal quantiles match known values", () => {
    expect(normalQuantile(0.975)).toBeCloseTo(1.959963984540054, 8);
    expect(normalQuantile(0.995)).toBeCloseTo(2.5758293035489, 8);
    expect(normalQuantile(0.01)).toBeCloseTo(-2.3263478740408408, 8);
  });
});

// Base R only (no packages); the suite needs R anyway for the glmnet cross-check, and .ci/run installs it.
const RSCRIPT = process.env.RSCRIPT_PATH ?? "/usr/bin/Rscript";

describe("cross-check against base R", () => {
  it("AUC, DeLong variance and CI, AP, KS, log loss and Brier equal R's, computed from the definitions", () => {
    if (!existsSync(RSCRIPT))
      throw new Error(`Rscript not found at ${RSCRIPT}: apt-get install -y r-base-core (see DEVELOPERS.md)`);
    const { y, p } = scoredSample(1500, 21, 0.2, 0.01);
    const dir = mkdtempSync(join(tmpdir(), "rm-eval-"));
    try {
      const file = join(dir, "scores.csv");
      writeFileSync(file, `y,p\n${y.map((v, i) => `${v},${(p[i] as number).toPrecision(17)}`).join("\n")}\n`);
      const script = `
        d <- read.csv(${JSON.stringify(file)})
        x <- d$p[d$y == 1]; z <- d$p[d$y == 0]; m <- length(x); n <- length(z)
        P <- outer(x, z, function(a, b) (a > b) + 0.5 * (a == b))
        auc <- mean(P)
        v <- var(rowMeans(P)) / m + var(colMeans(P)) / n
        ci <- pmin(1, pmax(0, auc + qnorm(c(0.025, 0.975)) * sqrt(v)))
        w <- unname(wilcox.test(x, z, exact = FALSE)$statistic) / (m * n)
        ap <- mean(sapply(x, function(s) sum(d$y[d$p >= s]) / sum(d$p >= s)))
        th <- sort(unique(d$p))
        ks <- max(sapply(th, function(t) mean(x >= t) - mean(z >= t)))
        q <- pmin(pmax(d$p, .Machine$double.eps), 1 - .Machine$double.eps)
        ll <- -mean(d$y * log(q) + (1 - d$y) * log(1 - q))
        br <- mean((d$p - d$y)^2)
        q <- d$p + 0.2 * sin(seq_along(d$p) - 1) * ifelse(d$y == 1, 1, -0.5)
        xq <- q[d$y == 1]; zq <- q[d$y == 0]
        Q <- outer(xq, zq, function(a, b) (a > b) + 0.5 * (a == b))
        dv <- var(rowMeans(Q) - rowMeans(P)) / m + var(colMeans(Q) - colMeans(P)) / n
        zz <- (mean(Q) - mean(P)) / sqrt(dv)
        pv <- 2 * pnorm(-abs(zz))
        cat(sprintf("%.17g", c(auc, v, ci, w, ap, ks, ll, br, zz, pv, pnorm(-3.5), pnorm(0.3))), sep = "\\n")
      `;
      const r = spawnSync(RSCRIPT, ["--vanilla", "-e", script], { encoding: "utf8" });
      expect(r.status, r.stderr).toBe(0);
      const [rAuc, rVar, rLo, rHi, rW, rAp, rKs, rLl, rBr, rZ, rP, rPhiA, rPhiB] = r.stdout
        .trim()
        .split("\n")
        .map(Number);
      const ours = aucDeLong(y, p);
      expect(ours.auc).toBeCloseTo(rAuc as number, 13);
      expect(auc(y, p)).toBeCloseTo(rW as number, 13); // Mann–Whitney U / (m·n)
      expect(Math.abs(ours.variance / (rVar as number) - 1)).toBeLessThan(1e-10);
      expect(ours.lower).toBeCloseTo(rLo as number, 8);
      expect(ours.upper).toBeCloseTo(rHi as number, 8);
      expect(averagePrecision(y, p)).toBeCloseTo(rAp as number, 13);
      expect(ks(y, p).ks).toBeCloseTo(rKs as number, 13);
      expect(logLoss(y, p)).toBeCloseTo(rLl as number, 13);
      expect(brier(y, p)).toBeCloseTo(rBr as number, 13);
      const q = p.map((v, i) => v + 0.2 * Math.sin(i) * (y[i] === 1 ? 1 : -0.5));
      const c = compareAucDeLong(y, p, q);
      expect(c.z).toBeCloseTo(rZ as number, 9);
      expect(Math.abs(c.pValue / (rP as number) - 1)).toBeLessThan(1e-8);
      expect(Math.abs(normalCdf(-3.5) / (rPhiA as number) - 1)).toBeLessThan(1e-13);
      expect(normalCdf(0.3)).toBeCloseTo(rPhiB as number, 15);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
