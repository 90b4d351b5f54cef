import { Button, Card, Group, Stack, Text, Title } from '@mantine/core';
import { IconPlus } from '@tabler/icons-react';
import { useNavigate } from '@tanstack/react-router';
import { useCallback } from 'react';
import type { ChatThreadOut } from '../../api/types.gen';
import { ErrorAlert } from '../../components/ErrorAlert';
import { LoadingState } from '../../components/LoadingState';
import { useThreadList } from './queries';
import { ThreadListItem } from './ThreadListItem';
import { useConfirmDeleteThread } from './useConfirmDeleteThread';
import { useStartChat } from './useStartChat';

function Threads({ activeId }: { activeId: number | undefined }) {
  const threads = useThreadList();
  const navigate = useNavigate();
  const confirmDelete = useConfirmDeleteThread(
    useCallback(
      (thread: ChatThreadOut) => {
        if (thread.id === activeId) void navigate({ to: '/chat' });
      },
      [activeId, navigate],
    ),
  );

  if (threads.isPending) return <LoadingState label="Loading chats…" />;
  if (threads.isError) {
    return <ErrorAlert title="Could not load chats" error={threads.error} onRetry={() => void threads.refetch()} />;
  }
  if (threads.data.length === 0) {
    return (
      <Text size="sm" c="dimmed" role="status">
        No chats yet. Start one with New chat; each keeps its model, system prompt and sampling.
      </Text>
    );
  }
  return (
    <Stack gap={2}>
      <Stack gap={2} component="ul" style={{ listStyle: 'none', margin: 0, padding: 0 }}>
        {threads.data.map((thread) => (
          <li key={thread.id}>
            <ThreadListItem thread={thread} active={thread.id === activeId} onDelete={confirmDelete} />
          </li>
        ))}
      </Stack>
      {threads.hasNextPage ? (
        <Button variant="subtle" size="xs" onClick={() => void threads.fetchNextPage()} loading={threads.isFetchingNextPage}>
          Load more
        </Button>
      ) : null}
    </Stack>
  );
}

/** The chats, newest first, with New chat on top. */
export function ThreadList({ activeId }: { activeId: number | undefined }) {
  const startChat = useStartChat();
  return (
    <Card withBorder radius="md" padding="sm" component="nav" aria-labelledby="chat-threads-title">
      <Stack gap="sm">
        <Group justify="space-between" wrap="nowrap">
          <Title order={2} size="h5" id="chat-threads-title">
            Chats
          </Title>
          <Button size="xs" leftSection={<IconPlus size={14} aria-hidden />} onClick={startChat.start} loading={startChat.pending}>
            New chat
          </Button>
        </Group>
        {startChat.error ? <ErrorAlert title="Could not start a chat" error={startChat.error} /> : null}
        <Threads activeId={activeId} />
      </Stack>
    </Card>
  );
}
