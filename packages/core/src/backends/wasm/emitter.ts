// A small WebAssembly bytecode emitter: value types, named opcodes, a function builder with one
// method per instruction family, and a module builder. Enough for the kernels, nothing more.
import { ValueError } from "../../shape/shape.js";

/** Value types. */
export const T = { i32: 0x7f, f32: 0x7d, f64: 0x7c, v128: 0x7b } as const;
export type ValType = (typeof T)[keyof typeof T];

/** Core opcodes. */
export const Op = {
  block: 0x02,
  loop: 0x03,
  if: 0x04,
  end: 0x0b,
  br: 0x0c,
  br_if: 0x0d,
  call: 0x10,
  drop: 0x1a,
  select: 0x1b,
  local_get: 0x20,
  local_set: 0x21,
  local_tee: 0x22,
  i32_load: 0x28,
  f32_load: 0x2a,
  f64_load: 0x2b,
  i32_load8_u: 0x2d,
  i32_store: 0x36,
  f32_store: 0x38,
  f64_store: 0x39,
  i32_store8: 0x3a,
  i32_const: 0x41,
  f32_const: 0x43,
  f64_const: 0x44,
  i32_lt_u: 0x49,
  i32_ge_u: 0x4f,
  f64_eq: 0x61,
  f64_ne: 0x62,
  f64_lt: 0x63,
  f64_gt: 0x64,
  f64_le: 0x65,
  f64_ge: 0x66,
  i32_add: 0x6a,
  i32_sub: 0x6b,
  i32_mul: 0x6c,
  i32_and: 0x71,
  i32_xor: 0x73,
  i32_shl: 0x74,
  i32_rotl: 0x77,
  f64_abs: 0x99,
  f64_neg: 0x9a,
  f64_floor: 0x9c,
  f64_trunc: 0x9d,
  f64_sqrt: 0x9f,
  f64_add: 0xa0,
  f64_sub: 0xa1,
  f64_mul: 0xa2,
  f64_div: 0xa3,
  f32_demote_f64: 0xb6,
  f64_convert_i32_s: 0xb7,
  f64_convert_i32_u: 0xb8,
  f64_promote_f32: 0xbb,
} as const;

/** SIMD opcodes (after the 0xfd prefix). */
export const Simd = {
  v128_load: 0x00,
  v128_load32_splat: 0x09,
  v128_store: 0x0b,
  v128_const: 0x0c,
  i8x16_shuffle: 0x0d,
  i32x4_splat: 0x11,
  i32x4_extract_lane: 0x1b,
  i32x4_replace_lane: 0x1c,
  f32x4_extract_lane: 0x1f,
  f32x4_replace_lane: 0x20,
  i32x4_eq: 0x37,
  i32x4_ne: 0x38,
  i32x4_lt_s: 0x39,
  i32x4_gt_s: 0x3b,
  i32x4_le_s: 0x3d,
  i32x4_ge_s: 0x3f,
  f32x4_eq: 0x41,
  f32x4_ne: 0x42,
  f32x4_lt: 0x43,
  f32x4_gt: 0x44,
  f32x4_le: 0x45,
  f32x4_ge: 0x46,
  v128_and: 0x4e,
  v128_or: 0x50,
  v128_xor: 0x51,
  v128_bitselect: 0x52,
  v128_any_true: 0x53,
  v128_store8_lane: 0x58,
  v128_store32_lane: 0x5a,
  v128_store64_lane: 0x5b,
  v128_load32_zero: 0x5c,
  i8x16_narrow_i16x8_u: 0x66,
  f32x4_nearest: 0x6a,
  i16x8_narrow_i32x4_u: 0x86,
  i16x8_extend_low_i8x16_u: 0x89,
  i32x4_abs: 0xa0,
  i32x4_neg: 0xa1,
  i32x4_extend_low_i16x8_u: 0xa9,
  i32x4_shl: 0xab,
  i32x4_shr_s: 0xac,
  i32x4_shr_u: 0xad,
  i32x4_add: 0xae,
  i32x4_sub: 0xb1,
  i32x4_mul: 0xb5,
  i32x4_min_s: 0xb6,
  i32x4_max_s: 0xb8,
  f32x4_abs: 0xe0,
  f32x4_neg: 0xe1,
  f32x4_sqrt: 0xe3,
  f32x4_add: 0xe4,
  f32x4_sub: 0xe5,
  f32x4_mul: 0xe6,
  f32x4_div: 0xe7,
  f32x4_min: 0xe8,
  f32x4_max: 0xe9,
  f32x4_pmin: 0xea,
  f32x4_pmax: 0xeb,
  i32x4_trunc_sat_f32x4_s: 0xf8,
  f32x4_convert_i32x4_s: 0xfa,
  /** Relaxed SIMD: a·b + c, fused or not as the hardware prefers. */
  f32x4_relaxed_madd: 0x105,
} as const;

/** Ops behind the 0xfc prefix: saturating conversions and bulk memory. */
const Bulk = { i32_trunc_sat_f64_s: 0x02, i32_trunc_sat_f64_u: 0x03, memory_copy: 0x0a, memory_fill: 0x0b } as const;

/** A growable byte buffer (number arrays of every byte cost more than the kernels' emission). */
export class Bytes {
  private data = new Uint8Array(256);
  length = 0;

  private reserve(n: number): void {
    if (this.length + n <= this.data.length) return;
    const next = new Uint8Array(Math.max(this.data.length * 2, this.length + n));
    next.set(this.data.subarray(0, this.length));
    this.data = next;
  }

  byte(b: number): this {
    this.reserve(1);
    this.data[this.length++] = b;
    return this;
  }

  append(src: Bytes | Uint8Array | readonly number[]): this {
    const bytes = src instanceof Bytes ? src.view() : src;
    this.reserve(bytes.length);
    if (bytes instanceof Uint8Array) this.data.set(bytes, this.length);
    else for (let i = 0; i < bytes.length; i++) this.data[this.length + i] = bytes[i] as number;
    this.length += bytes.length;
    return this;
  }

  /** Unsigned LEB128. */
  uleb(n: number): this {
    do {
      let b = n & 0x7f;
      n >>>= 7;
      if (n !== 0) b |= 0x80;
      this.byte(b);
    } while (n !== 0);
    return this;
  }

  /** Signed LEB128 of a 32-bit integer. */
  sleb(n: number): this {
    n |= 0;
    for (;;) {
      const b = n & 0x7f;
      n >>= 7;
      if ((n === 0 && (b & 0x40) === 0) || (n === -1 && (b & 0x40) !== 0)) return this.byte(b);
      this.byte(b | 0x80);
    }
  }

  /** Four little-endian bytes of an f32, or of an i32 bit pattern. */
  word(value: number, float: boolean): this {
    if (float) scratch.setFloat32(0, value, true);
    else scratch.setInt32(0, value, true);
    for (let i = 0; i < 4; i++) this.byte(scratch.getUint8(i));
    return this;
  }

  view(): Uint8Array<ArrayBuffer> {
    return this.data.subarray(0, this.length);
  }
}

const scratch = new DataView(new ArrayBuffer(8));

/** Builds one function body. Locals are declared on demand; `local(type)` returns an index. */
export class FunctionBuilder {
  readonly body = new Bytes();
  private readonly locals: ValType[] = [];

  constructor(
    readonly params: readonly ValType[] = [],
    readonly results: readonly ValType[] = [],
  ) {}

  /** A new local of `type`. */
  local(type: ValType): number {
    this.locals.push(type);
    return this.params.length + this.locals.length - 1;
  }

  op(code: number): this {
    this.body.byte(code);
    return this;
  }

  simd(code: number): this {
    this.body.byte(0xfd).uleb(code);
    return this;
  }

  get(local: number): this {
    this.body.byte(Op.local_get).uleb(local);
    return this;
  }

  set(local: number): this {
    this.body.byte(Op.local_set).uleb(local);
    return this;
  }

  tee(local: number): this {
    this.body.byte(Op.local_tee).uleb(local);
    return this;
  }

  i32(value: number): this {
    this.body.byte(Op.i32_const).sleb(value);
    return this;
  }

  f32(value: number): this {
    this.body.byte(Op.f32_const).word(value, true);
    return this;
  }

  f64(value: number): this {
    this.body.byte(Op.f64_const);
    scratch.setFloat64(0, value, true);
    for (let i = 0; i < 8; i++) this.body.byte(scratch.getUint8(i));
    return this;
  }

  /** f64 → i32, saturating (NaN → 0), as a signed or unsigned 32-bit integer. */
  truncSat(unsigned: boolean): this {
    this.body.byte(0xfc).byte(unsigned ? Bulk.i32_trunc_sat_f64_u : Bulk.i32_trunc_sat_f64_s);
    return this;
  }

  /** A v128 constant from four 32-bit lanes (as i32 bit patterns). */
  v128i32(lanes: readonly [number, number, number, number]): this {
    this.simd(Simd.v128_const);
    for (const lane of lanes) this.body.word(lane, false);
    return this;
  }

  /** A v128 constant with the f32 `value` in every lane. */
  v128f32(value: number): this {
    this.simd(Simd.v128_const);
    for (let i = 0; i < 4; i++) this.body.word(value, true);
    return this;
  }

  /** A core load or store with a static byte offset; `align` is log2 of the alignment. */
  mem(code: number, align: number, offset = 0): this {
    this.body.byte(code).byte(align).uleb(offset);
    return this;
  }

  /** A SIMD load or store with a static byte offset. */
  simdMem(code: number, align: number, offset = 0): this {
    this.simd(code);
    this.body.byte(align).uleb(offset);
    return this;
  }

  /** A SIMD lane load or store (memory argument, then lane). */
  simdMemLane(code: number, align: number, offset: number, lane: number): this {
    this.simdMem(code, align, offset);
    this.body.byte(lane);
    return this;
  }

  /** A lane extract or replace. */
  lane(code: number, lane: number): this {
    this.simd(code);
    this.body.byte(lane);
    return this;
  }

  shuffle(lanes: readonly number[]): this {
    this.simd(Simd.i8x16_shuffle);
    this.body.append(lanes);
    return this;
  }

  call(index: number): this {
    this.body.byte(Op.call).uleb(index);
    return this;
  }

  /** Structured control: `block`/`loop`/`if` without results, closed by `end()`. */
  block(kind: typeof Op.block | typeof Op.loop | typeof Op.if): this {
    this.body.byte(kind).byte(0x40);
    return this;
  }

  end(): this {
    this.body.byte(Op.end);
    return this;
  }

  br(code: typeof Op.br | typeof Op.br_if, depth: number): this {
    this.body.byte(code).byte(depth);
    return this;
  }

  memoryCopy(): this {
    this.body.byte(0xfc).byte(Bulk.memory_copy).byte(0).byte(0);
    return this;
  }

  memoryFill(): this {
    this.body.byte(0xfc).byte(Bulk.memory_fill).byte(0);
    return this;
  }

  /** Emits a counted loop: `for (i = 0; i < count; i++) body()`, with `i` a fresh i32 local. */
  repeat(count: number, body: (i: number) => void): this {
    if (count <= 0) return this;
    const i = this.local(T.i32);
    this.i32(0).set(i);
    this.block(Op.loop);
    body(i);
    this.get(i).i32(1).op(Op.i32_add).tee(i).i32(count).op(Op.i32_lt_u).br(Op.br_if, 0);
    this.end();
    return this;
  }

  /** The encoded body, size first: locals, then code. */
  encode(): Bytes {
    const groups: [number, ValType][] = [];
    for (const t of this.locals) {
      const last = groups[groups.length - 1];
      if (last && last[1] === t) last[0]++;
      else groups.push([1, t]);
    }
    const out = new Bytes().uleb(groups.length);
    for (const [n, t] of groups) out.uleb(n).byte(t);
    out.append(this.body).byte(Op.end);
    return new Bytes().uleb(out.length).append(out);
  }
}

const encodeString = (out: Bytes, s: string): void => {
  const bytes = new TextEncoder().encode(s);
  out.uleb(bytes.length).append(bytes);
};

/** Builds a module that imports one memory, imports functions, defines functions and exports some. */
export class ModuleBuilder {
  private readonly types: { readonly params: readonly ValType[]; readonly results: readonly ValType[]; readonly key: string }[] = [];
  private readonly imports: { module: string; name: string; type: number }[] = [];
  private readonly functions: { type: number; code: FunctionBuilder }[] = [];
  private readonly exports: { name: string; index: number }[] = [];
  private memory: { pages: number; shared: boolean } | undefined;

  private typeIndex(params: readonly ValType[], results: readonly ValType[]): number {
    const key = `${params.join(",")}:${results.join(",")}`;
    const i = this.types.findIndex((t) => t.key === key);
    if (i >= 0) return i;
    this.types.push({ params, results, key });
    return this.types.length - 1;
  }

  importMemory(pages: number, shared = false): this {
    this.memory = { pages, shared };
    return this;
  }

  /** Imports a function from `env`; all imports come before the first defined function. */
  importFunction(name: string, params: readonly ValType[], results: readonly ValType[]): number {
    if (this.functions.length) throw new ValueError("emitter", "functions imported before any is defined", "an import after a definition");
    this.imports.push({ module: "env", name, type: this.typeIndex(params, results) });
    return this.imports.length - 1;
  }

  /** Adds a function; returns its index. */
  addFunction(code: FunctionBuilder): number {
    this.functions.push({ type: this.typeIndex(code.params, code.results), code });
    return this.imports.length + this.functions.length - 1;
  }

  exportFunction(name: string, index: number): this {
    this.exports.push({ name, index });
    return this;
  }

  toBytes(): Uint8Array<ArrayBuffer> {
    const out = new Bytes().append([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]);
    const section = (id: number, content: Bytes): void => {
      out.byte(id).uleb(content.length).append(content);
    };
    const vec = <X>(items: readonly X[], each: (c: Bytes, x: X) => void): Bytes => {
      const c = new Bytes().uleb(items.length);
      for (const x of items) each(c, x);
      return c;
    };
    section(1, vec(this.types, (c, t) => {
      c.byte(0x60).uleb(t.params.length).append(t.params).uleb(t.results.length).append(t.results);
    }));
    const imports: ((c: Bytes) => void)[] = [];
    if (this.memory) {
      const m = this.memory;
      imports.push((c) => {
        encodeString(c, "env");
        encodeString(c, "memory");
        c.byte(0x02).byte(m.shared ? 0x03 : 0x00).uleb(m.pages);
        if (m.shared) c.uleb(m.pages);
      });
    }
    for (const imp of this.imports) {
      imports.push((c) => {
        encodeString(c, imp.module);
        encodeString(c, imp.name);
        c.byte(0x00).uleb(imp.type);
      });
    }
    section(2, vec(imports, (c, f) => f(c)));
    section(3, vec(this.functions, (c, f) => c.uleb(f.type)));
    section(7, vec(this.exports, (c, e) => {
      encodeString(c, e.name);
      c.byte(0x00).uleb(e.index);
    }));
    section(10, vec(this.functions, (c, f) => c.append(f.code.encode())));
    return out.view();
  }
}
