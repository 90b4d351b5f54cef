import { Card, Stack, Text, Title } from '@mantine/core';
import type { TrainingRunDetail } from '../../api/types.gen';
import { FactList } from '../../components/FactList';
import { formatBytes, formatCount, formatSeconds } from '../../components/format';
import { JsonBlock } from '../../components/JsonBlock';

/** The config the run was queued with, and its estimate on this machine. */
export function RunConfigCard({ run }: { run: TrainingRunDetail }) {
  const estimate = run.estimate;
  return (
    <Card withBorder radius="md" padding="md" component="section" aria-labelledby="run-config-title">
      <Stack gap="sm">
        <Title order={2} size="h4" id="run-config-title">
          Config
        </Title>
        {estimate ? (
          <FactList
            label="Estimate"
            facts={[
              {
                label: 'Peak memory',
                value: `${formatBytes(estimate.peak_bytes)} of ${formatBytes(estimate.usable_memory_bytes)} usable (${estimate.fits ? 'fits' : 'does not fit'})`,
              },
              { label: 'Device', value: `${estimate.device_name}, ${estimate.precision}` },
              { label: 'Estimated time', value: `about ${formatSeconds(estimate.total_seconds)} for ${estimate.total_steps} steps` },
              { label: 'Trainable', value: `${formatCount(estimate.adapter_parameters)} parameters` },
            ]}
          />
        ) : (
          <Text size="sm" c="dimmed">
            No estimate{run.estimate_error ? `: ${run.estimate_error}` : '.'}
          </Text>
        )}
        <JsonBlock value={run.config} label="Run config" />
      </Stack>
    </Card>
  );
}
