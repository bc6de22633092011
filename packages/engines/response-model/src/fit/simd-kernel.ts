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

// Parameters of both functions: 0 r, 1 v, 2 x_u, 3 x_k (byte addresses), 4 bytes to sweep (a
// multiple of 16), 5 m_u, 6 step, 7 shift, 8 m. Locals: 9 byte offset, 10 Σ r·x̃, 11–14 the
// splatted scalars, 15 new r, 16 v, 17 x_k − m, 18 Σ v·x̃².
const load = (pointer: number) => [...get(pointer), ...get(9), 0x6a, ...simd(0x00, 3, 0)];

function body(withSquares: boolean): number[] {
  const code = [
    ...vec([
      [1, I32],
      [10, V128],
    ]),
    ...get(5),
    ...simd(SPLAT),
    ...set(11),
    ...get(6),
    ...simd(SPLAT),
    ...set(12),
    ...get(7),
    ...simd(SPLAT),
    ...set(13),
    ...get(8),
    ...simd(SPLAT),
    ...set(14),
    0x02,
    0x40,
    0x03,
    0x40, // block, loop
    ...get(9),
    ...get(4),
    0x4f, // i32.ge_u
    0x0d,
    1, // br_if out of the block
    // r_i − v_i · (step · (x_u,i − m_u) + shift), as the JavaScript loop computes it
    ...load(0),
    ...load(1),
    ...tee(16),
    ...load(2),
    ...get(11),
    ...simd(SUB),
    ...get(12),
    ...simd(MUL),
    ...get(13),
    ...simd(ADD),
    ...simd(MUL),
    ...simd(SUB),
    ...set(15),
    ...get(0),
    ...get(9),
    0x6a,
    ...get(15),
    ...simd(STORE, 3, 0),
    ...load(3),
    ...get(14),
    ...simd(SUB),
    ...set(17),
    ...get(10),
    ...get(15),
    ...get(17),
    ...simd(MUL),
    ...simd(ADD),
    ...set(10),
    ...(withSquares
      ? [...get(18), ...get(16), ...get(17), ...simd(MUL), ...get(17), ...simd(MUL), ...simd(ADD), ...set(18)]
      : []),
    ...get(9),
    0x41,
    16, // i32.const 16
    0x6a,
    ...set(9),
    0x0c,
    0, // br to the loop
    0x0b,
    0x0b, // end loop, end block
    // Σ v·x̃² goes to bytes 0–7 of the memory (a second result)
    ...(withSquares
      ? [0x41, 0, ...get(18), ...simd(EXTRACT, 0), ...get(18), ...simd(EXTRACT, 1), 0xa0, 0x39, 3, 0]
      : []),
    ...get(10),
    ...simd(EXTRACT, 0),
    ...get(10),
    ...simd(EXTRACT, 1),
    0xa0, // f64.add
    0x0b,
  ];
  return [...leb(code.length), ...code];
}

function moduleBytes(): Uint8Array {
  const params = [I32, I32, I32, I32, I32, F64, F64, F64, F64].map((t) => [t]);
  return new Uint8Array([
    0x00,
    0x61,
    0x73,
    0x6d,
    1,
    0,
    0,
    0,
    ...section(1, vec([[0x60, ...vec(params), ...vec([[F64]])]])),
    // the memory is the caller's: sized per fit
    ...section(2, vec([[...name("env"), ...name("memory"), 0x02, 0x00, 0x01]])),
    ...section(3, vec([[0], [0]])),
    ...section(
      7,
      vec([
        [...name("updateDot"), 0x00, 0],
        [...name("updateDotSquares"), 0x00, 1],
      ]),
    ),
    ...section(10, vec([body(false), body(true)])),
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
}

// Element 0–1 of the memory are the second result's slot; arrays start at element 2.
export const SIMD_FIRST_ELEMENT = 2;
const MAX_BYTES = 2 ** 31; // well inside wasm32's 4 GiB, and what a worker's heap can spare

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
  };
  const f64 = new Float64Array(memory.buffer);
  const kernel: SimdKernel = {
    f64,
    squares: 0,
    updateDot(r, v, xu, xk, n, mU, step, shift, m) {
      const even = n & ~1;
      let s = exports.updateDot(r * 8, v * 8, xu * 8, xk * 8, even * 8, mU, step, shift, m);
      if (even < n) {
        const ri = f64[r + even]! - f64[v + even]! * (step * (f64[xu + even]! - mU) + shift);
        f64[r + even] = ri;
        s += ri * (f64[xk + even]! - m);
      }
      return s;
    },
    updateDotSquares(r, v, xu, xk, n, mU, step, shift, m) {
      const even = n & ~1;
      let s = exports.updateDotSquares(r * 8, v * 8, xu * 8, xk * 8, even * 8, mU, step, shift, m);
      let ss = f64[0]!;
      if (even < n) {
        const vi = f64[v + even]!;
        const ri = f64[r + even]! - vi * (step * (f64[xu + even]! - mU) + shift);
        f64[r + even] = ri;
        const x = f64[xk + even]! - m;
        s += ri * x;
        ss += vi * x * x;
      }
      kernel.squares = ss;
      return s;
    },
  };
  return kernel;
}
