import { Text } from '@mantine/core';
import { modals } from '@mantine/modals';
import { notifications } from '@mantine/notifications';
import { useCallback } from 'react';
import type { ModelOut } from '../../api/types.gen';
import { errorMessage } from '../../lib/apiError';
import { useDeleteModel } from './queries';

/** Returns a function that asks before deleting a model, then deletes it and reports back. */
export function useConfirmDelete(onDeleted?: (model: ModelOut) => void) {
  const { mutate } = useDeleteModel();

  return useCallback(
    (model: ModelOut) =>
      modals.openConfirmModal({
        title: `Delete ${model.name}?`,
        children: (
          <Text size="sm">
            This removes <b>{model.name}</b> from the registry and deletes its files under LATHE_HOME. It
            cannot be undone.
          </Text>
        ),
        labels: { confirm: 'Delete', cancel: 'Cancel' },
        confirmProps: { color: 'red' },
        onConfirm: () =>
          mutate(model.id, {
            onSuccess: () => {
              notifications.show({ color: 'teal', title: 'Model deleted', message: `${model.name} was deleted.` });
              onDeleted?.(model);
            },
            onError: (error) => {
              notifications.show({
                color: 'red',
                title: `Could not delete ${model.name}`,
                message: errorMessage(error),
                autoClose: false,
              });
            },
          }),
      }),
    [mutate, onDeleted],
  );
}
