// Pen strokes from a digit image, as a person would draw it: the ink (> 0.5) thinned to a
// one-pixel skeleton (Zhang–Suen), then walked into polylines along 8-connected neighbours.

export type Point = readonly [x: number, y: number];

const SIDE = 28;
// Neighbours p2…p9 clockwise from north, as in Zhang & Suen (1984).
const RING: readonly Point[] = [[0, -1], [1, -1], [1, 0], [1, 1], [0, 1], [-1, 1], [-1, 0], [-1, -1]];

/** The skeleton of `ink` (a 28×28 0/1 grid), thinned in place until nothing changes. */
function thin(ink: Uint8Array): Uint8Array {
  const at = (x: number, y: number): number => (x < 0 || y < 0 || x >= SIDE || y >= SIDE ? 0 : (ink[y * SIDE + x] ?? 0));
  for (let changed = true; changed; ) {
    changed = false;
    for (const pass of [0, 1]) {
      const remove: number[] = [];
      for (let y = 0; y < SIDE; y++)
        for (let x = 0; x < SIDE; x++) {
          if (!at(x, y)) continue;
          const p = RING.map(([dx, dy]) => at(x + dx, y + dy));
          const b = p.reduce((s, v) => s + v, 0);
          const a = p.filter((v, i) => v === 0 && p[(i + 1) % 8] === 1).length;
          const [p2, p4, p6, p8] = [p[0], p[2], p[4], p[6]];
          const ok = pass === 0 ? !(p2 && p4 && p6) && !(p4 && p6 && p8) : !(p2 && p4 && p8) && !(p2 && p6 && p8);
          if (b >= 2 && b <= 6 && a === 1 && ok) remove.push(y * SIDE + x);
        }
      for (const i of remove) ink[i] = 0;
      changed ||= remove.length > 0;
    }
  }
  return ink;
}

/** Strokes (polylines in pixel coordinates) that cover the skeleton of a 28×28 image in 0..1. */
export function strokesOf(pixels: ArrayLike<number>): Point[][] {
  const skel = thin(Uint8Array.from({ length: SIDE * SIDE }, (_, i) => ((pixels[i] ?? 0) > 0.5 ? 1 : 0)));
  const on = (x: number, y: number): boolean => x >= 0 && y >= 0 && x < SIDE && y < SIDE && skel[y * SIDE + x] === 1;
  const seen = new Set<string>();
  const edge = (a: Point, b: Point): string => (a[1] * SIDE + a[0] < b[1] * SIDE + b[0] ? `${a}|${b}` : `${b}|${a}`);
  const next = (p: Point): Point[] => RING.map(([dx, dy]): Point => [p[0] + dx, p[1] + dy]).filter(([x, y]) => on(x, y) && !seen.has(edge(p, [x, y])));
  const points: Point[] = [];
  for (let y = 0; y < SIDE; y++) for (let x = 0; x < SIDE; x++) if (on(x, y)) points.push([x, y]);
  const strokes: Point[][] = [];
  const drawn = new Set<string>();
  // Start at ends (one unwalked neighbour) first, so that strokes follow the lines.
  for (;;) {
    const open = points.filter((p) => next(p).length > 0);
    const start = open.find((p) => next(p).length === 1) ?? open[0] ?? points.find((p) => !drawn.has(String(p)));
    if (start === undefined) break;
    const stroke: Point[] = [start];
    drawn.add(String(start));
    for (let p = start, n = next(p); n.length > 0; n = next(p)) {
      // Prefer a straight (4-connected) step, then a diagonal one.
      const q = n.find(([x, y]) => x === p[0] || y === p[1]) ?? (n[0] as Point);
      seen.add(edge(p, q));
      stroke.push(q);
      drawn.add(String(q));
      p = q;
    }
    strokes.push(stroke);
  }
  return strokes;
}
