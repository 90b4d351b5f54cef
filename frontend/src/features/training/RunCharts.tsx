import { Card, Group, SimpleGrid, Skeleton, Slider, Stack, Switch, Text, Title } from '@mantine/core';
import { memo, useMemo, useState } from 'react';
import { type ChartSeries, LineChart } from '../../components/chart/LineChart';
import { formatMetric } from '../../components/chart/chartMath';
import { ErrorAlert } from '../../components/ErrorAlert';
import { StreamStatus } from '../jobs/StreamStatus';
import { RUN_CHARTS, type RunChartSpec } from './metrics/runCharts';
import { latest, type RunMetrics } from './metrics/runMetrics';
import { useRunMetrics } from './metrics/useRunMetrics';

/** TensorBoard's default: enough to read a noisy loss, little enough to keep its shape. */
const DEFAULT_SMOOTHING = 0.6;

const RunChart = memo(function RunChart({
  spec,
  metrics,
  smoothing,
  logScale,
}: {
  spec: RunChartSpec;
  metrics: RunMetrics;
  smoothing: number;
  logScale: boolean;
}) {
  const lines = spec.metrics.map((item) => metrics.series[item.metric]);
  // Keyed on this chart's own series (a fixed number per chart), so new points of another
  // metric do not lay this chart out again.
  const series = useMemo<ChartSeries[]>(
    () =>
      spec.metrics.map((item, index) => ({
        key: item.metric,
        label: item.label,
        color: item.color,
        markers: item.markers,
        points: lines[index] ?? [],
      })),
    [spec, ...lines],
  );
  return (
    <LineChart
      title={spec.title}
      series={series}
      scale={logScale ? 'log' : 'linear'}
      smoothing={spec.smooth ? smoothing : 0}
      emptyText={spec.emptyText}
    />
  );
});

/** The latest values, in a line above the charts. */
function LatestValues({ metrics }: { metrics: RunMetrics }) {
  const step = metrics.series.train_loss?.at(-1)?.x;
  const parts = [
    step !== undefined ? `step ${step}` : null,
    ...[
      ['epoch', 'epoch'],
      ['train_loss', 'train loss'],
      ['eval_loss', 'eval loss'],
      ['eval_perplexity', 'eval perplexity'],
      ['tokens_per_s', 'tokens/s'],
    ].map(([name, label]) => {
      const value = latest(metrics, name!);
      return value === null ? null : `${label} ${formatMetric(value)}`;
    }),
  ].filter(Boolean);
  if (parts.length === 0) return null;
  return (
    <Text size="sm" c="dimmed" data-testid="latest-metrics">
      Latest: {parts.join(' · ')}
    </Text>
  );
}

/** The run's live charts, with smoothing and a log scale for the values. They fill from the
 * first step as the metrics stream brings points, and read everything so far after a reload. */
export function RunCharts({ runId, active }: { runId: number; active: boolean }) {
  const { metrics, stream } = useRunMetrics(runId, active);
  const [smoothing, setSmoothing] = useState(DEFAULT_SMOOTHING);
  const [logScale, setLogScale] = useState(false);

  return (
    <Card withBorder radius="md" padding="md" component="section" aria-labelledby="run-charts-title">
      <Stack gap="sm">
        <Group justify="space-between" gap="sm" wrap="wrap">
          <Group gap="xs">
            <Title order={2} size="h4" id="run-charts-title">
              Metrics
            </Title>
            <StreamStatus stream={stream} />
          </Group>
          <Group gap="lg" wrap="wrap">
            <Group gap="xs" wrap="nowrap" w={220}>
              <Text size="sm" id="smoothing-label">
                Smoothing
              </Text>
              <Slider
                flex={1}
                min={0}
                max={0.99}
                step={0.01}
                value={smoothing}
                onChange={setSmoothing}
                label={(value) => value.toFixed(2)}
                thumbLabel="Smoothing"
              />
            </Group>
            <Switch label="Log scale" checked={logScale} onChange={(event) => setLogScale(event.currentTarget.checked)} />
          </Group>
        </Group>
        {metrics.isPending ? (
          <Skeleton height={220} aria-label="Loading the metrics" />
        ) : metrics.isError ? (
          <ErrorAlert title="Could not load the metrics" error={metrics.error} onRetry={() => void metrics.refetch()} />
        ) : (
          <>
            <LatestValues metrics={metrics.data} />
            <SimpleGrid cols={{ base: 1, md: 2 }} spacing="lg">
              {RUN_CHARTS.map((spec) => (
                <RunChart key={spec.key} spec={spec} metrics={metrics.data} smoothing={smoothing} logScale={logScale} />
              ))}
            </SimpleGrid>
          </>
        )}
      </Stack>
    </Card>
  );
}
