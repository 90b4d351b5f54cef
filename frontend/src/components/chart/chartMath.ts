/** The numbers behind the line charts: smoothing, scales, ticks and SVG paths. No React here,
 * so the chart component and its tests share them. */

export interface ChartPoint {
  x: number;
  y: number;
}

export type YScale = 'linear' | 'log';

/** An exponential moving average as TensorBoard draws it: debiased, so the first points are not
 * pulled towards zero. `weight` 0 leaves the points as they are; 0.99 smooths hard. */
export function smoothEma(points: readonly ChartPoint[], weight: number): ChartPoint[] {
  if (weight <= 0 || points.length < 2) return [...points];
  const smoothed: ChartPoint[] = [];
  let average = 0;
  let step = 0;
  for (const point of points) {
    step += 1;
    average = average * weight + (1 - weight) * point.y;
    smoothed.push({ x: point.x, y: average / (1 - weight ** step) });
  }
  return smoothed;
}

/** The points a scale can draw: a log scale has no place for zero or negative values. */
export function drawable(points: readonly ChartPoint[], scale: YScale): ChartPoint[] {
  return points.filter((point) => Number.isFinite(point.y) && (scale === 'linear' || point.y > 0));
}

/** At most `budget` points, keeping each bucket's lowest and highest so spikes stay visible
 * (a run of 100k steps is drawn with a few hundred segments, not 100k). */
export function thin(points: readonly ChartPoint[], budget: number): ChartPoint[] {
  if (points.length <= budget) return [...points];
  const buckets = Math.max(1, Math.floor(budget / 2));
  const size = points.length / buckets;
  const kept: ChartPoint[] = [];
  for (let bucket = 0; bucket < buckets; bucket += 1) {
    const slice = points.slice(Math.floor(bucket * size), Math.floor((bucket + 1) * size));
    if (slice.length === 0) continue;
    let low = slice[0]!;
    let high = slice[0]!;
    for (const point of slice) {
      if (point.y < low.y) low = point;
      if (point.y > high.y) high = point;
    }
    if (low === high) kept.push(low);
    else kept.push(...(low.x <= high.x ? [low, high] : [high, low]));
  }
  const last = points.at(-1)!;
  if (kept.at(-1) !== last) kept.push(last);
  return kept;
}

export interface Domain {
  min: number;
  max: number;
}

/** The smallest and largest value, widened a little when they are equal so a flat line sits
 * inside the plot instead of on its edge. */
export function domainOf(values: readonly number[], scale: YScale): Domain | null {
  if (values.length === 0) return null;
  // A loop, not Math.min(...values): a long run has more values than a call takes arguments.
  let min = Infinity;
  let max = -Infinity;
  for (const value of values) {
    if (value < min) min = value;
    if (value > max) max = value;
  }
  // Equal but for float rounding (a smoothed flat line) counts as equal.
  if (max - min <= Math.max(Math.abs(min), Math.abs(max)) * 1e-9) {
    if (scale === 'log') return { min: min / 2, max: max * 2 };
    const pad = Math.abs(min) * 0.1 || 1;
    min -= pad;
    max += pad;
  }
  return { min, max };
}

/** Maps a value of the domain to a coordinate of the range; a log scale maps log10 values. */
export function scaleOf(domain: Domain, range: [number, number], scale: YScale = 'linear'): (value: number) => number {
  const transform = scale === 'log' ? Math.log10 : (value: number) => value;
  const low = transform(domain.min);
  const span = transform(domain.max) - low || 1;
  return (value) => range[0] + ((transform(value) - low) / span) * (range[1] - range[0]);
}

/** Round tick values (1, 2 or 5 times a power of ten) across a linear domain. */
export function linearTicks(domain: Domain, count = 5): number[] {
  const span = domain.max - domain.min;
  if (!(span > 0)) return [domain.min];
  const raw = span / Math.max(1, count);
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((factor) => factor * power).find((candidate) => candidate >= raw) ?? power * 10;
  // Ticks by index, not by adding steps: a step below the values' precision would never get
  // past the first one, and sums drift (0.30000000000000004).
  const first = Math.ceil(domain.min / step - 1e-9);
  const last = Math.floor(domain.max / step + 1e-9);
  if (!(last - first <= count * 3)) return [domain.min, domain.max];
  const ticks: number[] = [];
  for (let index = first; index <= last; index += 1) ticks.push(Number((index * step).toPrecision(12)));
  return [...new Set(ticks)];
}

/** Powers of ten across a log domain; with fewer than three, also their 2 and 5 multiples. */
export function logTicks(domain: Domain): number[] {
  const low = Math.floor(Math.log10(domain.min));
  const high = Math.ceil(Math.log10(domain.max));
  const inside = (value: number) => value >= domain.min * (1 - 1e-9) && value <= domain.max * (1 + 1e-9);
  const powers: number[] = [];
  for (let exponent = low; exponent <= high; exponent += 1) powers.push(10 ** exponent);
  const ticks = powers.filter(inside);
  if (ticks.length >= 3) return ticks;
  const dense = powers.flatMap((power) => [power, 2 * power, 5 * power]).filter(inside);
  return dense.length > 0 ? dense : [domain.min, domain.max];
}

/** An SVG path through the points, already in plot coordinates. */
export function linePath(points: readonly ChartPoint[]): string {
  return points.map((point, index) => `${index === 0 ? 'M' : 'L'}${point.x.toFixed(1)},${point.y.toFixed(1)}`).join('');
}

/** The point whose x is nearest to `x` (points sorted by x), or null when there are none. */
export function nearestPoint(points: readonly ChartPoint[], x: number): ChartPoint | null {
  if (points.length === 0) return null;
  let low = 0;
  let high = points.length - 1;
  while (low < high) {
    const middle = (low + high) >> 1;
    if (points[middle]!.x < x) low = middle + 1;
    else high = middle;
  }
  const after = points[low]!;
  const before = points[low - 1];
  return before && x - before.x <= after.x - x ? before : after;
}

/** A metric value in a few characters: 2.31, 0.0421, 2e-4, 1.23K, 3.5M. */
export function formatMetric(value: number): string {
  if (!Number.isFinite(value)) return '—';
  const abs = Math.abs(value);
  if (abs === 0) return '0';
  if (abs >= 1e6) return `${trim((value / 1e6).toFixed(2))}M`;
  if (abs >= 1e4) return `${trim((value / 1e3).toFixed(1))}K`;
  if (abs >= 100) return String(Math.round(value));
  if (abs >= 0.01) return trim(value.toPrecision(3));
  const [mantissa, exponent] = value.toExponential(1).split('e');
  return `${trim(mantissa ?? '')}e${Number(exponent)}`;
}

function trim(text: string): string {
  return text.includes('.') && !text.includes('e') ? text.replace(/\.?0+$/, '') : text;
}
