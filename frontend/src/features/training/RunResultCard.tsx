import { Card, Group, Stack, Text, Title } from '@mantine/core';
import { IconBox, IconMessages } from '@tabler/icons-react';
import type { JobOut, TrainingRunDetail } from '../../api/types.gen';
import { formatMetric } from '../../components/chart/chartMath';
import { FactList } from '../../components/FactList';
import { ButtonLink } from '../../components/RouterLinks';
import { sentenceCase } from '../../lib/jsonSchema';

/** The `name` of a `{id, name}` entry of the result (the adapter, the base model). */
export function resultName(run: TrainingRunDetail, key: 'adapter' | 'model'): string | null {
  const entry = run.result?.[key];
  if (typeof entry !== 'object' || entry === null) return null;
  const name = (entry as Record<string, unknown>).name;
  return typeof name === 'string' ? name : null;
}

function pendingText(status: JobOut['status']): string {
  switch (status) {
    case 'failed':
      return 'No adapter: the run failed. Resume it to continue from its newest checkpoint.';
    case 'cancelled':
      return 'Stopped before the end. Resume it to continue from its newest checkpoint and register the adapter.';
    default:
      return 'The adapter is saved and registered as a model when the run finishes.';
  }
}

/** The adapter the run registered (a model of the registry) and its final metrics. */
export function RunResultCard({ run, status }: { run: TrainingRunDetail; status: JobOut['status'] }) {
  const metrics = Object.entries(run.final_metrics ?? {}).filter(
    (entry): entry is [string, number] => typeof entry[1] === 'number',
  );
  const name = resultName(run, 'adapter');
  const base = resultName(run, 'model') ?? String(run.config.model);
  return (
    <Card withBorder radius="md" padding="md" component="section" aria-labelledby="run-result-title">
      <Stack gap="sm">
        <Title order={2} size="h4" id="run-result-title">
          Adapter
        </Title>
        {run.adapter_model_id !== null ? (
          <Group justify="space-between" gap="sm">
            <Text size="sm">
              Registered as{' '}
              <Text span fw={600} ff="monospace">
                {name ?? `model ${run.adapter_model_id}`}
              </Text>
              , an adapter of {base}.
            </Text>
            <Group gap="xs">
              {name ? (
                // Side by side with its base model: the before and after of this run.
                <ButtonLink
                  to="/chat/compare"
                  search={{ models: `${base},${name}` }}
                  variant="light"
                  leftSection={<IconMessages size={16} aria-hidden />}
                >
                  Chat with this
                </ButtonLink>
              ) : null}
              <ButtonLink
                to="/models"
                search={{ model: run.adapter_model_id }}
                variant="light"
                leftSection={<IconBox size={16} aria-hidden />}
              >
                Open adapter
              </ButtonLink>
            </Group>
          </Group>
        ) : (
          <Text size="sm" c="dimmed">
            {pendingText(status)}
          </Text>
        )}
        {metrics.length > 0 ? (
          <FactList
            label="Final metrics"
            facts={metrics.map(([key, value]) => ({ label: sentenceCase(key), value: formatMetric(value), mono: true }))}
          />
        ) : null}
      </Stack>
    </Card>
  );
}
