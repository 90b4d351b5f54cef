import { Box, Text } from '@mantine/core';
import { type ReactNode, useRef } from 'react';
import { ErrorAlert } from '../../components/ErrorAlert';
import type { ShownMessage } from './conversation';
import { MessageBubble, type ReplyDetails } from './MessageBubble';
import { isStreaming, type LiveReply } from './useReplyStreams';
import { useStickToBottom } from './useStickToBottom';

export interface ListedMessage extends ShownMessage {
  key: string | number;
  details: ReplyDetails | null;
}

interface MessageListProps {
  label: string;
  messages: readonly ListedMessage[];
  /** The reply streaming in (or failed) after the messages. */
  live: LiveReply | undefined;
  /** What wrote the live reply, shown under it once done. */
  liveWriter: string | null;
  /** Shown when there is nothing yet: what to do first. */
  empty: ReactNode;
  className: string;
}

/** A conversation, kept scrolled to its end while a reply streams in. */
export function MessageList({ label, messages, live, liveWriter, empty, className }: MessageListProps) {
  const box = useRef<HTMLDivElement>(null);
  useStickToBottom(box, `${messages.length}:${live?.phase}:${live?.text.length}`);
  const streaming = isStreaming(live);
  const showLiveText = live !== undefined && (streaming || live.phase === 'done' || live.text !== '');
  return (
    // Focusable, so the conversation scrolls from the keyboard too.
    <Box ref={box} className={`chat-scroll ${className}`} tabIndex={0} role="region" aria-label={label}>
      {messages.length === 0 && !live ? (
        <Text size="sm" c="dimmed" ta="center" py="xl">
          {empty}
        </Text>
      ) : (
        <ol className="chat-messages">
          {messages.map((message) => (
            <MessageBubble key={message.key} role={message.role} content={message.content} details={message.details} />
          ))}
          {showLiveText ? (
            <MessageBubble
              role="assistant"
              content={live.text}
              streaming={streaming}
              details={
                live.outcome
                  ? {
                      writer: liveWriter,
                      finishReason: live.outcome.finishReason,
                      completionTokens: live.outcome.usage?.completion_tokens ?? null,
                    }
                  : null
              }
            />
          ) : null}
        </ol>
      )}
      {live?.phase === 'failed' ? (
        <Box mt="sm">
          <ErrorAlert title="The model could not answer" error={live.error} />
        </Box>
      ) : null}
    </Box>
  );
}
