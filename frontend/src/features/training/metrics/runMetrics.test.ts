import { describe, expect, it } from 'vitest';
import type { JobMetricPoint } from '../../../api/types.gen';
import { latest, mergeMetrics, NO_METRICS, parseMetricPoint } from './runMetrics';

let id = 0;
const point = (step: number, name: string, value: number): JobMetricPoint => {
  id += 1;
  return { id, step, name, value, created_at: '2026-01-01T00:00:00Z' };
};

describe('mergeMetrics', () => {
  it('keeps one point per step in step order, per metric', () => {
    const first = mergeMetrics(NO_METRICS, [point(1, 'train_loss', 3), point(1, 'learning_rate', 0.1), point(2, 'train_loss', 2)]);
    expect(first.series.train_loss).toEqual([
      { x: 1, y: 3 },
      { x: 2, y: 2 },
    ]);
    expect(first.lastId).toBe(id);
    expect(latest(first, 'learning_rate')).toBe(0.1);
    expect(latest(first, 'eval_loss')).toBeNull();
  });

  it('replaces the steps a resumed run repeats, and leaves untouched series as they were', () => {
    const before = mergeMetrics(NO_METRICS, [1, 2, 3, 4].flatMap((step) => [point(step, 'train_loss', 4 - step), point(step, 'grad_norm', 1)]));
    // Stopped at step 4 with a checkpoint at step 2: the next attempt logs 3 and 4 again.
    const after = mergeMetrics(before, [point(3, 'train_loss', 0.9), point(4, 'train_loss', 0.8), point(5, 'train_loss', 0.7)]);
    expect(after.series.train_loss!.map((p) => [p.x, p.y])).toEqual([
      [1, 3],
      [2, 2],
      [3, 0.9],
      [4, 0.8],
      [5, 0.7],
    ]);
    expect(after.series.grad_norm).toBe(before.series.grad_norm);
    expect(before.series.train_loss).toHaveLength(4); // not changed in place
    expect(mergeMetrics(after, [])).toBe(after);
  });

  it('puts a late point of an earlier step in its place', () => {
    const merged = mergeMetrics(NO_METRICS, [point(1, 'eval_loss', 2), point(10, 'eval_loss', 1), point(5, 'eval_loss', 1.5)]);
    expect(merged.series.eval_loss!.map((p) => p.x)).toEqual([1, 5, 10]);
  });
});

describe('parseMetricPoint', () => {
  it('reads a point and refuses anything else', () => {
    const valid = point(3, 'train_loss', 1.2);
    expect(parseMetricPoint(JSON.stringify(valid))).toEqual(valid);
    expect(parseMetricPoint('not json')).toBeNull();
    expect(parseMetricPoint('{"id": 1, "step": 2, "name": "x"}')).toBeNull();
  });
});
