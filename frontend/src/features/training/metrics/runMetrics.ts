import type { JobMetricPoint } from '../../../api/types.gen';
import type { ChartPoint } from '../../../components/chart/chartMath';

/** A run's metrics as the charts read them: per metric name, one point per step in step order,
 * and the id of the last point seen (where the live stream resumes). */
export interface RunMetrics {
  series: Readonly<Record<string, readonly ChartPoint[]>>;
  lastId: number;
}

export const NO_METRICS: RunMetrics = { series: {}, lastId: 0 };

/** Where a point of step `x` goes in a series sorted by step. */
function indexOf(points: readonly ChartPoint[], x: number): number {
  let low = 0;
  let high = points.length;
  while (low < high) {
    const middle = (low + high) >> 1;
    if (points[middle]!.x < x) low = middle + 1;
    else high = middle;
  }
  return low;
}

/** Adds points in the order the job reported them. A step reported again replaces the earlier
 * value: a resumed run repeats the steps after its last checkpoint. Only the series that change
 * get new arrays, so charts of the others do not redraw. */
export function mergeMetrics(metrics: RunMetrics, points: readonly JobMetricPoint[]): RunMetrics {
  if (points.length === 0) return metrics;
  const series: Record<string, ChartPoint[]> = {};
  let lastId = metrics.lastId;
  for (const point of points) {
    lastId = Math.max(lastId, point.id);
    const line = (series[point.name] ??= [...(metrics.series[point.name] ?? [])]);
    const next = { x: point.step, y: point.value };
    const last = line.at(-1);
    if (!last || last.x < next.x) {
      line.push(next);
      continue;
    }
    const index = indexOf(line, next.x);
    if (line[index]?.x === next.x) line[index] = next;
    else line.splice(index, 0, next);
  }
  return { series: { ...metrics.series, ...series }, lastId };
}

/** Parses one SSE message's data as a metric point; null for anything else. */
export function parseMetricPoint(data: string): JobMetricPoint | null {
  let value: unknown;
  try {
    value = JSON.parse(data);
  } catch {
    return null;
  }
  if (typeof value !== 'object' || value === null) return null;
  const point = value as Partial<JobMetricPoint>;
  const numbers = [point.id, point.step, point.value].every((item) => typeof item === 'number');
  return numbers && typeof point.name === 'string' ? (point as JobMetricPoint) : null;
}

/** The latest value of a metric, or null when it has none. */
export function latest(metrics: RunMetrics, name: string): number | null {
  return metrics.series[name]?.at(-1)?.y ?? null;
}
