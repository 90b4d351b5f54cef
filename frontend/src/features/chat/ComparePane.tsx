import { ActionIcon, Badge, Card, Group, Stack, Tooltip } from '@mantine/core';
import { IconX } from '@tabler/icons-react';
import { errorField, errorMessage } from '../../lib/apiError';
import { type ListedMessage, MessageList } from './MessageList';
import { ModelPicker } from './ModelPicker';
import { type ChatTarget, targetName } from './targets';
import type { CompareTurn, Pane } from './useCompareChat';
import { isStreaming, type LiveReply } from './useReplyStreams';

interface ComparePaneProps {
  pane: Pane;
  /** 1-based, for labels. */
  position: number;
  turns: readonly CompareTurn[];
  live: LiveReply | undefined;
  canRemove: boolean;
  onTargetChange: (target: ChatTarget) => void;
  onRemove: () => void;
}

function messagesOf(turns: readonly CompareTurn[], paneId: string): ListedMessage[] {
  return turns.flatMap((turn, index): ListedMessage[] => {
    const user: ListedMessage = { key: `${index}-user`, role: 'user', content: turn.user, details: null };
    const reply = turn.replies[paneId];
    if (!reply) return [user];
    return [
      user,
      {
        key: `${index}-reply`,
        role: 'assistant',
        content: reply.text,
        details: {
          writer: reply.writer,
          finishReason: reply.finishReason,
          completionTokens: reply.usage?.completion_tokens ?? null,
        },
      },
    ];
  });
}

function PaneStatus({ live }: { live: LiveReply | undefined }) {
  if (isStreaming(live)) return <Badge variant="light">Writing</Badge>;
  if (live?.phase === 'failed') return <Badge color="red" variant="light">Failed</Badge>;
  return null;
}

/** One model's side of a comparison: its picker, and the conversation as it answers it. */
export function ComparePane({ pane, position, turns, live, canRemove, onTargetChange, onRemove }: ComparePaneProps) {
  const name = pane.target ? targetName(pane.target) : `pane ${position}`;
  const field = errorField(live?.error);
  const refusedModel = field === 'model' || field === 'adapter';
  return (
    <Card withBorder radius="md" padding="sm" component="section" aria-label={`Pane ${position}: ${name}`}>
      <Stack gap="sm">
        <Group align="flex-end" gap="xs" wrap="nowrap">
          <div style={{ flex: 1, minWidth: 0 }}>
            <ModelPicker
              label={`Model ${position}`}
              value={pane.target}
              onChange={onTargetChange}
              disabled={isStreaming(live)}
              error={refusedModel ? errorMessage(live?.error) : null}
            />
          </div>
          <PaneStatus live={live} />
          <Tooltip label={canRemove ? 'Remove this pane' : 'Compare needs at least two panes'}>
            <ActionIcon
              variant="subtle"
              color="gray"
              size="lg"
              onClick={onRemove}
              disabled={!canRemove}
              aria-label={`Remove pane ${position}`}
            >
              <IconX size={16} aria-hidden />
            </ActionIcon>
          </Tooltip>
        </Group>
        <MessageList
          label={`Conversation with ${name}`}
          className="chat-pane-scroll"
          messages={messagesOf(turns, pane.id)}
          live={live}
          liveWriter={pane.target ? targetName(pane.target) : null}
          empty={pane.target ? 'Replies appear here.' : 'Choose a model for this pane.'}
        />
      </Stack>
    </Card>
  );
}
