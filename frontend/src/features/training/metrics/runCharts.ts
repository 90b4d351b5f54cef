/** The charts of a run page: which metrics (the names the train job writes) each one draws. */

export interface ChartMetric {
  metric: string;
  label: string;
  color: string;
  /** Sparse (written at the eval cadence): a dot per point. */
  markers?: boolean;
}

export interface RunChartSpec {
  key: string;
  title: string;
  metrics: readonly ChartMetric[];
  /** False for a curve that is exact, not noisy (the learning-rate schedule). */
  smooth: boolean;
  emptyText: string;
}

export const RUN_CHARTS: readonly RunChartSpec[] = [
  {
    key: 'loss',
    title: 'Loss',
    metrics: [
      { metric: 'train_loss', label: 'Train loss', color: 'var(--mantine-color-blue-6)' },
      { metric: 'eval_loss', label: 'Eval loss', color: 'var(--mantine-color-orange-6)', markers: true },
    ],
    smooth: true,
    emptyText: 'Train loss appears from the first step; eval loss at each evaluation.',
  },
  {
    key: 'learning-rate',
    title: 'Learning rate',
    metrics: [{ metric: 'learning_rate', label: 'Learning rate', color: 'var(--mantine-color-grape-6)' }],
    smooth: false,
    emptyText: 'The schedule appears from the first step.',
  },
  {
    key: 'grad-norm',
    title: 'Gradient norm',
    metrics: [{ metric: 'grad_norm', label: 'Grad norm', color: 'var(--mantine-color-teal-6)' }],
    smooth: true,
    emptyText: 'The gradient norm before clipping, from the first step.',
  },
  {
    key: 'throughput',
    title: 'Tokens per second',
    metrics: [{ metric: 'tokens_per_s', label: 'Tokens/s', color: 'var(--mantine-color-cyan-6)' }],
    smooth: true,
    emptyText: 'Training throughput, from the first step.',
  },
];
