import { Button, Group } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { IconListDetails, IconPlayerPlay, IconPlayerStop } from '@tabler/icons-react';
import type { JobOut } from '../../api/types.gen';
import { ButtonLink } from '../../components/RouterLinks';
import { errorMessage } from '../../lib/apiError';
import { useRetryJob } from '../jobs/queries';
import { canCancel, canRetry } from '../jobs/status';
import { type CancelWording, useConfirmCancel } from '../jobs/useConfirmCancel';

function stopWording(job: JobOut): CancelWording {
  return {
    title: `Stop run #${job.id}?`,
    body:
      job.status === 'queued'
        ? 'The run has not started; it will not run until you resume it.'
        : 'The run stops after its current step and saves a checkpoint; Resume continues from it.',
    confirm: 'Stop run',
    keep: 'Keep training',
    failure: `Could not stop run #${job.id}`,
  };
}

/** Stop (cancel: the run saves a checkpoint first) and Resume (retry: a retried run continues
 * from its newest checkpoint), and the run's job. */
export function RunActions({ job }: { job: JobOut }) {
  const confirmStop = useConfirmCancel(stopWording);
  const resume = useRetryJob();
  return (
    <Group gap="xs">
      {canCancel(job) ? (
        <Button color="red" variant="light" leftSection={<IconPlayerStop size={16} aria-hidden />} onClick={() => confirmStop(job)}>
          Stop
        </Button>
      ) : null}
      {canRetry(job) ? (
        <Button
          leftSection={<IconPlayerPlay size={16} aria-hidden />}
          loading={resume.isPending}
          onClick={() =>
            resume.mutate(job.id, {
              onError: (error) =>
                notifications.show({
                  color: 'red',
                  title: `Could not resume run #${job.id}`,
                  message: errorMessage(error),
                  autoClose: false,
                }),
            })
          }
        >
          Resume
        </Button>
      ) : null}
      <ButtonLink to="/jobs/$jobId" params={{ jobId: job.id }} variant="default" leftSection={<IconListDetails size={16} aria-hidden />}>
        Job details
      </ButtonLink>
    </Group>
  );
}
