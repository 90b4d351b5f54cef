import { Text } from '@mantine/core';
import { modals } from '@mantine/modals';
import { notifications } from '@mantine/notifications';
import { useCallback } from 'react';
import type { ChatThreadOut } from '../../api/types.gen';
import { errorMessage } from '../../lib/apiError';
import { threadTitle } from './conversation';
import { useDeleteThread } from './queries';

/** Returns a function that asks before deleting a thread, then deletes it and reports back. */
export function useConfirmDeleteThread(onDeleted: (thread: ChatThreadOut) => void) {
  const { mutate } = useDeleteThread();

  return useCallback(
    (thread: ChatThreadOut) => {
      const title = threadTitle(thread.title);
      modals.openConfirmModal({
        title: `Delete “${title}”?`,
        children: <Text size="sm">This deletes the thread and all of its messages. It cannot be undone.</Text>,
        labels: { confirm: 'Delete', cancel: 'Cancel' },
        confirmProps: { color: 'red' },
        onConfirm: () =>
          mutate(thread.id, {
            onSuccess: () => onDeleted(thread),
            onError: (error) =>
              notifications.show({
                color: 'red',
                title: `Could not delete “${title}”`,
                message: errorMessage(error),
                autoClose: false,
              }),
          }),
      });
    },
    [mutate, onDeleted],
  );
}
