import { Badge, Button, Group, Paper, SimpleGrid, Skeleton, Stack, Text } from '@mantine/core';
import { IconSparkles } from '@tabler/icons-react';
import { useNavigate } from '@tanstack/react-router';
import type { SampleInfo } from '../../api/types.gen';
import { ErrorAlert } from '../../components/ErrorAlert';
import { formatInteger } from '../../components/format';
import { useDatasetSamples, useImportSample } from './queries';

function SampleCard({ sample }: { sample: SampleInfo }) {
  const navigate = useNavigate();
  const start = useImportSample();
  return (
    <Paper withBorder radius="md" p="sm" data-testid={`sample-${sample.key}`}>
      <Stack gap={6} h="100%" justify="space-between">
        <Stack gap={4}>
          <Group gap="xs" justify="space-between" wrap="nowrap">
            <Text fw={600} size="sm">
              {sample.name}
            </Text>
            <Badge size="xs" variant="light">
              {sample.format}
            </Badge>
          </Group>
          <Text size="xs" c="dimmed">
            {sample.description}
          </Text>
          <Text size="xs" c="dimmed">
            {formatInteger(sample.rows)} rows
          </Text>
        </Stack>
        {start.error ? <ErrorAlert title={`Could not add ${sample.name}`} error={start.error} /> : null}
        <Button
          size="xs"
          variant="light"
          leftSection={<IconSparkles size={14} aria-hidden />}
          loading={start.isPending}
          onClick={() =>
            start.mutate(sample.key, {
              onSuccess: (queued) =>
                void navigate({ to: '/datasets/$datasetId', params: { datasetId: queued.dataset.id } }),
            })
          }
          aria-label={`Add the sample ${sample.name}`}
          style={{ alignSelf: 'flex-start' }}
        >
          Add this sample
        </Button>
      </Stack>
    </Paper>
  );
}

/** The built-in sample datasets, each one click away from being a dataset of this studio. */
export function SampleDatasets() {
  const samples = useDatasetSamples();
  if (samples.isPending) return <Skeleton height={120} aria-label="Loading the built-in samples" />;
  if (samples.isError) {
    return (
      <ErrorAlert title="Could not load the built-in samples" error={samples.error} onRetry={() => void samples.refetch()} />
    );
  }
  if (samples.data.length === 0) {
    return (
      <Text size="sm" c="dimmed">
        This server ships no sample datasets.
      </Text>
    );
  }
  return (
    <SimpleGrid cols={{ base: 1, sm: Math.min(3, samples.data.length) }} spacing="sm" ta="left">
      {samples.data.map((sample) => (
        <SampleCard key={sample.key} sample={sample} />
      ))}
    </SimpleGrid>
  );
}
