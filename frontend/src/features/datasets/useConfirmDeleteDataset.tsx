import { Text } from '@mantine/core';
import { modals } from '@mantine/modals';
import { notifications } from '@mantine/notifications';
import { useCallback } from 'react';
import type { DatasetDetail } from '../../api/types.gen';
import { errorMessage } from '../../lib/apiError';
import { useDeleteDataset } from './queries';

/** Returns a function that asks before deleting a dataset, then deletes it and reports back. */
export function useConfirmDeleteDataset(onDeleted: (dataset: DatasetDetail) => void) {
  const { mutate } = useDeleteDataset();

  return useCallback(
    (dataset: DatasetDetail) => {
      const count = dataset.versions.length;
      modals.openConfirmModal({
        title: `Delete ${dataset.name}?`,
        children: (
          <Text size="sm">
            This deletes <b>{dataset.name}</b>
            {count ? `, its ${count} version${count === 1 ? '' : 's'} and their files` : ''} under LATHE_HOME. It
            cannot be undone.
          </Text>
        ),
        labels: { confirm: 'Delete dataset', cancel: 'Cancel' },
        confirmProps: { color: 'red' },
        onConfirm: () =>
          mutate(dataset.id, {
            onSuccess: () => {
              notifications.show({ color: 'teal', title: 'Dataset deleted', message: `${dataset.name} was deleted.` });
              onDeleted(dataset);
            },
            onError: (error) => {
              notifications.show({
                color: 'red',
                title: `Could not delete ${dataset.name}`,
                message: errorMessage(error),
                autoClose: false,
              });
            },
          }),
      });
    },
    [mutate, onDeleted],
  );
}
