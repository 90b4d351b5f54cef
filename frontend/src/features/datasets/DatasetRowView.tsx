import { Badge, Paper, SimpleGrid, Stack, Table, Text } from '@mantine/core';
import { ChatBubbles } from './ChatBubbles';
import type { StoredFormat } from './formats';
import { asMessages, asPreference, cellText, type PreferenceShape } from './rowShapes';
import './datasets.css';

function PreferenceView({ row }: { row: PreferenceShape }) {
  return (
    <Stack gap="xs">
      <ChatBubbles messages={row.prompt} label="Prompt" />
      <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="sm">
        <Paper withBorder p="xs" radius="md" className="preference-side" data-side="chosen" component="section" aria-label="Chosen reply">
          <Stack gap={6}>
            <Badge color="teal" variant="light" size="sm">
              Chosen
            </Badge>
            <ChatBubbles messages={row.chosen} label="Chosen" />
          </Stack>
        </Paper>
        <Paper withBorder p="xs" radius="md" className="preference-side" data-side="rejected" component="section" aria-label="Rejected reply">
          <Stack gap={6}>
            <Badge color="red" variant="light" size="sm">
              Rejected
            </Badge>
            <ChatBubbles messages={row.rejected} label="Rejected" />
          </Stack>
        </Paper>
      </SimpleGrid>
    </Stack>
  );
}

function KeyValueView({ row }: { row: Record<string, unknown> }) {
  const entries = Object.entries(row);
  if (entries.length === 0) {
    return (
      <Text size="sm" c="dimmed" fs="italic">
        An empty row.
      </Text>
    );
  }
  return (
    <Table variant="vertical" layout="fixed" withTableBorder fz="sm" aria-label="Columns of this row">
      <Table.Tbody>
        {entries.map(([key, value]) => (
          <Table.Tr key={key}>
            <Table.Th scope="row" w={180} style={{ overflowWrap: 'anywhere' }}>
              {key}
            </Table.Th>
            <Table.Td>
              <p className="row-text">{cellText(value)}</p>
            </Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}

/** One stored row in the way its format reads best: conversations as chat bubbles, preference
 * pairs as the prompt over chosen and rejected side by side, text as text, anything else as
 * its columns. A row that does not have its format's shape falls back to its columns. */
export function DatasetRowView({ row, format }: { row: Record<string, unknown>; format: StoredFormat }) {
  if (format === 'messages') {
    const messages = asMessages(row.messages);
    if (messages) return <ChatBubbles messages={messages} label="Conversation" />;
  }
  if (format === 'preference') {
    const preference = asPreference(row);
    if (preference) return <PreferenceView row={preference} />;
  }
  if (format === 'text' && typeof row.text === 'string') {
    return <p className="chat-content">{row.text}</p>;
  }
  return <KeyValueView row={row} />;
}
