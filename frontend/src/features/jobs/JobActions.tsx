import { Button, Group } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { IconPlayerStop, IconRefresh } from '@tabler/icons-react';
import type { JobOut } from '../../api/types.gen';
import { errorMessage } from '../../lib/apiError';
import { useRetryJob } from './queries';
import { canCancel, canRetry } from './status';
import { useConfirmCancel } from './useConfirmCancel';

/** Cancel while the job is queued or running (after confirming); retry once it failed or was cancelled. */
export function JobActions({ job }: { job: JobOut }) {
  const confirmCancel = useConfirmCancel();
  const retry = useRetryJob();

  return (
    <Group gap="xs">
      {canCancel(job) ? (
        <Button
          color="red"
          variant="light"
          leftSection={<IconPlayerStop size={16} aria-hidden />}
          onClick={() => confirmCancel(job)}
        >
          Cancel job
        </Button>
      ) : null}
      {canRetry(job) ? (
        <Button
          leftSection={<IconRefresh size={16} aria-hidden />}
          loading={retry.isPending}
          onClick={() =>
            retry.mutate(job.id, {
              onError: (error) =>
                notifications.show({
                  color: 'red',
                  title: `Could not retry job #${job.id}`,
                  message: errorMessage(error),
                  autoClose: false,
                }),
            })
          }
        >
          Retry
        </Button>
      ) : null}
    </Group>
  );
}
