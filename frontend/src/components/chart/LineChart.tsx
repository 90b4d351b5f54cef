import { Box, Group, Text } from '@mantine/core';
import { memo, type PointerEvent, useId, useMemo, useRef, useState } from 'react';
import { type ChartSeries, layoutChart, PLOT, VIEW_HEIGHT, VIEW_WIDTH } from './chartLayout';
import { formatMetric, nearestPoint, type YScale } from './chartMath';
import './chart.css';

export type { ChartSeries } from './chartLayout';

interface LineChartProps {
  title: string;
  series: readonly ChartSeries[];
  scale: YScale;
  /** Exponential moving average weight, 0 (none) to below 1. */
  smoothing: number;
  /** Shown instead of the plot while no series has a point. */
  emptyText: string;
  xLabel?: string;
}

/** What a screen reader hears: each series' point count, steps and latest value. */
function summaryOf(series: readonly ChartSeries[], xLabel: string): string {
  return series
    .map(({ label, points }) => {
      const last = points.at(-1);
      if (!last) return `${label}: no points yet.`;
      const count = `${points.length} point${points.length === 1 ? '' : 's'}`;
      return `${label}: ${count}, ${xLabel.toLowerCase()} ${points[0]!.x} to ${last.x}, latest ${formatMetric(last.y)}.`;
    })
    .join(' ');
}

function Legend({ series, hoverX, xLabel }: { series: readonly ChartSeries[]; hoverX: number | null; xLabel: string }) {
  return (
    <Group gap="sm" wrap="wrap" className="line-chart-legend" aria-hidden>
      {hoverX !== null ? (
        <Text span size="xs" c="dimmed">
          {xLabel} {hoverX}
        </Text>
      ) : null}
      {series.map((item) => {
        const point = hoverX === null ? item.points.at(-1) : nearestPoint(item.points, hoverX);
        return (
          <Group key={item.key} gap={4} wrap="nowrap">
            <span className="line-chart-swatch" style={{ background: item.color }} />
            <Text span size="xs">
              {item.label}
            </Text>
            <Text span size="xs" ff="monospace" c="dimmed">
              {point ? formatMetric(point.y) : '—'}
            </Text>
          </Group>
        );
      })}
    </Group>
  );
}

/** A small SVG line chart: a few series over steps, optionally smoothed (the raw line stays
 * faint behind) and on a log scale; hovering reads the values at a step. */
export const LineChart = memo(function LineChart({ title, series, scale, smoothing, emptyText, xLabel = 'Step' }: LineChartProps) {
  const titleId = useId();
  const descId = useId();
  const svg = useRef<SVGSVGElement>(null);
  const [hoverX, setHoverX] = useState<number | null>(null);
  const layout = useMemo(() => layoutChart(series, scale, smoothing), [series, scale, smoothing]);
  const pointCount = series.reduce((sum, item) => sum + item.points.length, 0);

  const onPointerMove = (event: PointerEvent<SVGSVGElement>) => {
    const box = svg.current?.getBoundingClientRect();
    if (!layout || !box || box.width === 0) return;
    const plotX = ((event.clientX - box.left) / box.width) * VIEW_WIDTH;
    const x = Math.round(layout.xOfPlot(Math.min(PLOT.right, Math.max(PLOT.left, plotX))));
    const candidates = layout.lines.map((line) => nearestPoint(line.raw, x)).filter((point) => point !== null);
    const nearest = candidates.reduce<number | null>(
      (best, point) => (best === null || Math.abs(point.x - x) < Math.abs(best - x) ? point.x : best),
      null,
    );
    setHoverX(nearest);
  };

  return (
    <Box component="figure" className="line-chart" data-points={pointCount} m={0}>
      <Group justify="space-between" align="baseline" gap="xs" wrap="wrap">
        <Text component="figcaption" size="sm" fw={600} id={titleId}>
          {title}
        </Text>
        <Legend series={series} hoverX={hoverX} xLabel={xLabel} />
      </Group>
      {layout ? (
        <svg
          ref={svg}
          viewBox={`0 0 ${VIEW_WIDTH} ${VIEW_HEIGHT}`}
          className="line-chart-svg"
          role="img"
          aria-labelledby={titleId}
          aria-describedby={descId}
          onPointerMove={onPointerMove}
          onPointerLeave={() => setHoverX(null)}
        >
          <desc id={descId}>{summaryOf(series, xLabel)}</desc>
          {layout.yTicks.map((tick) => (
            <g key={`y${tick.value}`}>
              <line x1={PLOT.left} x2={PLOT.right} y1={tick.at} y2={tick.at} className="line-chart-grid" />
              <text x={PLOT.left - 6} y={tick.at} className="line-chart-tick" textAnchor="end" dominantBaseline="middle">
                {formatMetric(tick.value)}
              </text>
            </g>
          ))}
          {layout.xTicks.map((tick) => (
            <text key={`x${tick.value}`} x={tick.at} y={PLOT.bottom + 16} className="line-chart-tick" textAnchor="middle">
              {tick.value}
            </text>
          ))}
          <line x1={PLOT.left} x2={PLOT.right} y1={PLOT.bottom} y2={PLOT.bottom} className="line-chart-axis" />
          {layout.lines.map((line) => (
            <g key={line.series.key} style={{ color: line.series.color }}>
              {line.rawPath ? <path d={line.rawPath} className="line-chart-raw" /> : null}
              <path d={line.path} className="line-chart-line" />
              {line.markers.map((point) => (
                <circle key={`${point.x},${point.y}`} cx={point.x} cy={point.y} r={2.5} className="line-chart-marker" />
              ))}
            </g>
          ))}
          {hoverX !== null ? (
            <line
              x1={layout.xToPlot(hoverX)}
              x2={layout.xToPlot(hoverX)}
              y1={PLOT.top}
              y2={PLOT.bottom}
              className="line-chart-cursor"
            />
          ) : null}
        </svg>
      ) : (
        <div className="line-chart-empty" role="img" aria-labelledby={titleId} aria-describedby={descId}>
          <Text size="sm" c="dimmed" id={descId}>
            {emptyText}
          </Text>
        </div>
      )}
    </Box>
  );
});
