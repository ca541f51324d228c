// Transcendental functions on f32x4, so fused loops need no call out of WebAssembly (a call per
// lane would box its argument on the JS heap). Range reduction plus minimax polynomials with the
// coefficients of Cephes' single-precision library (S. Moshier): about one ulp on f32.
import { type FunctionBuilder, Op, Simd, T } from "./emitter.js";
import { SIGN_BITS } from "./simd.js";

/** Host functions every program module imports first, by function index: sin and cos of an f64. */
export const HOST = { sin: 0, cos: 1 } as const;

/** Beyond this |x|, sin and cos reduce their argument on the host (exactly, in f64). */
const REDUCTION_LIMIT = 8192;

/** Pushes the polynomial c0·zⁿ + … + cₙ (Horner) of the f32x4 in local `z`. */
function horner(f: FunctionBuilder, z: number, coefficients: readonly number[]): void {
  f.v128f32(coefficients[0] as number);
  for (const c of coefficients.slice(1)) f.get(z).simd(Simd.f32x4_mul).v128f32(c).simd(Simd.f32x4_add);
}

const splatI32 = (f: FunctionBuilder, v: number): FunctionBuilder => f.v128i32([v, v, v, v]);

/** eˣ = 2ⁿ·eʳ with n = round(x/ln 2) and |r| ≤ ln2/2; 2ⁿ is applied in two halves so results may be subnormal. */
export function emitExp(f: FunctionBuilder, x: number): void {
  const [v, n, r, h] = [f.local(T.v128), f.local(T.v128), f.local(T.v128), f.local(T.v128)];
  // Clamping keeps n in [−150, 128] (NaN passes through min and max).
  f.get(x).v128f32(-104).simd(Simd.f32x4_max).v128f32(89).simd(Simd.f32x4_min).set(v);
  f.get(v).v128f32(Math.LOG2E).simd(Simd.f32x4_mul).simd(Simd.f32x4_nearest).set(n);
  // r = x − n·ln2, with ln 2 split in a short high part and a low correction.
  f.get(v).get(n).v128f32(0.693359375).simd(Simd.f32x4_mul).simd(Simd.f32x4_sub);
  f.get(n).v128f32(-2.12194440e-4).simd(Simd.f32x4_mul).simd(Simd.f32x4_sub).set(r);
  // eʳ ≈ 1 + r + r²·P(r)
  horner(f, r, [1.9875691500e-4, 1.3981999507e-3, 8.3334519073e-3, 4.1665795894e-2, 1.6666665459e-1, 5.0000001201e-1]);
  f.get(r).get(r).simd(Simd.f32x4_mul).simd(Simd.f32x4_mul).get(r).simd(Simd.f32x4_add).v128f32(1).simd(Simd.f32x4_add);
  // × 2^⌊n/2⌋ × 2^(n − ⌊n/2⌋), each a normal float built from its exponent bits.
  f.get(n).simd(Simd.i32x4_trunc_sat_f32x4_s).set(n);
  f.get(n).i32(1).simd(Simd.i32x4_shr_s).set(h);
  f.get(h);
  splatI32(f, 127).simd(Simd.i32x4_add).i32(23).simd(Simd.i32x4_shl).simd(Simd.f32x4_mul);
  f.get(n).get(h).simd(Simd.i32x4_sub);
  splatI32(f, 127).simd(Simd.i32x4_add).i32(23).simd(Simd.i32x4_shl).simd(Simd.f32x4_mul);
}

/** ln x = e·ln 2 + ln m with x = m·2ᵉ, m ∈ [√½, √2); 0 → −∞, negatives and NaN → NaN, ∞ → ∞. */
export function emitLog(f: FunctionBuilder, x: number): void {
  const [v, e, m, big, z, y] = [f.local(T.v128), f.local(T.v128), f.local(T.v128), f.local(T.v128), f.local(T.v128), f.local(T.v128)];
  // Subnormals are scaled by 2²³ first.
  const tiny = f.local(T.v128);
  f.get(x).v128f32(2 ** -126).simd(Simd.f32x4_lt).set(tiny);
  f.get(x).v128f32(2 ** 23).simd(Simd.f32x4_mul).get(x).get(tiny).simd(Simd.v128_bitselect).set(v);
  f.get(v).i32(23).simd(Simd.i32x4_shr_u);
  splatI32(f, 127).simd(Simd.i32x4_sub);
  splatI32(f, 23).get(tiny).simd(Simd.v128_and).simd(Simd.i32x4_sub).set(e);
  f.get(v);
  splatI32(f, 0x007fffff).simd(Simd.v128_and);
  splatI32(f, 0x3f800000).simd(Simd.v128_or).set(m);
  // m > √2: halve it and count one more power of two.
  f.get(m).v128f32(Math.SQRT2).simd(Simd.f32x4_gt).set(big);
  f.get(m).v128f32(0.5).simd(Simd.f32x4_mul).get(m).get(big).simd(Simd.v128_bitselect).v128f32(1).simd(Simd.f32x4_sub).set(m);
  f.get(e).get(big).simd(Simd.i32x4_sub).simd(Simd.f32x4_convert_i32x4_s).set(e);
  f.get(m).get(m).simd(Simd.f32x4_mul).set(z);
  // ln(1 + m) ≈ m − m²/2 + m³·P(m)
  horner(f, m, [7.0376836292e-2, -1.1514610310e-1, 1.1676998740e-1, -1.2420140846e-1, 1.4249322787e-1, -1.6668057665e-1, 2.0000714765e-1, -2.4999993993e-1, 3.3333331174e-1]);
  f.get(m).simd(Simd.f32x4_mul).get(z).simd(Simd.f32x4_mul);
  f.get(e).v128f32(-2.12194440e-4).simd(Simd.f32x4_mul).simd(Simd.f32x4_add);
  f.get(z).v128f32(0.5).simd(Simd.f32x4_mul).simd(Simd.f32x4_sub);
  f.get(m).simd(Simd.f32x4_add);
  f.get(e).v128f32(0.693359375).simd(Simd.f32x4_mul).simd(Simd.f32x4_add).set(y);
  // Special values.
  f.v128f32(-Infinity).get(y).get(x).v128f32(0).simd(Simd.f32x4_eq).simd(Simd.v128_bitselect).set(y);
  f.v128f32(Infinity).get(y).get(x).v128f32(Infinity).simd(Simd.f32x4_eq).simd(Simd.v128_bitselect).set(y);
  f.v128f32(NaN).get(y).get(x).v128f32(0).simd(Simd.f32x4_lt).get(x).get(x).simd(Simd.f32x4_ne).simd(Simd.v128_or).simd(Simd.v128_bitselect);
}

/** tanh x: an odd polynomial for |x| < 0.625, else 1 − 2/(e^{2|x|} + 1), with x's sign. */
export function emitTanh(f: FunctionBuilder, x: number): void {
  const [a, z, small, e] = [f.local(T.v128), f.local(T.v128), f.local(T.v128), f.local(T.v128)];
  f.get(x).simd(Simd.f32x4_abs).set(a);
  f.get(x).get(x).simd(Simd.f32x4_mul).set(z);
  horner(f, z, [-5.70498872745e-3, 2.06390887954e-2, -5.37397155531e-2, 1.33314422036e-1, -3.33332819422e-1]);
  f.get(z).simd(Simd.f32x4_mul).get(x).simd(Simd.f32x4_mul).get(x).simd(Simd.f32x4_add).set(small);
  f.get(a).get(a).simd(Simd.f32x4_add).set(e);
  emitExp(f, e);
  f.set(e);
  f.v128f32(1).v128f32(2).get(e).v128f32(1).simd(Simd.f32x4_add).simd(Simd.f32x4_div).simd(Simd.f32x4_sub).set(e);
  // The branch by |x|, then x's sign bit (tanh is odd; this also keeps tanh(−0) = −0).
  f.get(x);
  f.get(small).get(e).get(a).v128f32(0.625).simd(Simd.f32x4_lt).simd(Simd.v128_bitselect);
  f.v128i32(SIGN_BITS).simd(Simd.v128_bitselect);
}

/** σ(x) = 1/(1 + e^{−|x|}) for x ≥ 0, and e^{−|x|}/(1 + e^{−|x|}) below. */
export function emitSigmoid(f: FunctionBuilder, x: number): void {
  const [e, r] = [f.local(T.v128), f.local(T.v128)];
  f.get(x).simd(Simd.f32x4_abs).simd(Simd.f32x4_neg).set(e);
  emitExp(f, e);
  f.set(e);
  f.v128f32(1).v128f32(1).get(e).simd(Simd.f32x4_add).simd(Simd.f32x4_div).set(r);
  f.get(r).get(e).get(r).simd(Simd.f32x4_mul).get(x).v128f32(0).simd(Simd.f32x4_ge).simd(Simd.v128_bitselect);
}

/**
 * aᵇ = e^{b·ln|a|}, negated when a's sign bit is set and b is an odd integer, NaN for finite
 * negative a and non-integer b, and 1 for b = 0: the special cases of Math.pow.
 */
export function emitPow(f: FunctionBuilder, a: number, b: number): void {
  const [l, y, odd] = [f.local(T.v128), f.local(T.v128), f.local(T.v128)];
  f.get(a).simd(Simd.f32x4_abs).set(l);
  emitLog(f, l);
  f.get(b).simd(Simd.f32x4_mul).set(l);
  emitExp(f, l);
  f.set(y);
  // odd integer exponent (below 2²⁴ every f32 integer can be odd; above, all are even)
  f.get(b).simd(Simd.i32x4_trunc_sat_f32x4_s);
  splatI32(f, 1).simd(Simd.v128_and);
  splatI32(f, 0).simd(Simd.i32x4_ne).get(b).simd(Simd.f32x4_abs).v128f32(2 ** 24).simd(Simd.f32x4_lt).simd(Simd.v128_and);
  f.get(b).simd(Simd.f32x4_nearest).get(b).simd(Simd.f32x4_eq).simd(Simd.v128_and).set(odd);
  // a's sign onto y for odd b (−0 and −∞ included)
  f.get(y).get(a).get(odd).simd(Simd.v128_and).v128i32(SIGN_BITS).simd(Simd.v128_and).simd(Simd.v128_xor).set(y);
  // finite negative a with a non-integer b
  f.v128f32(NaN).get(y).get(a).v128f32(0).simd(Simd.f32x4_lt).get(a).v128f32(-Infinity).simd(Simd.f32x4_gt).simd(Simd.v128_and);
  f.get(b).simd(Simd.f32x4_nearest).get(b).simd(Simd.f32x4_ne).simd(Simd.v128_and).simd(Simd.v128_bitselect).set(y);
  f.v128f32(1).get(y).get(b).v128f32(0).simd(Simd.f32x4_eq).simd(Simd.v128_bitselect);
}

/**
 * sin x and cos x: reduce |x| by multiples of π/4 (the multiple j rounded up to even, π/4 in three
 * parts), then a sine or cosine polynomial by j's octant and a sign by its quadrant (Cephes' sinf
 * and cosf, accurate for |x| up to about 8192). A vector holding a larger |x| (rare) is computed
 * lane by lane by the host's Math instead.
 */
export function emitSinCos(f: FunctionBuilder, x: number, cosine: boolean): void {
  const result = f.local(T.v128);
  sinCosPolynomial(f, x, cosine);
  f.set(result);
  f.get(x).simd(Simd.f32x4_abs).v128f32(REDUCTION_LIMIT).simd(Simd.f32x4_gt).simd(Simd.v128_any_true).block(Op.if);
  for (let lane = 0; lane < 4; lane++) {
    f.get(result).get(x).lane(Simd.f32x4_extract_lane, lane).op(Op.f64_promote_f32);
    f.call(cosine ? HOST.cos : HOST.sin).op(Op.f32_demote_f64).lane(Simd.f32x4_replace_lane, lane).set(result);
  }
  f.end();
  f.get(result);
}

function sinCosPolynomial(f: FunctionBuilder, x: number, cosine: boolean): void {
  const [a, j, r, z, s, c, neg] = [f.local(T.v128), f.local(T.v128), f.local(T.v128), f.local(T.v128), f.local(T.v128), f.local(T.v128), f.local(T.v128)];
  f.get(x).simd(Simd.f32x4_abs).set(a);
  f.get(a).v128f32(4 / Math.PI).simd(Simd.f32x4_mul).simd(Simd.i32x4_trunc_sat_f32x4_s);
  splatI32(f, 1).simd(Simd.i32x4_add);
  splatI32(f, -2).simd(Simd.v128_and).set(j);
  f.get(j).simd(Simd.f32x4_convert_i32x4_s).set(r);
  // r = |x| − j·π/4, with π/4 = DP1 + DP2 + DP3 so that j·DP1 is exact.
  f.get(a);
  for (const part of [0.78515625, 2.4187564849853515625e-4, 3.77489497744594108e-8]) f.get(r).v128f32(part).simd(Simd.f32x4_mul).simd(Simd.f32x4_sub);
  f.set(r);
  f.get(r).get(r).simd(Simd.f32x4_mul).set(z);
  // sin r ≈ r + r·z·P(z),  cos r ≈ 1 − z/2 + z²·Q(z)
  horner(f, z, [-1.9515295891e-4, 8.3321608736e-3, -1.6666654611e-1]);
  f.get(z).simd(Simd.f32x4_mul).get(r).simd(Simd.f32x4_mul).get(r).simd(Simd.f32x4_add).set(s);
  horner(f, z, [2.443315711809948e-5, -1.388731625493765e-3, 4.166664568298827e-2]);
  f.get(z).simd(Simd.f32x4_mul).get(z).simd(Simd.f32x4_mul).get(z).v128f32(0.5).simd(Simd.f32x4_mul).simd(Simd.f32x4_sub).v128f32(1).simd(Simd.f32x4_add).set(c);
  // Octants 2 and 6 (j & 2) swap the polynomials; the sign comes from the quadrant (and, for sin, x's sign).
  if (cosine) {
    f.get(j);
    splatI32(f, 2).simd(Simd.i32x4_add);
  } else f.get(j);
  splatI32(f, 4).simd(Simd.v128_and).i32(29).simd(Simd.i32x4_shl).set(neg);
  if (!cosine) f.get(neg).get(x).v128i32(SIGN_BITS).simd(Simd.v128_and).simd(Simd.v128_xor).set(neg);
  const [first, second] = cosine ? [s, c] : [c, s];
  f.get(first).get(second).get(j);
  splatI32(f, 2).simd(Simd.v128_and);
  splatI32(f, 0).simd(Simd.i32x4_ne).simd(Simd.v128_bitselect).get(neg).simd(Simd.v128_xor);
}
