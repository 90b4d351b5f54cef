import { Card, Divider, Skeleton, Stack, Text, Title } from '@mantine/core';
import { Fragment } from 'react';
import { ErrorAlert } from '../../components/ErrorAlert';
import { BuiltinModelRow } from './BuiltinModelRow';
import { useBuiltinModels } from './queries';

export function BuiltinModelsCard() {
  const catalog = useBuiltinModels();

  return (
    <Card withBorder radius="md" padding="lg" component="section" aria-labelledby="builtin-models-title">
      <Stack gap="md">
        <Stack gap={2}>
          <Title order={2} size="h4" id="builtin-models-title">
            Built-in models
          </Title>
          <Text size="sm" c="dimmed">
            Small models Lathe can fetch and convert for you; they run on a laptop CPU.
          </Text>
        </Stack>
        {catalog.isPending ? (
          <Skeleton height={64} aria-label="Loading built-in models" />
        ) : catalog.isError ? (
          <ErrorAlert title="Could not load the built-in catalog" error={catalog.error} onRetry={() => void catalog.refetch()} />
        ) : catalog.data.length === 0 ? (
          <Text size="sm" c="dimmed">
            This server offers no built-in models. Import one with the form instead.
          </Text>
        ) : (
          catalog.data.map((entry, index) => (
            <Fragment key={entry.key}>
              {index > 0 ? <Divider /> : null}
              <BuiltinModelRow entry={entry} />
            </Fragment>
          ))
        )}
      </Stack>
    </Card>
  );
}
