import { describe, expect, it } from 'vitest';
import { layoutChart } from './chartLayout';
import { domainOf, drawable, formatMetric, linearTicks, logTicks, nearestPoint, smoothEma, thin } from './chartMath';

const line = (...ys: number[]) => ys.map((y, index) => ({ x: index + 1, y }));

describe('smoothEma', () => {
  it('leaves the points alone without smoothing and starts debiased with it', () => {
    expect(smoothEma(line(4, 2, 6), 0)).toEqual(line(4, 2, 6));
    const smoothed = smoothEma(line(4, 2, 6), 0.5);
    // Debiased: the first point is its own value, not half of it.
    expect(smoothed[0]).toEqual({ x: 1, y: 4 });
    expect(smoothed[1]!.y).toBeCloseTo((0.5 * 0.5 * 4 + 0.5 * 2) / 0.75);
    expect(smoothed.map((point) => point.x)).toEqual([1, 2, 3]);
  });

  it('flattens noise around a trend', () => {
    const noisy = Array.from({ length: 200 }, (_, index) => ({ x: index, y: 2 + (index % 2 ? 0.5 : -0.5) }));
    const tail = smoothEma(noisy, 0.9).slice(100);
    expect(Math.max(...tail.map((point) => point.y)) - Math.min(...tail.map((point) => point.y))).toBeLessThan(0.2);
  });
});

describe('scales and ticks', () => {
  it('drops what a log scale cannot draw', () => {
    expect(drawable(line(1, 0, -2, 3), 'log')).toEqual([
      { x: 1, y: 1 },
      { x: 4, y: 3 },
    ]);
    expect(drawable(line(1, 0, Number.NaN), 'linear')).toEqual(line(1, 0));
  });

  it('widens a flat domain and handles long series', () => {
    expect(domainOf([2, 2], 'linear')).toEqual({ min: 1.8, max: 2.2 });
    // A smoothed flat line differs from itself only by rounding.
    const flat = domainOf([1.5, 1.4999999999999998, 1.5000000000000002], 'linear')!;
    expect(flat.min).toBeCloseTo(1.35);
    expect(flat.max).toBeCloseTo(1.65);
    expect(domainOf([0.1], 'log')).toEqual({ min: 0.05, max: 0.2 });
    expect(domainOf([], 'linear')).toBeNull();
    const many = Array.from({ length: 300_000 }, (_, index) => index);
    expect(domainOf(many, 'linear')).toEqual({ min: 0, max: 299_999 });
  });

  it('puts ticks on round numbers', () => {
    expect(linearTicks({ min: 0, max: 1 }, 5)).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
    expect(linearTicks({ min: 1, max: 40 }, 6)).toEqual([10, 20, 30, 40]);
    // Steps below the values' precision end, too.
    expect(linearTicks({ min: 1.5, max: 1.5000000000000004 }, 4)).toEqual([1.5]);
    expect(logTicks({ min: 0.002, max: 3 })).toEqual([0.01, 0.1, 1]);
    expect(logTicks({ min: 1.5, max: 4 })).toEqual([2]);
  });

  it('finds the nearest point and thins long lines keeping spikes', () => {
    expect(nearestPoint(line(5, 6, 7), 2.4)).toEqual({ x: 2, y: 6 });
    expect(nearestPoint(line(5, 6, 7), 9)).toEqual({ x: 3, y: 7 });
    expect(nearestPoint([], 1)).toBeNull();
    const long = Array.from({ length: 10_000 }, (_, index) => ({ x: index, y: index === 5000 ? 100 : 1 }));
    const kept = thin(long, 200);
    expect(kept.length).toBeLessThanOrEqual(201);
    expect(kept.some((point) => point.y === 100)).toBe(true);
    expect(kept.at(-1)).toEqual(long.at(-1));
  });

  it('formats values short', () => {
    expect(formatMetric(2.3456)).toBe('2.35');
    expect(formatMetric(0.0002)).toBe('2e-4');
    expect(formatMetric(0.05)).toBe('0.05');
    expect(formatMetric(1234.5)).toBe('1235');
    expect(formatMetric(45_678)).toBe('45.7K');
    expect(formatMetric(0)).toBe('0');
  });
});

describe('layoutChart', () => {
  it('lays out lines, markers for sparse series and nothing for empty ones', () => {
    const layout = layoutChart(
      [
        { key: 'train', label: 'Train', color: 'blue', points: line(3, 2, 1.5, 1.2) },
        { key: 'eval', label: 'Eval', color: 'orange', points: [{ x: 4, y: 1.4 }], markers: true },
      ],
      'linear',
      0.6,
    );
    expect(layout).not.toBeNull();
    expect(layout!.lines[0]!.path.startsWith('M')).toBe(true);
    expect(layout!.lines[0]!.rawPath).not.toBeNull();
    expect(layout!.lines[1]!.markers).toHaveLength(1);
    expect(layout!.xTicks.every((tick) => Number.isInteger(tick.value))).toBe(true);
    expect(layoutChart([{ key: 'a', label: 'A', color: 'red', points: [] }], 'log', 0)).toBeNull();
  });
});
