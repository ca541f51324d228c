/**
 * Type-level arithmetic on literal non-negative integers, digit by digit in base 10, so the cost
 * grows with the number of digits, not with the value (784 · 128 takes a few dozen instantiations,
 * where counting tuples would need 100,352 elements). A non-literal or non-integer operand gives
 * `number`.
 */

type Digit = 0 | 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8 | 9;
/** Least significant digit first: 784 → [4, 8, 7]. */
type Digits = Digit[];

type Tup<N extends number, T extends 0[] = []> = T["length"] extends N ? T : Tup<N, [...T, 0]>;
type Times<T extends 0[], N extends number, Acc extends 0[] = [], I extends 0[] = []> = I["length"] extends N
  ? Acc
  : Times<T, N, [...Acc, ...T], [...I, 0]>;

/** A value below 100 as [low digit, carry]. */
type Split<N extends number> = `${N}` extends `${infer H extends Digit}${infer L extends Digit}` ? [L, H] : [N & Digit, 0];
/** a·b + c + e for digits (at most 99), as [low digit, carry]. */
type MulAdd<A extends Digit, B extends Digit, C extends Digit, E extends Digit> = Split<[...Times<Tup<A>, B>, ...Tup<C>, ...Tup<E>]["length"] & number>;

type ToDigits<S extends string, Acc extends Digits = []> = S extends `${infer H extends Digit}${infer T}` ? ToDigits<T, [H, ...Acc]> : Acc;
type Trim<D extends Digits> = D extends [...infer H extends Digits, 0] ? Trim<H> : D;
type ToString<D extends Digits, Acc extends string = ""> = D extends [infer H extends Digit, ...infer T extends Digits] ? ToString<T, `${H}${Acc}`> : Acc;
type FromDigits<D extends Digits> = ToString<Trim<D>> extends `${infer N extends number}` ? N : 0;

/** The digits of a literal non-negative integer, or `null`. */
type Parse<N extends number> = number extends N ? null : `${N}` extends `${bigint}` ? (`${N}` extends `-${string}` ? null : ToDigits<`${N}`>) : null;

type AddD<A extends Digits, B extends Digits, C extends Digit = 0> = A extends [infer a extends Digit, ...infer AR extends Digits]
  ? B extends [infer b extends Digit, ...infer BR extends Digits]
    ? MulAdd<a, 1, b, C> extends [infer d extends Digit, infer c extends Digit]
      ? [d, ...AddD<AR, BR, c>]
      : never
    : MulAdd<a, 1, 0, C> extends [infer d extends Digit, infer c extends Digit]
      ? [d, ...AddD<AR, [], c>]
      : never
  : B extends []
    ? C extends 0
      ? []
      : [C]
    : AddD<B, [], C>;

/** A · d + carry. */
type MulDigit<A extends Digits, D extends Digit, C extends Digit = 0> = A extends [infer a extends Digit, ...infer AR extends Digits]
  ? MulAdd<a, D, C, 0> extends [infer d extends Digit, infer c extends Digit]
    ? [d, ...MulDigit<AR, D, c>]
    : never
  : C extends 0
    ? []
    : [C];

type MulD<A extends Digits, B extends Digits> = B extends [infer b extends Digit, ...infer BR extends Digits] ? AddD<MulDigit<A, b>, [0, ...MulD<A, BR>]> : [];

/** a − b − borrow for digits, as [digit, borrow]. */
type SubDigit<A extends Digit, B extends Digit, W extends Digit> =
  Tup<A> extends [...Tup<B>, ...Tup<W>, ...infer R extends 0[]]
    ? [R["length"] & Digit, 0]
    : [...Tup<A>, ...Tup<10>] extends [...Tup<B>, ...Tup<W>, ...infer R extends 0[]]
      ? [R["length"] & Digit, 1]
      : never;

/** A − B, or `never` when negative. */
type SubD<A extends Digits, B extends Digits, W extends Digit = 0> = A extends [infer a extends Digit, ...infer AR extends Digits]
  ? B extends [infer b extends Digit, ...infer BR extends Digits]
    ? SubDigit<a, b, W> extends [infer d extends Digit, infer w extends Digit]
      ? [d, ...SubD<AR, BR, w>]
      : never
    : SubDigit<a, 0, W> extends [infer d extends Digit, infer w extends Digit]
      ? [d, ...SubD<AR, [], w>]
      : never
  : B extends []
    ? W extends 0
      ? []
      : never
    : Trim<B> extends []
      ? SubD<[], [], W>
      : never;

type Lift<A extends number, B extends number, F extends "add" | "mul" | "sub"> = [Parse<A>, Parse<B>] extends [
  infer X extends Digits,
  infer Y extends Digits,
]
  ? F extends "add"
    ? FromDigits<AddD<X, Y>>
    : F extends "mul"
      ? FromDigits<MulD<X, Y>>
      : [SubD<X, Y>] extends [never]
        ? never
        : FromDigits<SubD<X, Y>>
  : number;

/** A + B for literal non-negative integers; `number` otherwise. */
export type Add<A extends number, B extends number> = Lift<A, B, "add">;
/** A · B for literal non-negative integers; `number` otherwise. */
export type Mul<A extends number, B extends number> = Lift<A, B, "mul">;
/** A − B for literal non-negative integers, `never` when negative; `number` for non-literals. */
export type Sub<A extends number, B extends number> = Lift<A, B, "sub">;
