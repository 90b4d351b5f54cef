import { Text } from '@mantine/core';
import { modals } from '@mantine/modals';
import { notifications } from '@mantine/notifications';
import { useCallback } from 'react';
import type { ExportOut } from '../../api/types.gen';
import { errorMessage } from '../../lib/apiError';
import { useDeleteExport } from './queries';

/** Returns a function that asks before deleting an export, then deletes it and reports back. */
export function useConfirmDeleteExport(onDeleted?: (item: ExportOut) => void) {
  const { mutate } = useDeleteExport();

  return useCallback(
    (item: ExportOut) =>
      modals.openConfirmModal({
        title: `Delete export ${item.name}?`,
        children: (
          <Text size="sm">
            This deletes the files of export #{item.id} under LATHE_HOME/exports. The adapter stays, and a model
            registered from the export keeps its own copy. It cannot be undone.
          </Text>
        ),
        labels: { confirm: 'Delete', cancel: 'Cancel' },
        confirmProps: { color: 'red' },
        onConfirm: () =>
          mutate(item.id, {
            onSuccess: () => {
              notifications.show({ color: 'teal', title: 'Export deleted', message: `Export ${item.name} was deleted.` });
              onDeleted?.(item);
            },
            onError: (error) => {
              notifications.show({
                color: 'red',
                title: `Could not delete export ${item.name}`,
                message: errorMessage(error),
                autoClose: false,
              });
            },
          }),
      }),
    [mutate, onDeleted],
  );
}
