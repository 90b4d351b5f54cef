import { ActionIcon, Group, Stack, Text, TextInput, Tooltip } from '@mantine/core';
import { IconPencil, IconTrash } from '@tabler/icons-react';
import { type FormEvent, type KeyboardEvent, useState } from 'react';
import type { ChatThreadOut } from '../../api/types.gen';
import { formatRelativeTime } from '../../components/format';
import { AnchorLink } from '../../components/RouterLinks';
import { errorMessage } from '../../lib/apiError';
import { threadTitle } from './conversation';
import { useUpdateThread } from './queries';

interface ThreadListItemProps {
  thread: ChatThreadOut;
  active: boolean;
  onDelete: (thread: ChatThreadOut) => void;
}

function RenameForm({ thread, onDone }: { thread: ChatThreadOut; onDone: () => void }) {
  const [title, setTitle] = useState(thread.title);
  const rename = useUpdateThread();
  const save = () => {
    if (title.trim() === thread.title) onDone();
    else if (!rename.isPending) rename.mutate({ id: thread.id, changes: { title: title.trim() } }, { onSuccess: onDone });
  };
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    save();
  };
  const onKeyDown = (event: KeyboardEvent<HTMLInputElement>) => {
    if (event.key === 'Escape') onDone();
  };
  return (
    <form onSubmit={submit}>
      <TextInput
        size="xs"
        label={`New title of “${threadTitle(thread.title)}”`}
        description="Enter saves, Escape cancels."
        value={title}
        onChange={(event) => setTitle(event.currentTarget.value)}
        onKeyDown={onKeyDown}
        onBlur={save}
        maxLength={200}
        error={rename.error ? errorMessage(rename.error) : null}
        autoFocus
      />
    </form>
  );
}

/** A thread in the list: its title (a link to it), its model and age, and buttons to rename or
 * delete it. */
export function ThreadListItem({ thread, active, onDelete }: ThreadListItemProps) {
  const [renaming, setRenaming] = useState(false);
  const title = threadTitle(thread.title);
  if (renaming) return <RenameForm thread={thread} onDone={() => setRenaming(false)} />;
  return (
    <Group gap={4} wrap="nowrap" className="chat-thread-item" data-active={active || undefined}>
      <AnchorLink
        to="/chat/$threadId"
        params={{ threadId: thread.id }}
        aria-current={active ? 'page' : undefined}
        underline="never"
        c="inherit"
        px="xs"
        py={6}
        style={{ flex: 1, minWidth: 0 }}
      >
        <Stack gap={0}>
          <Text size="sm" fw={active ? 600 : 400} truncate="end">
            {title}
          </Text>
          <Text size="xs" c="dimmed" truncate="end">
            {[thread.adapter ?? thread.model, formatRelativeTime(thread.updated_at)].filter(Boolean).join(' · ')}
          </Text>
        </Stack>
      </AnchorLink>
      <Tooltip label="Rename">
        <ActionIcon variant="subtle" color="gray" size="sm" onClick={() => setRenaming(true)} aria-label={`Rename “${title}”`}>
          <IconPencil size={14} aria-hidden />
        </ActionIcon>
      </Tooltip>
      <Tooltip label="Delete">
        <ActionIcon variant="subtle" color="red" size="sm" onClick={() => onDelete(thread)} aria-label={`Delete “${title}”`}>
          <IconTrash size={14} aria-hidden />
        </ActionIcon>
      </Tooltip>
    </Group>
  );
}
