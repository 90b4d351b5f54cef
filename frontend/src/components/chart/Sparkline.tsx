import { Text } from '@mantine/core';
import { memo, useMemo } from 'react';
import { type ChartPoint, domainOf, formatMetric, linePath, scaleOf, thin } from './chartMath';
import './chart.css';

interface SparklineProps {
  points: readonly ChartPoint[];
  /** What the line shows ("Train loss"), for its accessible name. */
  label: string;
  width?: number;
  height?: number;
}

/** A tiny line without axes for tables: the shape of a curve, its first and last value in the
 * accessible name. */
export const Sparkline = memo(function Sparkline({ points, label, width = 120, height = 28 }: SparklineProps) {
  const path = useMemo(() => {
    const kept = thin(points, width);
    const xDomain = domainOf(kept.map((point) => point.x), 'linear');
    const yDomain = domainOf(kept.map((point) => point.y), 'linear');
    if (kept.length < 2 || !xDomain || !yDomain) return null;
    const x = scaleOf(xDomain, [1, width - 1]);
    const y = scaleOf(yDomain, [height - 2, 2]);
    return linePath(kept.map((point) => ({ x: x(point.x), y: y(point.y) })));
  }, [points, width, height]);

  if (!path) {
    return (
      <Text span size="xs" c="dimmed">
        {points.length === 1 ? formatMetric(points[0]!.y) : '—'}
      </Text>
    );
  }
  const first = points[0]!;
  const last = points.at(-1)!;
  return (
    <svg
      className="sparkline"
      width={width}
      height={height}
      viewBox={`0 0 ${width} ${height}`}
      role="img"
      aria-label={`${label} from ${formatMetric(first.y)} to ${formatMetric(last.y)}, steps ${first.x} to ${last.x}`}
    >
      <path d={path} className="sparkline-line" />
    </svg>
  );
});
