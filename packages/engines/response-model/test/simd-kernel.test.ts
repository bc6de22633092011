import { describe, expect, it } from "vitest";
import {
  allocateDesignValues,
  crossValidate,
  fitLognet,
  predictProbability,
  seededRandom,
} from "../src/fit/index.ts";
import { createSimdKernel, SIMD_FIRST_ELEMENT } from "../src/fit/simd-kernel.ts";
import { prepare } from "../src/prepare/index.ts";
import { syntheticTable } from "./helpers.ts";

describe("WebAssembly SIMD kernel of the fitter", () => {
  // n = 4·250 + 3: the last rows are done outside the four-row loop.
  const n = 1003;
  const random = seededRandom(5);
  const kernel = createSimdKernel(4 * n);
  const at = {
    r: SIMD_FIRST_ELEMENT,
    v: SIMD_FIRST_ELEMENT + n,
    xu: SIMD_FIRST_ELEMENT + 2 * n,
    xk: SIMD_FIRST_ELEMENT + 3 * n,
  };
  const fill = () => {
    const f = kernel!.f64;
    for (let i = 0; i < 4 * n; i++) f[SIMD_FIRST_ELEMENT + i] = random() - 0.3;
  };
  /** The same sweep in plain JavaScript on copies: [new r, Σ r·x̃, Σ v·x̃²]. */
  const reference = (mU: number, step: number, shift: number, m: number) => {
    const f = kernel!.f64;
    const r = f.slice(at.r, at.r + n);
    let s = 0;
    let ss = 0;
    for (let i = 0; i < n; i++) {
      const vi = f[at.v + i]!;
      r[i] = r[i]! - vi * (step * (f[at.xu + i]! - mU) + shift);
      const x = f[at.xk + i]! - m;
      s += r[i]! * x;
      ss += vi * x * x;
    }
    return { r, s, ss };
  };

  it("is available in Node and updates r exactly as the JavaScript loop, with the same sums to round-off", () => {
    expect(kernel).not.toBeNull();
    fill();
    const want = reference(0.1, 0.37, -0.02, 0.25);
    const s = kernel!.updateDotSquares(at.r, at.v, at.xu, at.xk, n, 0.1, 0.37, -0.02, 0.25);
    // Element-wise the operations are the JavaScript loop's, so r is bit-identical; the sums
    // are accumulated in two lanes, so they agree to round-off only.
    expect(Array.from(kernel!.f64.subarray(at.r, at.r + n))).toEqual(Array.from(want.r));
    expect(Math.abs(s - want.s)).toBeLessThan(1e-12 * Math.max(1, Math.abs(want.s)));
    expect(Math.abs(kernel!.squares - want.ss)).toBeLessThan(1e-12 * want.ss);
    expect(want.ss).toBeGreaterThan(0);

    const want2 = reference(-0.4, 1.5, 0.3, 0.05);
    const s2 = kernel!.updateDot(at.r, at.v, at.xu, at.xk, n, -0.4, 1.5, 0.3, 0.05);
    expect(Array.from(kernel!.f64.subarray(at.r, at.r + n))).toEqual(Array.from(want2.r));
    expect(Math.abs(s2 - want2.s)).toBeLessThan(1e-12 * Math.max(1, Math.abs(want2.s)));
  });

  it("eta4 adds four columns to eta exactly as the JavaScript loop; dot4 gives four inner products to round-off", () => {
    fill();
    const f = kernel!.f64;
    // eta at x_k's place, the four columns at v, x_u, r and v again (any addresses will do).
    const x = [at.v, at.xu, at.r, at.v];
    const eta = at.xk;
    const etaBefore = f.slice(eta, eta + n);
    const c = [0.3, -1.7, 2.5e-3, 4.1];
    const want = Float64Array.from(
      etaBefore,
      (e, i) =>
        e + (c[0]! * f[x[0]! + i]! + c[1]! * f[x[1]! + i]! + c[2]! * f[x[2]! + i]! + c[3]! * f[x[3]! + i]!),
    );
    kernel!.eta4(eta, x, n, c);
    expect(Array.from(f.subarray(eta, eta + n))).toEqual(Array.from(want));

    fill();
    const m = [0.1, -0.2, 0.33, 0];
    const cols = [at.v, at.xu, at.xk, at.v];
    const out = new Float64Array(4);
    kernel!.dot4(at.r, cols, n, m, out);
    for (let j = 0; j < 4; j++) {
      let s = 0;
      for (let i = 0; i < n; i++) s += f[at.r + i]! * (f[cols[j]! + i]! - m[j]!);
      expect(Math.abs(out[j]! - s), `column ${j}`).toBeLessThan(1e-12 * Math.max(1, Math.abs(s)));
      expect(Math.abs(s)).toBeGreaterThan(1e-3);
    }
  });

  it("dot, columnSum and columnSquares give the JavaScript loops' sums to round-off, and columnSum tells a constant column", () => {
    fill();
    const f = kernel!.f64;
    let want = 0;
    for (let i = 0; i < n; i++) want += f[at.r + i]! * (f[at.xk + i]! - 0.2);
    expect(Math.abs(kernel!.dot(at.r, at.xk, n, 0.2) - want)).toBeLessThan(
      1e-12 * Math.max(1, Math.abs(want)),
    );
    expect(Math.abs(want)).toBeGreaterThan(1e-3);

    let sum = 0;
    for (let i = 0; i < n; i++) sum += f[at.xu + i]!;
    expect(Math.abs(kernel!.columnSum(at.xu, n) - sum)).toBeLessThan(1e-12 * Math.abs(sum));
    expect(kernel!.differs).toBe(true);
    const m = sum / n;
    let ss = 0;
    for (let i = 0; i < n; i++) ss += (f[at.xu + i]! - m) ** 2;
    expect(Math.abs(kernel!.columnSquares(at.xu, n, m) - ss)).toBeLessThan(1e-12 * ss);

    // A constant column, then one that differs only in its last row (done outside the loop),
    // then one that differs only in an early row (inside it).
    f.fill(0.7, at.xu, at.xu + n);
    expect(kernel!.columnSum(at.xu, n)).toBeCloseTo(0.7 * n, 9);
    expect(kernel!.differs).toBe(false);
    f[at.xu + n - 1] = 0.5;
    kernel!.columnSum(at.xu, n);
    expect(kernel!.differs).toBe(true);
    f[at.xu + n - 1] = 0.7;
    f[at.xu + 5] = Number.NaN;
    kernel!.columnSum(at.xu, n);
    expect(kernel!.differs).toBe(true);
  });

  it("refuses a memory beyond its limit (the fitter then keeps its JavaScript loops)", () => {
    expect(createSimdKernel(2 ** 29)).toBeNull(); // 4 GiB of doubles
  });

  it("a fit with the kernel equals the fit without it: same path, same passes, probabilities to 1e-12", () => {
    const { table, specs, y } = syntheticTable(1501, 9);
    const { design } = prepare(table, specs, { missingIndicators: true });
    for (const alpha of [1, 0.5]) {
      const a = fitLognet(design, y, { alpha, simd: true });
      const b = fitLognet(design, y, { alpha, simd: false });
      expect(a.lambda.length).toBe(b.lambda.length);
      expect(a.passes).toBe(b.passes);
      for (const k of [1, Math.floor(a.lambda.length / 2), a.lambda.length - 1]) {
        const pa = predictProbability(a, k, design);
        const pb = predictProbability(b, k, design);
        let d = 0;
        for (let i = 0; i < pa.length; i++) d = Math.max(d, Math.abs(pa[i]! - pb[i]!));
        expect(d, `alpha ${alpha}, lambda #${k}`).toBeLessThan(1e-12);
      }
    }
    // Cross-validation folds (fits on a subset of rows gather into the kernel's memory).
    const cvA = crossValidate(design, y, { folds: 4, seed: 2, simd: true });
    const cvB = crossValidate(design, y, { folds: 4, seed: 2, simd: false });
    expect(cvA.indexMin).toBe(cvB.indexMin);
    for (let l = 0; l < cvA.cvm.length; l++) expect(Math.abs(cvA.cvm[l]! - cvB.cvm[l]!)).toBeLessThan(1e-10);
  });
  it("a design placed in the kernel's memory (as prepare() places one) fits in place: the same fit as on a plain copy, and its values untouched", () => {
    const { table, specs, y } = syntheticTable(1501, 9);
    const { design } = prepare(table, specs, { missingIndicators: true });
    // prepare() placed it: the values are a view into a larger WebAssembly memory.
    expect(design.x.buffer.byteLength).toBeGreaterThan(design.x.byteLength);
    const plain = { ...design, x: Float64Array.from(design.x) };
    const before = Float64Array.from(design.x);
    const placed = allocateDesignValues(design.rowCount, design.columnCount);
    placed.set(design.x);
    const inPlace = { ...design, x: placed };
    for (const lambda of [undefined, [0.004]]) {
      const a = fitLognet(inPlace, y, { lambda });
      const again = fitLognet(inPlace, y, { lambda }); // the scratch in front is set up anew
      const b = fitLognet(plain, y, { lambda });
      expect(a.passes).toBe(b.passes);
      expect(again.passes).toBe(b.passes);
      const last = a.lambda.length - 1;
      // Same kernel, same operations: bit-identical coefficients.
      expect(Array.from(a.beta[last]!)).toEqual(Array.from(b.beta[last]!));
      expect(Array.from(again.beta[last]!)).toEqual(Array.from(b.beta[last]!));
      expect(a.beta[last]!.some((c) => c !== 0)).toBe(true);
    }
    expect(Array.from(placed)).toEqual(Array.from(before));
    // The fits ran in that memory: the column of ones just in front of the values is set.
    const n = design.rowCount;
    const ones = new Float64Array(placed.buffer, placed.byteOffset - 8 * n, n);
    expect(ones.every((o) => o === 1)).toBe(true);
    // A fold (rows given) gathers into its own memory and leaves the placed design as it was.
    const rows = Int32Array.from({ length: 1000 }, (_, i) => i);
    const fold = fitLognet(inPlace, y, { lambda: [0.004] }, rows);
    const foldPlain = fitLognet(plain, y, { lambda: [0.004] }, rows);
    expect(Array.from(fold.beta[0]!)).toEqual(Array.from(foldPlain.beta[0]!));
    expect(Array.from(placed)).toEqual(Array.from(before));
  });
});
