// The DOT text of `printDot`, drawn as SVG with a layered layout: a node's row is its longest
// path from a leaf, and rows are ordered by the mean position of each node's inputs (one sweep),
// which is enough for the small graphs of one expression and its derivatives.

interface Node {
  readonly id: string;
  readonly label: string;
  readonly bold: boolean;
  readonly inputs: string[];
}

/** Nodes and edges of the DOT that `printDot` writes (`nI [label="…"]`, `nI -> nJ`). */
export function parseDot(dot: string): Node[] {
  const nodes = new Map<string, Node>();
  for (const line of dot.split("\n")) {
    const node = /^\s*(n\d+) \[label="((?:[^"\\]|\\.)*)"(, style=bold)?\];$/.exec(line);
    if (node) {
      const [, id = "", label = ""] = node;
      nodes.set(id, { id, label: (label.split("\\n")[0] ?? "").replace(/\\(.)/g, "$1"), bold: node[3] !== undefined, inputs: [] });
    }
    const edge = /^\s*(n\d+) -> (n\d+);$/.exec(line);
    if (edge) nodes.get(edge[2] ?? "")?.inputs.push(edge[1] ?? "");
  }
  return [...nodes.values()];
}

const SVG = "http://www.w3.org/2000/svg";
const el = (name: string, attrs: Record<string, string | number>, text?: string): SVGElement => {
  const e = document.createElementNS(SVG, name);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  if (text !== undefined) e.textContent = text;
  return e;
};

/** An SVG drawing of the graph, leaves at the top; outputs are bold, tagged with their `names` by node id. */
export function drawGraph(nodes: readonly Node[], names: ReadonlyMap<string, string> = new Map()): SVGSVGElement {
  const depth = new Map<string, number>();
  // DOT lists nodes in topological order, so inputs come first.
  for (const n of nodes) depth.set(n.id, Math.max(-1, ...n.inputs.map((i) => depth.get(i) ?? 0)) + 1);
  const rows: Node[][] = [];
  for (const n of nodes) (rows[depth.get(n.id) ?? 0] ??= []).push(n);
  const [rowH, boxH, gap] = [46, 24, 30];
  const boxW = (n: Node): number => Math.max(30, 9 * [...n.label].length + 14);
  const rowWidth = (row: readonly Node[]): number => row.reduce((s, n) => s + boxW(n), 0) + gap * (row.length - 1);
  const width = Math.max(...rows.map(rowWidth)) + 80;
  const pos = new Map<string, { x: number; y: number; w: number }>();
  rows.forEach((row, r) => {
    const mean = (n: Node): number => (n.inputs.length ? n.inputs.reduce((s, i) => s + (pos.get(i)?.x ?? 0), 0) / n.inputs.length : 0);
    if (r > 0) row.sort((a, b) => mean(a) - mean(b));
    let x = (width - rowWidth(row)) / 2;
    for (const n of row) {
      pos.set(n.id, { x: x + boxW(n) / 2, y: 20 + r * rowH, w: boxW(n) });
      x += boxW(n) + gap;
    }
  });
  const height = 20 + rows.length * rowH;
  const svg = el("svg", { width, height, viewBox: `0 0 ${width} ${height}`, role: "img" }) as SVGSVGElement;
  const defs = el("defs", {});
  const marker = el("marker", { id: "arrow", viewBox: "0 0 8 8", refX: 8, refY: 4, markerWidth: 7, markerHeight: 7, orient: "auto" });
  marker.append(el("path", { d: "M0,0 L8,4 L0,8 z", fill: "#7a8596" }));
  defs.append(marker);
  svg.append(defs);
  for (const n of nodes)
    for (const i of n.inputs) {
      const [a, b] = [pos.get(i), pos.get(n.id)];
      if (a && b) svg.append(el("path", { d: `M${a.x},${a.y + boxH / 2} C${a.x},${a.y + rowH / 2 + 6} ${b.x},${b.y - rowH / 2} ${b.x},${b.y - boxH / 2}`, fill: "none", stroke: "#9aa5b5", "marker-end": "url(#arrow)" }));
    }
  for (const n of nodes) {
    const p = pos.get(n.id);
    if (!p) continue;
    const leaf = n.inputs.length === 0;
    svg.append(el("rect", { x: p.x - p.w / 2, y: p.y - boxH / 2, width: p.w, height: boxH, rx: 5, fill: leaf ? "#eef1f5" : "#fff", stroke: n.bold ? "#e8590c" : "#7a8596", "stroke-width": n.bold ? 2 : 1 }));
    svg.append(el("text", { x: p.x, y: p.y + 5, "text-anchor": "middle" }, n.label));
    const name = names.get(n.id);
    if (name !== undefined) svg.append(el("text", { x: p.x + p.w / 2 + 6, y: p.y + 5, fill: "#e8590c" }, name));
  }
  return svg;
}
