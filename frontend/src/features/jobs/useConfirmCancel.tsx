import { Text } from '@mantine/core';
import { modals } from '@mantine/modals';
import { notifications } from '@mantine/notifications';
import { useCallback } from 'react';
import type { JobOut } from '../../api/types.gen';
import { errorMessage } from '../../lib/apiError';
import { useCancelJob } from './queries';
import { kindLabel } from './status';

/** Returns a function that asks before cancelling a job, then cancels it and reports back. */
export function useConfirmCancel() {
  const { mutate } = useCancelJob();

  return useCallback(
    (job: JobOut) =>
      modals.openConfirmModal({
        title: `Cancel job #${job.id}?`,
        children: (
          <Text size="sm">
            {job.status === 'queued'
              ? `This ${kindLabel(job.kind).toLowerCase()} job has not started; it will not run.`
              : `This ${kindLabel(job.kind).toLowerCase()} job stops at its next step and keeps what it saved.`}
          </Text>
        ),
        labels: { confirm: 'Cancel job', cancel: 'Keep running' },
        confirmProps: { color: 'red' },
        onConfirm: () =>
          mutate(job.id, {
            onError: (error) => {
              notifications.show({
                color: 'red',
                title: `Could not cancel job #${job.id}`,
                message: errorMessage(error),
                autoClose: false,
              });
            },
          }),
      }),
    [mutate],
  );
}
