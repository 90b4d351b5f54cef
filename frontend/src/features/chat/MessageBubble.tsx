import { ActionIcon, CopyButton, Group, Loader, Text, Tooltip } from '@mantine/core';
import { IconCheck, IconCopy } from '@tabler/icons-react';
import { roleLabel } from '../datasets/ChatBubbles';
import type { ChatRole } from './conversation';
import { Markdown } from './Markdown';

/** Who wrote a reply and how it ended. */
export interface ReplyDetails {
  writer: string | null;
  finishReason: string | null;
  completionTokens: number | null;
}

const ENDINGS: Record<string, string> = {
  length: 'cut at the token limit',
  cancelled: 'stopped',
};

function detailsText({ writer, finishReason, completionTokens }: ReplyDetails): string {
  const parts = [
    writer,
    completionTokens === null ? null : `${completionTokens} ${completionTokens === 1 ? 'token' : 'tokens'}`,
    finishReason ? ENDINGS[finishReason] : undefined,
  ];
  return parts.filter(Boolean).join(' · ');
}

interface MessageBubbleProps {
  role: ChatRole;
  content: string;
  details?: ReplyDetails | null;
  /** The reply is still coming in: a cursor after its text, or a loader before the first token. */
  streaming?: boolean;
}

/** One message: the user's as written, the assistant's as markdown with code blocks. */
export function MessageBubble({ role, content, details = null, streaming = false }: MessageBubbleProps) {
  const assistant = role === 'assistant';
  const meta = details ? detailsText(details) : '';
  return (
    <li
      className="chat-bubble"
      data-role={role}
      data-testid={streaming ? 'chat-live-reply' : 'chat-message'}
      aria-busy={streaming || undefined}
    >
      <Group justify="space-between" gap="xs" wrap="nowrap" mb={4}>
        <Text size="xs" fw={600} c="dimmed">
          {roleLabel(role)}
        </Text>
        {assistant && !streaming && content ? (
          <CopyButton value={content} timeout={1500}>
            {({ copied, copy }) => (
              <Tooltip label={copied ? 'Copied' : 'Copy reply'} withArrow>
                <ActionIcon variant="subtle" color="gray" size="sm" onClick={copy} aria-label="Copy reply">
                  {copied ? <IconCheck size={14} aria-hidden /> : <IconCopy size={14} aria-hidden />}
                </ActionIcon>
              </Tooltip>
            )}
          </CopyButton>
        ) : null}
      </Group>
      {streaming && content === '' ? (
        <Group gap="xs">
          <Loader size="xs" type="dots" aria-hidden />
          <Text size="sm" c="dimmed">
            Waiting for the model…
          </Text>
        </Group>
      ) : assistant ? (
        <div className={streaming ? 'chat-cursor' : undefined}>
          {content === '' ? (
            <Text size="sm" c="dimmed" fs="italic">
              (empty reply)
            </Text>
          ) : (
            <Markdown text={content} />
          )}
        </div>
      ) : (
        <p className="chat-plain">{content}</p>
      )}
      {meta ? (
        <Text size="xs" c="dimmed" mt={4}>
          {meta}
        </Text>
      ) : null}
    </li>
  );
}
