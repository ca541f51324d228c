// Two small plotters for the example: an SVG file (data as dots, fit as a line) and a text plot.

/** A series of points to plot. */
export interface Series {
  readonly xs: ArrayLike<number>;
  readonly ys: ArrayLike<number>;
}

const range = (values: number[]): [number, number] => {
  const lo = Math.min(...values);
  const hi = Math.max(...values);
  return lo === hi ? [lo - 1, hi + 1] : [lo, hi];
};

/** An SVG of the data (dots) and the fitted curve (line), with axes labelled at their ends. */
export function svgPlot(data: Series, fit: Series, title: string): string {
  const [w, h, m] = [640, 400, 48];
  const [x0, x1] = range([...Array.from(data.xs), ...Array.from(fit.xs)]);
  const [y0, y1] = range([...Array.from(data.ys), ...Array.from(fit.ys)]);
  const px = (x: number): number => m + ((x - x0) / (x1 - x0)) * (w - 2 * m);
  const py = (y: number): number => h - m - ((y - y0) / (y1 - y0)) * (h - 2 * m);
  const dots = Array.from(data.xs, (x, i) => `<circle cx="${px(x).toFixed(1)}" cy="${py(data.ys[i] as number).toFixed(1)}" r="3" fill="#4477aa"/>`);
  const line = Array.from(fit.xs, (x, i) => `${px(x).toFixed(1)},${py(fit.ys[i] as number).toFixed(1)}`).join(" ");
  const label = (x: number, y: number, text: string, anchor = "middle"): string =>
    `<text x="${x}" y="${y}" font-size="12" text-anchor="${anchor}" font-family="sans-serif">${text}</text>`;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" viewBox="0 0 ${w} ${h}">`,
    `<rect width="${w}" height="${h}" fill="white"/>`,
    `<path d="M${m},${m} V${h - m} H${w - m}" stroke="#333" fill="none"/>`,
    label(w / 2, 24, title),
    label(m, h - m + 18, x0.toFixed(1)),
    label(w - m, h - m + 18, x1.toFixed(1)),
    label(m - 6, h - m, y0.toFixed(1), "end"),
    label(m - 6, m + 4, y1.toFixed(1), "end"),
    ...dots,
    `<polyline points="${line}" fill="none" stroke="#cc3311" stroke-width="2"/>`,
    label(w - m, m, "● data   — fit", "end"),
    "</svg>",
    "",
  ].join("\n");
}

/** A text plot: `·` for data, `*` for the fit (where both fall in one cell, the fit wins). */
export function asciiPlot(data: Series, fit: Series, width = 60, height = 16): string {
  const [x0, x1] = range(Array.from(data.xs));
  const [y0, y1] = range([...Array.from(data.ys), ...Array.from(fit.ys)]);
  const grid = Array.from({ length: height }, () => new Array<string>(width).fill(" "));
  const put = (s: Series, mark: string): void => {
    for (let i = 0; i < s.xs.length; i++) {
      const c = Math.round((((s.xs[i] as number) - x0) / (x1 - x0)) * (width - 1));
      const r = height - 1 - Math.round((((s.ys[i] as number) - y0) / (y1 - y0)) * (height - 1));
      const row = grid[r];
      if (row && c >= 0 && c < width) row[c] = mark;
    }
  };
  put(data, "·");
  put(fit, "*");
  const rows = grid.map((row, i) => `${i === 0 ? y1.toFixed(1).padStart(6) : i === height - 1 ? y0.toFixed(1).padStart(6) : "      "} │${row.join("")}`);
  return [...rows, `       └${"─".repeat(width)}`, `        ${x0.toFixed(1)}${x1.toFixed(1).padStart(width - x0.toFixed(1).length)}`].join("\n");
}
