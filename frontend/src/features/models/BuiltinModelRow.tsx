import { Badge, Button, Group, Stack, Text } from '@mantine/core';
import { IconDownload, IconListDetails } from '@tabler/icons-react';
import { useNavigate } from '@tanstack/react-router';
import type { BuiltinModelOut } from '../../api/types.gen';
import { ErrorAlert } from '../../components/ErrorAlert';
import { AnchorLink } from '../../components/RouterLinks';
import { formatBytes } from '../../components/format';
import { JobErrorAlert } from '../jobs/JobErrorAlert';
import { JobInlineProgress } from '../jobs/JobInlineProgress';
import { isActive } from '../jobs/status';
import { usePullModel } from './usePullModel';

export function BuiltinModelRow({ entry }: { entry: BuiltinModelOut }) {
  const pull = usePullModel(entry.key);
  const navigate = useNavigate();
  const modelId = entry.model_id;
  const job = pull.job;
  const running = job !== undefined && isActive(job.status);
  const stopped = job !== undefined && (job.status === 'failed' || job.status === 'cancelled');

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
            loading={pull.isStarting || running}
            aria-label={`Pull ${entry.display_name}`}
          >
            Pull
          </Button>
        )}
      </Group>
      {running ? <JobInlineProgress job={job} label={`Pulling ${entry.display_name}`} /> : null}
      {stopped && !entry.pulled && !pull.startError ? (
        <JobErrorAlert
          job={job}
          title={`Pulling ${entry.display_name} ${job.status === 'cancelled' ? 'was cancelled' : 'failed'}`}
        >
          <Group gap="sm">
            <Button size="xs" variant="light" color="red" onClick={pull.start} loading={pull.isStarting}>
              Try again
            </Button>
            <AnchorLink to="/jobs/$jobId" params={{ jobId: job.id }} size="xs">
              View job #{job.id} and its log
            </AnchorLink>
          </Group>
        </JobErrorAlert>
      ) : null}
      {pull.startError && !running ? (
        <ErrorAlert title={`Pulling ${entry.display_name} failed`} error={pull.startError} onRetry={pull.start} />
      ) : null}
    </Stack>
  );
}
