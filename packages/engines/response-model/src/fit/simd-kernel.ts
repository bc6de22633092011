/**
 * The coordinate-descent kernel of `lognet.ts` as WebAssembly SIMD (f64x2): the fused
 * "apply the previous coordinate's update to r, then Σ r·(x − m) for the next column" sweep
 * (docs/decisions/0042-response-model-simd-kernel.md). The module is assembled here from its
 * opcodes (no toolchain, no binary blob in the repository); where WebAssembly SIMD is missing the
 * fitter keeps its JavaScript loops. Pure computation: no I/O, usable in a worker thread.
 *
 * The arrays live in one WebAssembly.Memory; callers pass element offsets (doubles) into it.
 */

const I32 = 0x7f;
const F64 = 0x7c;
const V128 = 0x7b;
const leb = (value: number): number[] => {
  const out: number[] = [];
  let v = value >>> 0;
  do {
    let byte = v & 0x7f;
    v >>>= 7;
    if (v) byte |= 0x80;
    out.push(byte);
  } while (v);
  return out;
};
const vec = (items: number[][]): number[] => [...leb(items.length), ...items.flat()];
const section = (id: number, bytes: number[]): number[] => [id, ...leb(bytes.length), ...bytes];
const name = (s: string): number[] => [...leb(s.length), ...Array.from(s, (c) => c.charCodeAt(0))];
const simd = (op: number, ...immediates: number[]): number[] => [0xfd, ...leb(op), ...immediates];
const get = (local: number) => [0x20, local];
const set = (local: number) => [0x21, local];
const tee = (local: number) => [0x22, local];
const SPLAT = 0x14;
const EXTRACT = 0x21;
const ADD = 0xf0;
const SUB = 0xf1;
const MUL = 0xf2;
const STORE = 0x0b;
const F64X2_NE = 0x48;
const V128_OR = 0x50;
const ANY_TRUE = 0x53;

// Every v128 access names its base pointer and the loop's byte offset; the constant offset (0 or
// 16) is the memarg's, so a loop step of two vectors costs one address addition per array.
const load = (pointer: number, index: number, offset = 0) => [
  ...get(pointer),
  ...get(index),
  0x6a,
  ...simd(0x00, 3, ...leb(offset)),
];
const storeAt = (pointer: number, index: number, value: number[], offset = 0) => [
  ...get(pointer),
  ...get(index),
  0x6a,
  ...value,
  ...simd(STORE, 3, ...leb(offset)),
];
/** block { loop { if index ≥ bytes break; …step; index += stride; continue } } */
const loop = (index: number, bytes: number, stride: number, step: number[]) => [
  0x02,
  0x40,
  0x03,
  0x40,
  ...get(index),
  ...get(bytes),
  0x4f, // i32.ge_u
  0x0d,
  1, // br_if out of the block
  ...step,
  ...get(index),
  0x41,
  ...leb(stride), // i32.const (stride < 64: one byte, positive)
  0x6a,
  ...set(index),
  0x0c,
  0, // br to the loop
  0x0b,
  0x0b,
];
const splat = (from: number, to: number) => [...get(from), ...simd(SPLAT), ...set(to)];
const lanesSum = (local: number) => [
  ...get(local),
  ...simd(EXTRACT, 0),
  ...get(local),
  ...simd(EXTRACT, 1),
  0xa0, // f64.add
];
const fn = (locals: number[][], code: number[]) => {
  const bodyBytes = [...vec(locals), ...code, 0x0b];
  return [...leb(bodyBytes.length), ...bodyBytes];
};

// updateDot / updateDotSquares. Parameters: 0 r, 1 v, 2 x_u, 3 x_k (byte addresses), 4 bytes to
// sweep (a multiple of 32), 5 m_u, 6 step, 7 shift, 8 m. Locals: 9 byte offset, 10 and 19 Σ r·x̃
// (two accumulators: the loop does two vectors per step, so the additions do not wait on each
// other), 11–14 the splatted scalars, 15 new r, 16 v, 17 x_k − m, 18 and 20 Σ v·x̃².
function sweep(withSquares: boolean): number[] {
  const element = (offset: number, acc: number, squares: number) => [
    // r_i − v_i · (step · (x_u,i − m_u) + shift), as the JavaScript loop computes it
    ...load(0, 9, offset),
    ...load(1, 9, offset),
    ...tee(16),
    ...load(2, 9, offset),
    ...get(11),
    ...simd(SUB),
    ...get(12),
    ...simd(MUL),
    ...get(13),
    ...simd(ADD),
    ...simd(MUL),
    ...simd(SUB),
    ...set(15),
    ...storeAt(0, 9, get(15), offset),
    ...load(3, 9, offset),
    ...get(14),
    ...simd(SUB),
    ...set(17),
    ...get(acc),
    ...get(15),
    ...get(17),
    ...simd(MUL),
    ...simd(ADD),
    ...set(acc),
    ...(withSquares
      ? [
          ...get(squares),
          ...get(16),
          ...get(17),
          ...simd(MUL),
          ...get(17),
          ...simd(MUL),
          ...simd(ADD),
          ...set(squares),
        ]
      : []),
  ];
  return fn(
    [
      [1, I32],
      [11, V128],
    ],
    [
      ...splat(5, 11),
      ...splat(6, 12),
      ...splat(7, 13),
      ...splat(8, 14),
      ...loop(9, 4, 32, [...element(0, 10, 18), ...element(16, 19, 20)]),
      // Σ v·x̃² goes to bytes 0–7 of the memory (a second result)
      ...(withSquares
        ? [0x41, 0, ...get(18), ...get(20), ...simd(ADD), ...set(18), ...lanesSum(18), 0x39, 3, 0]
        : []),
      ...get(10),
      ...get(19),
      ...simd(ADD),
      ...set(10),
      ...lanesSum(10),
    ],
  );
}

// dot4: Σ r·(x_j − m_j) for four columns in one sweep of r (the KKT check), results to bytes 0–31.
// Parameters: 0 r, 1–4 x_1…x_4, 5 bytes (a multiple of 16), 6–9 m_1…m_4. Locals: 10 byte offset,
// 11 r, 12–15 the splatted means, 16–19 the four sums.
function dot4(): number[] {
  const step: number[] = [...load(0, 10), ...set(11)];
  for (let j = 0; j < 4; j++)
    step.push(
      ...get(16 + j),
      ...get(11),
      ...load(1 + j, 10),
      ...get(12 + j),
      ...simd(SUB),
      ...simd(MUL),
      ...simd(ADD),
      ...set(16 + j),
    );
  const results: number[] = [];
  for (let j = 0; j < 4; j++) results.push(0x41, 8 * j, ...lanesSum(16 + j), 0x39, 3, 0);
  return fn(
    [
      [1, I32],
      [9, V128],
    ],
    [
      ...splat(6, 12),
      ...splat(7, 13),
      ...splat(8, 14),
      ...splat(9, 15),
      ...loop(10, 5, 16, step),
      ...results,
    ],
  );
}

// eta4: eta += c_1·x_1 + c_2·x_2 + c_3·x_3 + c_4·x_4, summed in the JavaScript loop's order.
// Parameters: 0 eta, 1–4 x_1…x_4, 5 bytes (a multiple of 16), 6–9 c_1…c_4. Locals: 10 byte
// offset, 11 unused, 12–15 the splatted coefficients.
function eta4(): number[] {
  const term = (j: number) => [...get(12 + j), ...load(1 + j, 10), ...simd(MUL)];
  const value = [
    ...load(0, 10),
    ...term(0),
    ...term(1),
    ...simd(ADD),
    ...term(2),
    ...simd(ADD),
    ...term(3),
    ...simd(ADD),
    ...simd(ADD),
  ];
  return fn(
    [
      [1, I32],
      [5, V128],
    ],
    [
      ...splat(6, 12),
      ...splat(7, 13),
      ...splat(8, 14),
      ...splat(9, 15),
      ...loop(10, 5, 16, storeAt(0, 10, value)),
    ],
  );
}

// dot: Σ r·(x − m), two vectors per loop step (a coordinate whose predecessor did not move: no
// update of r to apply). Parameters: 0 r, 1 x, 2 bytes (a multiple of 32), 3 m. Locals: 4 byte
// offset, 5 and 6 the sums, 7 the splatted mean.
function dot(): number[] {
  const element = (offset: number, acc: number) => [
    ...get(acc),
    ...load(0, 4, offset),
    ...load(1, 4, offset),
    ...get(7),
    ...simd(SUB),
    ...simd(MUL),
    ...simd(ADD),
    ...set(acc),
  ];
  return fn(
    [
      [1, I32],
      [3, V128],
    ],
    [
      ...splat(3, 7),
      ...loop(4, 2, 32, [...element(0, 5), ...element(16, 6)]),
      ...get(5),
      ...get(6),
      ...simd(ADD),
      ...set(5),
      ...lanesSum(5),
    ],
  );
}

// columnSum: Σ x, and at bytes 0–7 whether any x differs from `first` (1) or none does (0): a
// constant column is left out of the fit. Parameters: 0 x, 1 bytes (a multiple of 16), 2 first.
// Locals: 3 byte offset, 4 the sum, 5 the splatted first value, 6 the lanes that differed, 7 x.
function columnSum(): number[] {
  return fn(
    [
      [1, I32],
      [4, V128],
    ],
    [
      ...splat(2, 5),
      ...loop(3, 1, 16, [
        ...load(0, 3),
        ...tee(7),
        ...get(4),
        ...simd(ADD),
        ...set(4),
        ...get(6),
        ...get(7),
        ...get(5),
        ...simd(F64X2_NE),
        ...simd(V128_OR),
        ...set(6),
      ]),
      0x41,
      0,
      ...get(6),
      ...simd(ANY_TRUE),
      0xb8, // f64.convert_i32_u
      0x39,
      3,
      0,
      ...lanesSum(4),
    ],
  );
}

// columnSquares: Σ (x − m)². Parameters: 0 x, 1 bytes (a multiple of 16), 2 m. Locals: 3 byte
// offset, 4 the sum, 5 the splatted mean, 6 x − m.
function columnSquares(): number[] {
  return fn(
    [
      [1, I32],
      [3, V128],
    ],
    [
      ...splat(2, 5),
      ...loop(3, 1, 16, [
        ...load(0, 3),
        ...get(5),
        ...simd(SUB),
        ...tee(6),
        ...get(6),
        ...simd(MUL),
        ...get(4),
        ...simd(ADD),
        ...set(4),
      ]),
      ...lanesSum(4),
    ],
  );
}

function moduleBytes(): Uint8Array {
  const sweepParams = [I32, I32, I32, I32, I32, F64, F64, F64, F64].map((t) => [t]);
  const fourParams = [I32, I32, I32, I32, I32, I32, F64, F64, F64, F64].map((t) => [t]);
  return new Uint8Array([
    0x00,
    0x61,
    0x73,
    0x6d,
    1,
    0,
    0,
    0,
    ...section(
      1,
      vec([
        [0x60, ...vec(sweepParams), ...vec([[F64]])],
        [0x60, ...vec(fourParams), ...vec([])],
        [0x60, ...vec([[I32], [I32], [I32], [F64]]), ...vec([[F64]])],
        [0x60, ...vec([[I32], [I32], [F64]]), ...vec([[F64]])],
      ]),
    ),
    // the memory is the caller's: sized per fit
    ...section(2, vec([[...name("env"), ...name("memory"), 0x02, 0x00, 0x01]])),
    ...section(3, vec([[0], [0], [1], [1], [2], [3], [3]])),
    ...section(
      7,
      vec([
        [...name("updateDot"), 0x00, 0],
        [...name("updateDotSquares"), 0x00, 1],
        [...name("dot4"), 0x00, 2],
        [...name("eta4"), 0x00, 3],
        [...name("dot"), 0x00, 4],
        [...name("columnSum"), 0x00, 5],
        [...name("columnSquares"), 0x00, 6],
      ]),
    ),
    ...section(10, vec([sweep(false), sweep(true), dot4(), eta4(), dot(), columnSum(), columnSquares()])),
  ]);
}

type Sweep = (r: number, v: number, xu: number, xk: number, bytes: number, ...s: number[]) => number;
// The engines compile against ES2023 without the DOM's WebAssembly types: the little used here,
// typed locally and looked up at run time (absent in some runtimes: then null, JavaScript loops).
interface WasmApi {
  validate(bytes: Uint8Array): boolean;
  Module: new (bytes: Uint8Array) => object;
  Memory: new (descriptor: { initial: number; maximum: number }) => { buffer: ArrayBuffer };
  Instance: new (module: object, imports: object) => { exports: Record<string, unknown> };
}
const wasm = (globalThis as unknown as { WebAssembly?: WasmApi }).WebAssembly;
let compiled: object | null | undefined;
function compile(): object | null {
  if (compiled !== undefined) return compiled;
  try {
    const bytes = moduleBytes();
    compiled = wasm?.validate(bytes) ? new wasm.Module(bytes) : null;
  } catch {
    compiled = null; // no WebAssembly (or no SIMD) here: the JavaScript loops do the work
  }
  return compiled;
}

/** The kernels over one memory of `doubles` doubles; null when WebAssembly SIMD is unavailable or it would not fit. */
export interface SimdKernel {
  /** The whole memory as doubles; callers take subarray views of it. */
  f64: Float64Array;
  /** r −= v · (step · (x_u − m_u) + shift) over n rows, then returns Σ r · (x_k − m). */
  updateDot(
    r: number,
    v: number,
    xu: number,
    xk: number,
    n: number,
    mU: number,
    step: number,
    shift: number,
    m: number,
  ): number;
  /** As `updateDot`, and Σ v · (x_k − m)² in `squares`. */
  updateDotSquares(
    r: number,
    v: number,
    xu: number,
    xk: number,
    n: number,
    mU: number,
    step: number,
    shift: number,
    m: number,
  ): number;
  squares: number;
  /** Σ r · (x_j − m_j) for the four columns at x[0..3] into out[0..3], one sweep of r. */
  dot4(r: number, x: ArrayLike<number>, n: number, m: ArrayLike<number>, out: Float64Array): void;
  /** eta += c_1 x_1 + … + c_4 x_4 over n rows (columns at x[0..3]), one sweep of eta. */
  eta4(eta: number, x: ArrayLike<number>, n: number, c: ArrayLike<number>): void;
  /** Σ r · (x − m): the sweep when there is no update of r to apply. */
  dot(r: number, x: number, n: number, m: number): number;
  /** Σ x over n rows, and in `differs` whether any of them differs from the first. */
  columnSum(x: number, n: number): number;
  differs: boolean;
  /** Σ (x − m)² over n rows. */
  columnSquares(x: number, n: number, m: number): number;
}

// Elements 0–3 of the memory are the second results' slots; arrays start at element 4.
export const SIMD_FIRST_ELEMENT = 4;
const MAX_BYTES = 2 ** 31; // well inside wasm32's 4 GiB, and what a worker's heap can spare

type Four = (
  a: number,
  x1: number,
  x2: number,
  x3: number,
  x4: number,
  bytes: number,
  ...s: number[]
) => void;

export function createSimdKernel(doubles: number): SimdKernel | null {
  const module = compile();
  const bytes = (doubles + SIMD_FIRST_ELEMENT) * 8;
  if (!module || !wasm || bytes > MAX_BYTES) return null;
  const pages = Math.ceil(bytes / 65536);
  let memory: { buffer: ArrayBuffer };
  try {
    memory = new wasm.Memory({ initial: pages, maximum: pages });
  } catch {
    return null; // no memory to spare: the JavaScript loops work on the caller's arrays
  }
  const exports = new wasm.Instance(module, { env: { memory } }).exports as unknown as {
    updateDot: Sweep;
    updateDotSquares: Sweep;
    dot4: Four;
    eta4: Four;
    dot: (r: number, x: number, bytes: number, m: number) => number;
    columnSum: (x: number, bytes: number, first: number) => number;
    columnSquares: (x: number, bytes: number, m: number) => number;
  };
  const f64 = new Float64Array(memory.buffer);
  // The sweeps do four rows per loop step, dot4 and eta4 two: the last rows are done here, with
  // the same operations in the same order.
  const kernel: SimdKernel = {
    f64,
    squares: 0,
    differs: false,
    updateDot(r, v, xu, xk, n, mU, step, shift, m) {
      const done = n & ~3;
      let s = exports.updateDot(r * 8, v * 8, xu * 8, xk * 8, done * 8, mU, step, shift, m);
      for (let i = done; i < n; i++) {
        const ri = f64[r + i]! - f64[v + i]! * (step * (f64[xu + i]! - mU) + shift);
        f64[r + i] = ri;
        s += ri * (f64[xk + i]! - m);
      }
      return s;
    },
    updateDotSquares(r, v, xu, xk, n, mU, step, shift, m) {
      const done = n & ~3;
      let s = exports.updateDotSquares(r * 8, v * 8, xu * 8, xk * 8, done * 8, mU, step, shift, m);
      let ss = f64[0]!;
      for (let i = done; i < n; i++) {
        const vi = f64[v + i]!;
        const ri = f64[r + i]! - vi * (step * (f64[xu + i]! - mU) + shift);
        f64[r + i] = ri;
        const x = f64[xk + i]! - m;
        s += ri * x;
        ss += vi * x * x;
      }
      kernel.squares = ss;
      return s;
    },
    dot4(r, x, n, m, out) {
      const done = n & ~1;
      exports.dot4(r * 8, x[0]! * 8, x[1]! * 8, x[2]! * 8, x[3]! * 8, done * 8, m[0]!, m[1]!, m[2]!, m[3]!);
      for (let j = 0; j < 4; j++) {
        let s = f64[j]!;
        for (let i = done; i < n; i++) s += f64[r + i]! * (f64[x[j]! + i]! - m[j]!);
        out[j] = s;
      }
    },
    eta4(eta, x, n, c) {
      const done = n & ~1;
      exports.eta4(eta * 8, x[0]! * 8, x[1]! * 8, x[2]! * 8, x[3]! * 8, done * 8, c[0]!, c[1]!, c[2]!, c[3]!);
      for (let i = done; i < n; i++)
        f64[eta + i] =
          f64[eta + i]! +
          (c[0]! * f64[x[0]! + i]! +
            c[1]! * f64[x[1]! + i]! +
            c[2]! * f64[x[2]! + i]! +
            c[3]! * f64[x[3]! + i]!);
    },
    dot(r, x, n, m) {
      const done = n & ~3;
      let s = exports.dot(r * 8, x * 8, done * 8, m);
      for (let i = done; i < n; i++) s += f64[r + i]! * (f64[x + i]! - m);
      return s;
    },
    columnSum(x, n) {
      const done = n & ~1;
      const first = f64[x]!;
      let s = exports.columnSum(x * 8, done * 8, first);
      let differs = f64[0]! !== 0;
      for (let i = done; i < n; i++) {
        const v = f64[x + i]!;
        s += v;
        if (v !== first) differs = true;
      }
      kernel.differs = differs;
      return s;
    },
    columnSquares(x, n, m) {
      const done = n & ~1;
      let s = exports.columnSquares(x * 8, done * 8, m);
      for (let i = done; i < n; i++) {
        const d = f64[x + i]! - m;
        s += d * d;
      }
      return s;
    },
  };
  return kernel;
}
