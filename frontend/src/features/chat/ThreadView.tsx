import { Card, Grid, Group, Stack, Text, Title } from '@mantine/core';
import { IconMessageOff } from '@tabler/icons-react';
import type { ChatMessageOut, ChatThreadOut } from '../../api/types.gen';
import { EmptyState } from '../../components/EmptyState';
import { ErrorAlert } from '../../components/ErrorAlert';
import { LoadingState } from '../../components/LoadingState';
import { ButtonLink } from '../../components/RouterLinks';
import { ApiError, errorField, errorMessage } from '../../lib/apiError';
import { Composer } from './Composer';
import { threadTitle } from './conversation';
import { ConversationSettings } from './ConversationSettings';
import { type ListedMessage, MessageList } from './MessageList';
import { ModelPicker } from './ModelPicker';
import { useThread, useThreadMessages } from './queries';
import { isSamplingField } from './sampling';
import { modelNamesParam, targetName } from './targets';
import { useThreadChat } from './useThreadChat';
import { useThreadSettings } from './useThreadSettings';

function listed(message: ChatMessageOut): ListedMessage {
  return {
    key: message.id,
    role: message.role,
    content: message.content,
    details:
      message.role === 'assistant'
        ? {
            writer: message.adapter ?? message.model,
            finishReason: message.finish_reason,
            completionTokens: message.completion_tokens,
          }
        : null,
  };
}

/** The field an error names, with its message, for the control that shows it. */
function problemOf(error: unknown): { field: string; message: string } | null {
  const field = errorField(error);
  return field ? { field, message: errorMessage(error) } : null;
}

function Conversation({ thread, messages }: { thread: ChatThreadOut; messages: ChatMessageOut[] }) {
  const { settings, change, flush, saveError } = useThreadSettings(thread);
  const chat = useThreadChat(thread.id, thread.title, settings, flush);
  const { live, turn } = chat;

  const savedShown = turn.savedId !== null && messages.some((message) => message.id === turn.savedId);
  const shown = messages.filter((message) => message.id !== turn.replacing).map(listed);
  const problem = problemOf(live?.error) ?? problemOf(saveError);
  const samplingProblems = problem && isSamplingField(problem.field) ? { [problem.field]: problem.message } : {};
  const target = settings.target;

  return (
    <>
      <Grid.Col span={{ base: 12, md: 6 }}>
        <Card withBorder radius="md" padding="sm" component="section" aria-labelledby="chat-thread-title">
          <Stack gap="sm">
            <Title order={2} size="h4" id="chat-thread-title" lineClamp={1}>
              {threadTitle(thread.title)}
            </Title>
            <MessageList
              label="Conversation"
              className="chat-thread-scroll"
              messages={shown}
              live={savedShown ? undefined : live}
              liveWriter={chat.writer}
              empty="No messages yet. Write one below; the reply streams in as the model writes it."
            />
            {chat.saveError ? <ErrorAlert title="Could not save the conversation" error={chat.saveError} /> : null}
            <Composer
              onSend={chat.send}
              onStop={chat.stop}
              onRegenerate={chat.regenerate}
              streaming={chat.streaming}
              busy={chat.saving}
              canRegenerate={messages.length > 0}
              blocked={target ? null : 'Choose a model first.'}
            />
          </Stack>
        </Card>
      </Grid.Col>
      <Grid.Col span={{ base: 12, md: 3 }}>
        <Card withBorder radius="md" padding="sm" component="section" aria-labelledby="chat-settings-title">
          <Stack gap="sm">
            <Title order={2} size="h5" id="chat-settings-title">
              Settings
            </Title>
            <ModelPicker
              label="Model"
              value={target}
              onChange={(next) => change({ target: next })}
              error={problem && (problem.field === 'model' || problem.field === 'adapter') ? problem.message : null}
            />
            {target?.adapter ? (
              <Group gap={4}>
                <Text size="xs" c="dimmed">
                  An adapter on {target.model}.
                </Text>
                <ButtonLink
                  to="/chat/compare"
                  search={{ models: modelNamesParam([target.model, targetName(target)]) }}
                  variant="subtle"
                  size="compact-xs"
                >
                  Compare with the base model
                </ButtonLink>
              </Group>
            ) : null}
            <ConversationSettings
              systemPrompt={settings.systemPrompt}
              onSystemPromptChange={(systemPrompt) => change({ systemPrompt })}
              sampling={settings.sampling}
              onSamplingChange={(sampling) => change({ sampling })}
              problems={samplingProblems}
            />
            {saveError && !problem ? <ErrorAlert title="Could not save the settings" error={saveError} /> : null}
          </Stack>
        </Card>
      </Grid.Col>
    </>
  );
}

/** One stored thread: its conversation in the middle, its settings on the right. */
export function ThreadView({ threadId }: { threadId: number }) {
  const thread = useThread(threadId);
  const messages = useThreadMessages(threadId);
  const missing =
    !Number.isInteger(threadId) || (thread.error instanceof ApiError && thread.error.status === 404);

  if (missing) {
    return (
      <Grid.Col span={{ base: 12, md: 9 }}>
        <EmptyState
          icon={<IconMessageOff size={26} />}
          title="No such chat"
          action={
            <ButtonLink to="/chat" variant="light">
              Back to the chats
            </ButtonLink>
          }
        >
          Chat {Number.isInteger(threadId) ? `#${threadId}` : ''} does not exist; it may have been deleted. Pick another
          one from the list or start a new chat.
        </EmptyState>
      </Grid.Col>
    );
  }
  const error = thread.error ?? messages.error;
  return (
    <>
      {error ? (
        <Grid.Col span={{ base: 12, md: 9 }}>
          <ErrorAlert
            title="Could not load this chat"
            error={error}
            onRetry={() => {
              void thread.refetch();
              void messages.refetch();
            }}
          />
        </Grid.Col>
      ) : thread.data && messages.data ? (
        <Conversation thread={thread.data} messages={messages.data} />
      ) : (
        <Grid.Col span={{ base: 12, md: 9 }}>
          <LoadingState label="Loading the chat…" />
        </Grid.Col>
      )}
    </>
  );
}
