// Small line charts on uPlot: one x column, several y series, redrawn with new data.
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";

/** One y series: a label, a colour, and whether it is drawn as points only. */
export interface Series {
  readonly label: string;
  readonly color: string;
  readonly points?: boolean;
}

/** A chart in `el`; `set` replaces its data (x first, then one array per series). */
export interface Chart {
  readonly set: (data: readonly (ArrayLike<number> | (number | null)[])[]) => void;
}

export function chart(el: HTMLElement, title: string, series: readonly Series[], options: { x?: string; logY?: boolean; yRange?: [number, number]; width?: number } = {}): Chart {
  const plot = new uPlot(
    {
      title,
      width: options.width ?? 500,
      height: 260,
      scales: {
        x: { time: false },
        y: options.logY ? { distr: 3 } : options.yRange ? { range: options.yRange } : {},
      },
      axes: [{ label: options.x ?? "" }, {}],
      legend: { show: true, live: false },
      cursor: { show: false },
      series: [
        { label: options.x ?? "x" },
        ...series.map((s) =>
          s.points
            ? { label: s.label, stroke: s.color, paths: () => null, points: { show: true, size: 4, fill: s.color } }
            : { label: s.label, stroke: s.color, width: 2, points: { show: false } },
        ),
      ],
    },
    [[], ...series.map(() => [])],
    el,
  );
  return { set: (data) => plot.setData(data.map((d) => Array.from(d)) as uPlot.AlignedData) };
}
