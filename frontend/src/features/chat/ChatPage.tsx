import { Button, Grid, Stack } from '@mantine/core';
import { IconColumns, IconMessages } from '@tabler/icons-react';
import { getRouteApi } from '@tanstack/react-router';
import { EmptyState } from '../../components/EmptyState';
import { ErrorAlert } from '../../components/ErrorAlert';
import { LoadingState } from '../../components/LoadingState';
import { PageHeader } from '../../components/PageHeader';
import { ButtonLink } from '../../components/RouterLinks';
import { NoModelsHint } from './ModelPicker';
import { useChatModels } from './queries';
import { ThreadList } from './ThreadList';
import { ThreadView } from './ThreadView';
import { useStartChat } from './useStartChat';

const threadRoute = getRouteApi('/chat/$threadId');

/** Shown beside the list before a chat is opened: start one, or first get a model. */
function NoThreadOpen() {
  const models = useChatModels();
  const startChat = useStartChat();
  if (models.isPending) return <LoadingState label="Loading models…" />;
  if (models.isError) {
    return <ErrorAlert title="Could not list the models" error={models.error} onRetry={() => void models.refetch()} />;
  }
  if (models.data.length === 0) {
    return (
      <EmptyState icon={<IconMessages size={26} />} title="No models to chat with">
        <NoModelsHint />
      </EmptyState>
    );
  }
  return (
    <EmptyState
      icon={<IconMessages size={26} />}
      title="Pick a chat or start a new one"
      action={
        <Button onClick={startChat.start} loading={startChat.pending}>
          New chat
        </Button>
      }
    >
      Chat with a base model or one of your adapters. Replies stream in from the OpenAI-compatible /v1 API, so what you
      see here is what any OpenAI client gets.
    </EmptyState>
  );
}

function ChatLayout({ threadId }: { threadId: number | undefined }) {
  return (
    <Stack gap="lg">
      <PageHeader
        title="Chat"
        description="Talk to a base model or an adapter with your own system prompt and sampling."
        actions={
          <ButtonLink to="/chat/compare" variant="default" leftSection={<IconColumns size={16} aria-hidden />}>
            Compare models
          </ButtonLink>
        }
      />
      <Grid gap="md">
        <Grid.Col span={{ base: 12, md: 3 }}>
          <ThreadList activeId={threadId} />
        </Grid.Col>
        {threadId === undefined ? (
          <Grid.Col span={{ base: 12, md: 9 }}>
            <NoThreadOpen />
          </Grid.Col>
        ) : (
          // A new thread starts with fresh settings and no reply in flight.
          <ThreadView key={threadId} threadId={threadId} />
        )}
      </Grid>
    </Stack>
  );
}

export function ChatPage() {
  return <ChatLayout threadId={undefined} />;
}

export function ThreadChatPage() {
  const { threadId } = threadRoute.useParams();
  return <ChatLayout threadId={threadId} />;
}
