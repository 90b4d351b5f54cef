import { Badge, Group, SegmentedControl, Stack, Table, Text } from '@mantine/core';
import { useState } from 'react';
import type { ColumnInfo, PortPreview } from '../../../api/types.gen';
import { formatInteger } from '../../../components/format';
import { ChatBubbles } from '../../datasets/ChatBubbles';
import { DatasetRowView } from '../../datasets/DatasetRowView';
import { asMessages, asPreference, cellText } from '../../datasets/rowShapes';
import './preview.css';

/** Longest text of a table cell before it is cut (the rows view shows all of it). */
const CELL_CHARS = 240;

/** One preview row the way the dataset viewer shows rows: conversations as chat bubbles, a
 * preference pair side by side, and the other columns as name and value. */
export function PreviewRow({ row, columns }: { row: Record<string, unknown>; columns: readonly ColumnInfo[] }) {
  const shown = new Set<string>();
  const parts = [];
  if (asPreference(row)) {
    shown.add('prompt').add('chosen').add('rejected');
    parts.push(<DatasetRowView key="preference" row={row} format="preference" />);
  }
  const conversations = columns.filter((column) => column.type === 'messages' && !shown.has(column.name));
  for (const column of conversations) {
    const messages = asMessages(row[column.name]);
    if (!messages) continue;
    shown.add(column.name);
    parts.push(
      <Stack key={`chat-${column.name}`} gap={4}>
        {conversations.length > 1 || column.name !== 'messages' ? (
          <Text size="xs" fw={600} c="dimmed">
            {column.name}
          </Text>
        ) : null}
        <ChatBubbles messages={messages} label={column.name === 'messages' ? 'Conversation' : column.name} />
      </Stack>,
    );
  }
  const rest = Object.fromEntries(Object.entries(row).filter(([name]) => !shown.has(name)));
  if (Object.keys(rest).length > 0 || parts.length === 0) {
    parts.push(<DatasetRowView key="columns" row={rest} format="table" />);
  }
  return <Stack gap="xs">{parts}</Stack>;
}

function cut(text: string): string {
  return text.length > CELL_CHARS ? `${text.slice(0, CELL_CHARS)}…` : text;
}

function cellOf(value: unknown, type: string): string {
  const messages = type === 'messages' ? asMessages(value) : null;
  if (messages) {
    const turns = `${messages.length} ${messages.length === 1 ? 'turn' : 'turns'}`;
    return messages.length > 0 ? `${turns}: ${messages.map((message) => `${message.role}: ${message.content}`).join(' · ')}` : turns;
  }
  return cellText(value);
}

function RowsTable({ port }: { port: PortPreview }) {
  return (
    <div className="preview-table-scroll">
      <Table striped highlightOnHover withTableBorder fz="xs" stickyHeader aria-label="Preview rows as a table">
        <Table.Thead>
          <Table.Tr>
            <Table.Th scope="col">#</Table.Th>
            {port.columns.map((column) => (
              <Table.Th key={column.name} scope="col">
                {column.name}
              </Table.Th>
            ))}
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {port.rows.map((row, index) => (
            // Preview rows have no ids and never reorder: the position is the key.
            <Table.Tr key={index}>
              <Table.Td c="dimmed">{index + 1}</Table.Td>
              {port.columns.map((column) => (
                <Table.Td key={column.name} className="preview-cell">
                  {cut(cellOf(row[column.name], column.type))}
                </Table.Td>
              ))}
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </div>
  );
}

/** The rows of one output port: its columns (name and type), then the rows, as cards (chat
 * bubbles) or as a table. */
export function PortRows({ port, label }: { port: PortPreview; label: string }) {
  const [layout, setLayout] = useState<'rows' | 'table'>('rows');
  return (
    <Stack gap="xs">
      <Group justify="space-between" gap="xs" wrap="wrap">
        <Group gap={4} wrap="wrap" aria-label={`Columns of ${label}`} role="list">
          {port.columns.length === 0 ? (
            <Text size="xs" c="dimmed">
              No columns.
            </Text>
          ) : null}
          {port.columns.map((column) => (
            <Badge key={column.name} variant="light" color="gray" size="sm" tt="none" role="listitem" data-testid="preview-column">
              {column.name}
              <Text span size="xs" c="dimmed" ml={4}>
                {column.type}
              </Text>
            </Badge>
          ))}
        </Group>
        <SegmentedControl
          size="xs"
          value={layout}
          onChange={(value) => setLayout(value === 'table' ? 'table' : 'rows')}
          data={[
            { value: 'rows', label: 'Rows' },
            { value: 'table', label: 'Table' },
          ]}
          aria-label="Show the rows as"
        />
      </Group>
      {port.rows.length === 0 ? (
        <Text size="sm" c="dimmed" role="status">
          No rows came out of {label}: an upstream filter may drop them all, or a source is empty.
        </Text>
      ) : layout === 'table' ? (
        <RowsTable port={port} />
      ) : (
        <Stack gap={0} className="preview-rows" role="list" aria-label={`Rows of ${label}`}>
          {port.rows.map((row, index) => (
            // Preview rows have no ids and never reorder: the position is the key.
            <article key={index} className="preview-row" role="listitem" aria-label={`Row ${index + 1}`} data-testid="preview-row">
              <Text size="xs" c="dimmed" fw={600} mb={4}>
                Row {formatInteger(index + 1)}
              </Text>
              <PreviewRow row={row} columns={port.columns} />
            </article>
          ))}
        </Stack>
      )}
    </Stack>
  );
}
