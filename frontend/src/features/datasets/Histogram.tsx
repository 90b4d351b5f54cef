import { Stack, Text, VisuallyHidden } from '@mantine/core';
import { useId } from 'react';
import type { HistogramBin } from '../../api/types.gen';
import { formatCount, formatInteger } from '../../components/format';
import './datasets.css';

/** "0–16", "17–32", "5" (one value), "2,049+" (the open last bin). */
export function binRange(bin: HistogramBin, format: (value: number) => string = formatInteger): string {
  if (bin.max === null) return `${format(bin.min)}+`;
  if (bin.max === bin.min) return format(bin.min);
  return `${format(bin.min)}–${format(bin.max)}`;
}

function percentOf(count: number, total: number): string {
  if (total <= 0) return '0%';
  const share = (count / total) * 100;
  if (share > 0 && share < 0.1) return '<0.1%';
  return `${share.toFixed(share < 10 ? 1 : 0).replace(/\.0$/, '')}%`;
}

interface HistogramProps {
  bins: HistogramBin[];
  /** Caption and accessible name of the chart. */
  title: string;
  /** What the bins measure, plural ("tokens", "messages"). */
  unit: string;
  /** Bins to draw in the warning colour (rows over the max length). */
  isHighlighted?: (bin: HistogramBin) => boolean;
  /** What a highlighted bin means, for the legend and the table ("longer than 2,048 tokens"). */
  highlightLabel?: string;
}

/** A bar chart of row counts per bin. The bars are drawn for the eye; the same numbers are in a
 * table for screen readers (the bars are hidden from them). */
export function Histogram({ bins, title, unit, isHighlighted, highlightLabel }: HistogramProps) {
  const id = useId();
  const total = bins.reduce((sum, bin) => sum + bin.count, 0);
  const largest = Math.max(1, ...bins.map((bin) => bin.count));
  const highlighted = bins.map((bin) => isHighlighted?.(bin) ?? false);

  return (
    <Stack gap={4} component="figure" m={0} aria-labelledby={`${id}-caption`} data-testid="histogram">
      <Text component="figcaption" size="sm" fw={600} id={`${id}-caption`}>
        {title}
      </Text>
      <div className="histogram" aria-hidden>
        {bins.map((bin, index) => {
          const range = binRange(bin);
          return (
            <div
              key={`${bin.min}-${bin.max ?? 'up'}`}
              className="histogram-bin"
              data-highlight={highlighted[index] || undefined}
              data-empty={bin.count === 0 || undefined}
              title={`${range} ${unit}: ${formatInteger(bin.count)} rows (${percentOf(bin.count, total)})`}
              data-testid="histogram-bar"
            >
              <span className="histogram-count">{bin.count > 0 ? formatCount(bin.count) : ''}</span>
              <div className="histogram-bar" style={{ height: `${(bin.count / largest) * 100}%` }} />
            </div>
          );
        })}
      </div>
      <div className="histogram-axis" aria-hidden>
        {bins.map((bin, index) => (
          <span key={`${bin.min}-${bin.max ?? 'up'}`} data-highlight={highlighted[index] || undefined}>
            {binRange(bin, formatCount)}
          </span>
        ))}
      </div>
      <Text size="xs" c="dimmed" ta="center" aria-hidden>
        {unit[0]?.toUpperCase()}
        {unit.slice(1)} per row{highlightLabel ? ` · red: ${highlightLabel}` : ''}
      </Text>
      <VisuallyHidden>
        <table aria-label={title}>
          <thead>
            <tr>
              <th scope="col">{unit[0]?.toUpperCase() + unit.slice(1)}</th>
              <th scope="col">Rows</th>
              <th scope="col">Share</th>
            </tr>
          </thead>
          <tbody>
            {bins.map((bin, index) => (
              <tr key={`${bin.min}-${bin.max ?? 'up'}`}>
                <th scope="row">
                  {binRange(bin)}
                  {highlighted[index] && highlightLabel ? ` (${highlightLabel})` : ''}
                </th>
                <td>{formatInteger(bin.count)}</td>
                <td>{percentOf(bin.count, total)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </VisuallyHidden>
    </Stack>
  );
}
