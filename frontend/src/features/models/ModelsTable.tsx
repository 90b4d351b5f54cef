import { ActionIcon, Anchor, Table, Text, Tooltip, VisuallyHidden } from '@mantine/core';
import { IconTrash } from '@tabler/icons-react';
import { memo } from 'react';
import type { ModelOut } from '../../api/types.gen';
import { formatBytes, formatCount, formatDateTime, formatInteger, formatRelativeTime, formatYesNo } from '../../components/format';

interface ModelsTableProps {
  models: ModelOut[];
  onOpen: (model: ModelOut) => void;
  onDelete: (model: ModelOut) => void;
}

const COLUMNS: ReadonlyArray<{ label: string; numeric?: boolean }> = [
  { label: 'Name' },
  { label: 'Kind' },
  { label: 'Architecture' },
  { label: 'Params', numeric: true },
  { label: 'Layers', numeric: true },
  { label: 'Hidden', numeric: true },
  { label: 'Vocab', numeric: true },
  { label: 'Context', numeric: true },
  { label: 'Dtype' },
  { label: 'Chat' },
  { label: 'Size', numeric: true },
  { label: 'Created' },
];

const ModelRow = memo(function ModelRow({
  model,
  onOpen,
  onDelete,
}: {
  model: ModelOut;
  onOpen: (model: ModelOut) => void;
  onDelete: (model: ModelOut) => void;
}) {
  return (
    <Table.Tr className="clickable-row" onClick={() => onOpen(model)} data-testid={`model-row-${model.name}`}>
      <Table.Td>
        <Anchor
          component="button"
          type="button"
          fz="sm"
          fw={600}
          onClick={(event) => {
            event.stopPropagation();
            onOpen(model);
          }}
          aria-label={`Show details of ${model.name}`}
        >
          {model.name}
        </Anchor>
      </Table.Td>
      <Table.Td>
        <Text span fz="xs" c={model.kind === 'adapter' ? 'grape' : undefined}>
          {model.kind}
        </Text>
      </Table.Td>
      <Table.Td>
        {model.architecture ?? '—'}
      </Table.Td>
      <Table.Td ta="right" title={formatInteger(model.parameter_count)}>
        {formatCount(model.parameter_count)}
      </Table.Td>
      <Table.Td ta="right">{formatInteger(model.num_layers)}</Table.Td>
      <Table.Td ta="right">{formatInteger(model.hidden_size)}</Table.Td>
      <Table.Td ta="right">{formatInteger(model.vocab_size)}</Table.Td>
      <Table.Td ta="right">{formatInteger(model.context_length)}</Table.Td>
      <Table.Td>{model.dtype ?? '—'}</Table.Td>
      <Table.Td>{formatYesNo(model.has_chat_template)}</Table.Td>
      <Table.Td ta="right">{formatBytes(model.size_bytes)}</Table.Td>
      <Table.Td title={formatDateTime(model.created_at)}>{formatRelativeTime(model.created_at)}</Table.Td>
      <Table.Td>
        <Tooltip label={`Delete ${model.name}`}>
          <ActionIcon
            variant="subtle"
            color="red"
            aria-label={`Delete ${model.name}`}
            onClick={(event) => {
              event.stopPropagation();
              onDelete(model);
            }}
          >
            <IconTrash size={16} aria-hidden />
          </ActionIcon>
        </Tooltip>
      </Table.Td>
    </Table.Tr>
  );
});

export function ModelsTable({ models, onOpen, onDelete }: ModelsTableProps) {
  return (
    <Table.ScrollContainer minWidth={960}>
      <Table highlightOnHover verticalSpacing="xs" horizontalSpacing={8} fz="xs" aria-label="Models" className="models-table">
        <Table.Thead>
          <Table.Tr>
            {COLUMNS.map((column) => (
              <Table.Th key={column.label} scope="col" ta={column.numeric ? 'right' : undefined}>
                {column.label}
              </Table.Th>
            ))}
            <Table.Th scope="col">
              <VisuallyHidden>Actions</VisuallyHidden>
            </Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {models.map((model) => (
            <ModelRow key={model.id} model={model} onOpen={onOpen} onDelete={onDelete} />
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}
