import { Button, Group, Modal, Text } from '@mantine/core';
import { useBlocker } from '@tanstack/react-router';
import type { EditorState, EditorStore } from './store';

/** Whether leaving would lose work: a saved recipe with changes, or a new one edited at all. */
export function hasUnsavedWork(state: Pick<EditorState, 'saved' | 'dirty' | 'past'>): boolean {
  return state.saved ? state.dirty : state.past.length > 0;
}

/** Asks before leaving the editor (another page, a reload, closing the tab) with unsaved work. */
export function UnsavedChangesGuard({ store }: { store: EditorStore }) {
  const blocker = useBlocker({
    // Another address (on /recipes/new, another template too) replaces the canvas.
    shouldBlockFn: ({ current, next }) =>
      (current.pathname !== next.pathname || JSON.stringify(current.search) !== JSON.stringify(next.search)) &&
      hasUnsavedWork(store.getState()),
    enableBeforeUnload: () => hasUnsavedWork(store.getState()),
    withResolver: true,
  });
  return (
    <Modal opened={blocker.status === 'blocked'} onClose={() => blocker.reset?.()} title="Leave without saving?" centered>
      <Text size="sm">This recipe has changes that are not saved. Leaving the editor drops them.</Text>
      <Group justify="flex-end" mt="md" gap="xs">
        <Button variant="default" onClick={() => blocker.reset?.()} data-autofocus>
          Stay
        </Button>
        <Button color="red" onClick={() => blocker.proceed?.()}>
          Leave without saving
        </Button>
      </Group>
    </Modal>
  );
}
