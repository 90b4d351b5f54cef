import { Anchor, Text } from '@mantine/core';
import { useState } from 'react';
import type { ChatMessage } from './rowShapes';
import './datasets.css';

/** Longer messages show their start and a button to show the rest. */
export const CLAMP_CHARS = 1500;

const ROLE_LABELS: Record<string, string> = {
  system: 'System',
  user: 'User',
  assistant: 'Assistant',
  tool: 'Tool',
};

export function roleLabel(role: string): string {
  return ROLE_LABELS[role] ?? role;
}

function MessageContent({ content }: { content: string }) {
  const [expanded, setExpanded] = useState(false);
  const long = content.length > CLAMP_CHARS;
  const shown = long && !expanded ? `${content.slice(0, CLAMP_CHARS)}…` : content;
  return (
    <>
      {/* Plain text, exactly as stored: no markdown, whitespace and line breaks kept. */}
      <p className="chat-content">{shown === '' ? <Text span c="dimmed" fs="italic" size="sm">(empty)</Text> : shown}</p>
      {long ? (
        <Anchor component="button" type="button" size="xs" onClick={() => setExpanded((open) => !open)} aria-expanded={expanded}>
          {expanded ? 'Show less' : `Show all ${content.length.toLocaleString('en-US')} characters`}
        </Anchor>
      ) : null}
    </>
  );
}

/** A conversation as chat bubbles: system notes across the width, the user's turns on the right,
 * the assistant's on the left, tool output in monospace; each labelled with its role. */
export function ChatBubbles({ messages, label }: { messages: ChatMessage[]; label: string }) {
  if (messages.length === 0) {
    return (
      <Text size="sm" c="dimmed" fs="italic">
        No messages.
      </Text>
    );
  }
  return (
    <ol className="chat" aria-label={label}>
      {messages.map((message, index) => (
        // Messages have no ids; their order is fixed, so the index is a stable key.
        <li key={index} className="chat-message" data-role={message.role} data-testid="chat-message">
          <div className="chat-role">{roleLabel(message.role)}</div>
          <MessageContent content={message.content} />
        </li>
      ))}
    </ol>
  );
}
