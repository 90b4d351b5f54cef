import { Text } from '@mantine/core';
import { modals } from '@mantine/modals';
import { notifications } from '@mantine/notifications';
import { useCallback } from 'react';
import type { JobOut } from '../../api/types.gen';
import { errorMessage } from '../../lib/apiError';
import { useCancelJob } from './queries';
import { kindLabel } from './status';

/** What the confirmation says; a view with its own word for cancelling (a run is stopped) passes its own. */
export interface CancelWording {
  title: string;
  body: string;
  confirm: string;
  keep: string;
  failure: string;
}

function jobWording(job: JobOut): CancelWording {
  const kind = kindLabel(job.kind).toLowerCase();
  return {
    title: `Cancel job #${job.id}?`,
    body:
      job.status === 'queued'
        ? `This ${kind} job has not started; it will not run.`
        : `This ${kind} job stops at its next step and keeps what it saved.`,
    confirm: 'Cancel job',
    keep: 'Keep running',
    failure: `Could not cancel job #${job.id}`,
  };
}

/** Returns a function that asks before cancelling a job, then cancels it and reports back. */
export function useConfirmCancel(wording: (job: JobOut) => CancelWording = jobWording) {
  const { mutate } = useCancelJob();

  return useCallback(
    (job: JobOut) => {
      const words = wording(job);
      modals.openConfirmModal({
        title: words.title,
        children: <Text size="sm">{words.body}</Text>,
        labels: { confirm: words.confirm, cancel: words.keep },
        confirmProps: { color: 'red' },
        onConfirm: () =>
          mutate(job.id, {
            onError: (error) => {
              notifications.show({ color: 'red', title: words.failure, message: errorMessage(error), autoClose: false });
            },
          }),
      });
    },
    [mutate, wording],
  );
}
