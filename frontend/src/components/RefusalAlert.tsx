import { Alert, List } from '@mantine/core';
import { IconAlertTriangle } from '@tabler/icons-react';

interface RefusalAlertProps {
  /** What was refused, e.g. "The server refused this config". */
  title: string;
  /** The server's messages that name no field of the form (those show under their field). */
  messages: readonly string[];
}

/** A form's refusal by the server, for the problems no field of the form can show; nothing when
 * there are none. */
export function RefusalAlert({ title, messages }: RefusalAlertProps) {
  if (messages.length === 0) return null;
  return (
    <Alert color="red" variant="light" icon={<IconAlertTriangle aria-hidden />} title={title} role="alert">
      <List size="sm" spacing={2}>
        {messages.map((message) => (
          <List.Item key={message}>{message}</List.Item>
        ))}
      </List>
    </Alert>
  );
}
