import { Badge, Button, Group, Stack, Text } from '@mantine/core';
import { IconDownload, IconListDetails } from '@tabler/icons-react';
import { useNavigate } from '@tanstack/react-router';
import type { BuiltinModelOut } from '../../api/types.gen';
import { ErrorAlert } from '../../components/ErrorAlert';
import { formatBytes } from '../../components/format';
import { PullProgress } from './PullProgress';
import { usePullModel } from './usePullModel';

export function BuiltinModelRow({ entry }: { entry: BuiltinModelOut }) {
  const pull = usePullModel(entry.key);
  const navigate = useNavigate();
  const modelId = entry.model_id;

  return (
    <Stack gap="xs" data-testid={`builtin-${entry.key}`}>
      <Group justify="space-between" align="flex-start" wrap="nowrap" gap="sm">
        <Stack gap={2}>
          <Group gap="xs">
            <Text fw={600}>{entry.display_name}</Text>
            {entry.pulled ? (
              <Badge color="teal" variant="light" size="sm">
                Pulled
              </Badge>
            ) : null}
          </Group>
          <Text size="sm" c="dimmed">
            {entry.description}
          </Text>
          <Text size="xs" c="dimmed">
            Download: about {formatBytes(entry.download_bytes)}
          </Text>
        </Stack>
        {entry.pulled && typeof modelId === 'number' ? (
          <Button
            onClick={() => void navigate({ to: '/models', search: { model: modelId } })}
            variant="default"
            size="xs"
            style={{ flexShrink: 0 }}
            leftSection={<IconListDetails size={16} aria-hidden />}
            aria-label={`Show details of ${entry.display_name}`}
          >
            Details
          </Button>
        ) : (
          <Button
            size="xs"
            style={{ flexShrink: 0 }}
            leftSection={<IconDownload size={16} aria-hidden />}
            onClick={pull.start}
            loading={pull.isPulling}
            aria-label={`Pull ${entry.display_name}`}
          >
            Pull
          </Button>
        )}
      </Group>
      {pull.isPulling ? <PullProgress name={entry.display_name} progress={pull.progress} /> : null}
      {pull.error && !pull.isPulling ? (
        <ErrorAlert title={`Pulling ${entry.display_name} failed`} error={pull.error} onRetry={pull.start} />
      ) : null}
    </Stack>
  );
}
