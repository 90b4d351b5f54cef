import {
  type ChartPoint,
  type Domain,
  domainOf,
  drawable,
  linearTicks,
  linePath,
  logTicks,
  scaleOf,
  smoothEma,
  thin,
  type YScale,
} from './chartMath';

/** One line of a chart. */
export interface ChartSeries {
  key: string;
  label: string;
  /** Any CSS colour; Mantine's colour variables follow the light and dark themes. */
  color: string;
  /** Sorted by x, one point per x. */
  points: readonly ChartPoint[];
  /** A dot on every point: for sparse series (eval loss every N steps). */
  markers?: boolean;
}

export const VIEW_WIDTH = 560;
export const VIEW_HEIGHT = 220;
export const MARGIN = { top: 10, right: 14, bottom: 26, left: 50 } as const;
export const PLOT = {
  left: MARGIN.left,
  right: VIEW_WIDTH - MARGIN.right,
  top: MARGIN.top,
  bottom: VIEW_HEIGHT - MARGIN.bottom,
} as const;
/** Points drawn per line at most: about two per horizontal unit of the plot. */
const POINT_BUDGET = 2 * (PLOT.right - PLOT.left);

export interface LaidOutSeries {
  series: ChartSeries;
  /** The points the scale can draw, in data units (for the hover readout). */
  raw: ChartPoint[];
  /** The faint raw line (only when smoothing) and the main line, in plot coordinates. */
  rawPath: string | null;
  path: string;
  markers: ChartPoint[];
}

export interface ChartLayout {
  lines: LaidOutSeries[];
  xDomain: Domain;
  xTicks: Array<{ value: number; at: number }>;
  yTicks: Array<{ value: number; at: number }>;
  /** Plot x coordinate → data x, for the pointer. */
  xOfPlot: (plotX: number) => number;
  xToPlot: (x: number) => number;
}

/** Scales, ticks and paths of a chart; null when no series has a point to draw. */
export function layoutChart(series: readonly ChartSeries[], scale: YScale, smoothing: number): ChartLayout | null {
  const prepared = series.map((item) => {
    const raw = drawable(item.points, scale);
    // A sparse series (a point per evaluation) is drawn as it is: averaging a handful of points
    // would draw a line that misses them.
    return { item, raw, smooth: item.markers ? raw : smoothEma(raw, smoothing) };
  });
  const xs = prepared.flatMap(({ raw }) => (raw.length > 0 ? [raw[0]!.x, raw.at(-1)!.x] : []));
  const ys = prepared.flatMap(({ raw, smooth }) => [...raw, ...smooth].map((point) => point.y));
  const xDomain = domainOf(xs, 'linear');
  const yDomain = domainOf(ys, scale);
  if (!xDomain || !yDomain) return null;
  const xToPlot = scaleOf(xDomain, [PLOT.left, PLOT.right]);
  const yToPlot = scaleOf(yDomain, [PLOT.bottom, PLOT.top], scale);
  const toPlot = (points: readonly ChartPoint[]) =>
    thin(points, POINT_BUDGET).map((point) => ({ x: xToPlot(point.x), y: yToPlot(point.y) }));
  const lines = prepared.map(({ item, raw, smooth }) => ({
    series: item,
    raw,
    rawPath: smoothing > 0 && !item.markers && raw.length > 1 ? linePath(toPlot(raw)) : null,
    path: linePath(toPlot(smooth)),
    // A lone point draws no line: it gets a dot.
    markers: item.markers || raw.length === 1 ? toPlot(raw) : [],
  }));
  // Steps are whole numbers: no tick at step 1.5.
  const xTickValues = linearTicks(xDomain, 6).filter((value) => Number.isInteger(value));
  const yTickValues = scale === 'log' ? logTicks(yDomain) : linearTicks(yDomain, 4);
  const span = xDomain.max - xDomain.min;
  return {
    lines,
    xDomain,
    xTicks: xTickValues.map((value) => ({ value, at: xToPlot(value) })),
    yTicks: yTickValues.map((value) => ({ value, at: yToPlot(value) })),
    xOfPlot: (plotX) => xDomain.min + ((plotX - PLOT.left) / (PLOT.right - PLOT.left)) * span,
    xToPlot,
  };
}
