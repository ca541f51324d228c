// A small WebAssembly bytecode emitter: value types, named opcodes, a function builder with one
// method per instruction family, and a module builder. Enough for the kernels, nothing more.

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
  local_get: 0x20,
  local_set: 0x21,
  local_tee: 0x22,
  i32_load: 0x28,
  i32_load8_u: 0x2d,
  i32_store: 0x36,
  f32_store: 0x38,
  i32_store8: 0x3a,
  i32_const: 0x41,
  f32_const: 0x43,
  i32_lt_u: 0x49,
  i32_ge_u: 0x4f,
  i32_add: 0x6a,
  i32_sub: 0x6b,
  i32_mul: 0x6c,
  i32_xor: 0x73,
  i32_shl: 0x74,
  i32_rotl: 0x77,
  f32_demote_f64: 0xb6,
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

/** Memory ops with bulk-memory's 0xfc prefix. */
const Bulk = { memory_copy: 0x0a, memory_fill: 0x0b } as const;

function uleb(out: number[], n: number): void {
  do {
    let byte = n & 0x7f;
    n >>>= 7;
    if (n !== 0) byte |= 0x80;
    out.push(byte);
  } while (n !== 0);
}

function sleb(out: number[], n: number): void {
  n |= 0;
  for (;;) {
    const byte = n & 0x7f;
    n >>= 7;
    if ((n === 0 && (byte & 0x40) === 0) || (n === -1 && (byte & 0x40) !== 0)) {
      out.push(byte);
      return;
    }
    out.push(byte | 0x80);
  }
}

const scratch = new DataView(new ArrayBuffer(8));

/** Builds one function body. Locals are declared on demand; `local(type)` returns an index. */
export class FunctionBuilder {
  readonly body: number[] = [];
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
    this.body.push(code);
    return this;
  }

  simd(code: number): this {
    this.body.push(0xfd);
    uleb(this.body, code);
    return this;
  }

  get(local: number): this {
    this.body.push(Op.local_get);
    uleb(this.body, local);
    return this;
  }

  set(local: number): this {
    this.body.push(Op.local_set);
    uleb(this.body, local);
    return this;
  }

  tee(local: number): this {
    this.body.push(Op.local_tee);
    uleb(this.body, local);
    return this;
  }

  i32(value: number): this {
    this.body.push(Op.i32_const);
    sleb(this.body, value);
    return this;
  }

  f32(value: number): this {
    this.body.push(Op.f32_const);
    scratch.setFloat32(0, value, true);
    for (let i = 0; i < 4; i++) this.body.push(scratch.getUint8(i));
    return this;
  }

  /** A v128 constant from four 32-bit lanes (as i32 bit patterns). */
  v128i32(lanes: readonly [number, number, number, number]): this {
    this.simd(Simd.v128_const);
    for (const lane of lanes) {
      scratch.setInt32(0, lane, true);
      for (let i = 0; i < 4; i++) this.body.push(scratch.getUint8(i));
    }
    return this;
  }

  /** A v128 constant with the f32 `value` in every lane. */
  v128f32(value: number): this {
    scratch.setFloat32(0, value, true);
    const bits = scratch.getInt32(0, true);
    return this.v128i32([bits, bits, bits, bits]);
  }

  /** A core load or store with a static byte offset; `align` is log2 of the alignment. */
  mem(code: number, align: number, offset = 0): this {
    this.body.push(code, align);
    uleb(this.body, offset);
    return this;
  }

  /** A SIMD load or store with a static byte offset. */
  simdMem(code: number, align: number, offset = 0): this {
    this.simd(code);
    this.body.push(align);
    uleb(this.body, offset);
    return this;
  }

  /** A SIMD lane load or store (memory argument, then lane). */
  simdMemLane(code: number, align: number, offset: number, lane: number): this {
    this.simdMem(code, align, offset);
    this.body.push(lane);
    return this;
  }

  /** A lane extract or replace. */
  lane(code: number, lane: number): this {
    this.simd(code);
    this.body.push(lane);
    return this;
  }

  shuffle(lanes: readonly number[]): this {
    this.simd(Simd.i8x16_shuffle);
    this.body.push(...lanes);
    return this;
  }

  call(index: number): this {
    this.body.push(Op.call);
    uleb(this.body, index);
    return this;
  }

  /** Structured control: `block`/`loop`/`if` without results, closed by `end()`. */
  block(kind: typeof Op.block | typeof Op.loop | typeof Op.if): this {
    this.body.push(kind, 0x40);
    return this;
  }

  end(): this {
    this.body.push(Op.end);
    return this;
  }

  br(code: typeof Op.br | typeof Op.br_if, depth: number): this {
    this.body.push(code, depth);
    return this;
  }

  memoryCopy(): this {
    this.body.push(0xfc, Bulk.memory_copy, 0, 0);
    return this;
  }

  memoryFill(): this {
    this.body.push(0xfc, Bulk.memory_fill, 0);
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

  /** The encoded body: locals, then code. */
  encode(): number[] {
    const out: number[] = [];
    const groups: [number, ValType][] = [];
    for (const t of this.locals) {
      const last = groups[groups.length - 1];
      if (last && last[1] === t) last[0]++;
      else groups.push([1, t]);
    }
    uleb(out, groups.length);
    for (const [n, t] of groups) {
      uleb(out, n);
      out.push(t);
    }
    for (const b of this.body) out.push(b);
    out.push(Op.end);
    const sized: number[] = [];
    uleb(sized, out.length);
    return sized.concat(out);
  }
}

const encodeString = (out: number[], s: string): void => {
  const bytes = new TextEncoder().encode(s);
  uleb(out, bytes.length);
  out.push(...bytes);
};

/** Builds a module that imports one memory, imports functions, defines functions and exports some. */
export class ModuleBuilder {
  private readonly types: string[] = [];
  private readonly imports: { module: string; name: string; type: number }[] = [];
  private readonly functions: { type: number; code: FunctionBuilder }[] = [];
  private readonly exports: { name: string; index: number }[] = [];
  private memory: { pages: number; shared: boolean } | undefined;

  private typeIndex(params: readonly ValType[], results: readonly ValType[]): number {
    const key = `${params.join(",")}:${results.join(",")}`;
    const i = this.types.indexOf(key);
    if (i >= 0) return i;
    this.types.push(key);
    return this.types.length - 1;
  }

  importMemory(pages: number, shared = false): this {
    this.memory = { pages, shared };
    return this;
  }

  /** Imports a function from `env`; all imports come before the first defined function. */
  importFunction(name: string, params: readonly ValType[], results: readonly ValType[]): number {
    if (this.functions.length) throw new Error("emitter: import functions before defining any");
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
    const out = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
    const section = (id: number, content: number[]): void => {
      out.push(id);
      uleb(out, content.length);
      for (const b of content) out.push(b);
    };
    const vec = <X>(items: readonly X[], each: (c: number[], x: X) => void): number[] => {
      const c: number[] = [];
      uleb(c, items.length);
      for (const x of items) each(c, x);
      return c;
    };
    section(1, vec(this.types, (c, key) => {
      const [params, results] = key.split(":").map((s) => (s ? s.split(",").map(Number) : [])) as [number[], number[]];
      c.push(0x60);
      uleb(c, params.length);
      c.push(...params);
      uleb(c, results.length);
      c.push(...results);
    }));
    const imports: ((c: number[]) => void)[] = [];
    if (this.memory) {
      const m = this.memory;
      imports.push((c) => {
        encodeString(c, "env");
        encodeString(c, "memory");
        c.push(0x02, m.shared ? 0x03 : 0x00);
        uleb(c, m.pages);
        if (m.shared) uleb(c, m.pages);
      });
    }
    for (const imp of this.imports) {
      imports.push((c) => {
        encodeString(c, imp.module);
        encodeString(c, imp.name);
        c.push(0x00);
        uleb(c, imp.type);
      });
    }
    section(2, vec(imports, (c, f) => f(c)));
    section(3, vec(this.functions, (c, f) => uleb(c, f.type)));
    section(7, vec(this.exports, (c, e) => {
      encodeString(c, e.name);
      c.push(0x00);
      uleb(c, e.index);
    }));
    const bodies: number[] = [];
    uleb(bodies, this.functions.length);
    for (const f of this.functions) {
      const body = f.code.encode();
      for (const b of body) bodies.push(b);
    }
    section(10, bodies);
    return new Uint8Array(out);
  }
}
