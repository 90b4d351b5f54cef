import { Button, Group, Text, Textarea } from '@mantine/core';
import { IconPlayerStopFilled, IconRefresh, IconSend } from '@tabler/icons-react';
import { type FormEvent, type KeyboardEvent, useState } from 'react';

interface ComposerProps {
  /** Sends the message; the box empties at once. */
  onSend: (text: string) => void;
  onStop: () => void;
  onRegenerate: () => void;
  /** A reply is being written: Stop instead of Send. */
  streaming: boolean;
  /** Something else is under way (a message being stored): nothing new starts. */
  busy: boolean;
  canRegenerate: boolean;
  /** Why nothing can be sent yet (no model chosen), shown under the box; null when it can. */
  blocked: string | null;
}

/** The message box: Enter sends, Shift+Enter starts a new line. */
export function Composer({ onSend, onStop, onRegenerate, streaming, busy, canRegenerate, blocked }: ComposerProps) {
  const [text, setText] = useState('');
  const canSend = !streaming && !busy && blocked === null && text.trim() !== '';

  const send = () => {
    if (!canSend) return;
    onSend(text);
    setText('');
  };
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    send();
  };
  const onKeyDown = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    // Enter while an input method composes a character confirms the character, not the message.
    if (event.key !== 'Enter' || event.shiftKey || event.nativeEvent.isComposing) return;
    event.preventDefault();
    send();
  };

  return (
    <form onSubmit={submit} aria-label="Send a message">
      <Textarea
        label="Message"
        description={`${blocked ? `${blocked} ` : ''}Enter sends; Shift+Enter starts a new line.`}
        placeholder="Ask something…"
        value={text}
        onChange={(event) => setText(event.currentTarget.value)}
        onKeyDown={onKeyDown}
        autosize
        minRows={2}
        maxRows={8}
      />
      <Group justify="space-between" mt="xs">
        <Button
          variant="default"
          leftSection={<IconRefresh size={16} aria-hidden />}
          onClick={onRegenerate}
          disabled={!canRegenerate || streaming || busy || blocked !== null}
        >
          Regenerate
        </Button>
        {streaming ? (
          <Button color="red" variant="light" leftSection={<IconPlayerStopFilled size={16} aria-hidden />} onClick={onStop}>
            Stop
          </Button>
        ) : (
          <Button type="submit" leftSection={<IconSend size={16} aria-hidden />} disabled={!canSend} loading={busy}>
            Send
          </Button>
        )}
      </Group>
      {streaming ? (
        <Text size="xs" c="dimmed" mt={4} role="status">
          Writing a reply…
        </Text>
      ) : null}
    </form>
  );
}
