import { Badge, Group, Table, Text, Tooltip } from '@mantine/core';
import { useNavigate } from '@tanstack/react-router';
import { memo } from 'react';
import type { DatasetOut } from '../../api/types.gen';
import { AnchorLink } from '../../components/RouterLinks';
import { formatBytes, formatDateTime, formatInteger, formatRelativeTime } from '../../components/format';
import { storedFormatColor } from './formats';

interface DatasetsTableProps {
  datasets: DatasetOut[];
  /** Ids of the datasets an import is writing to right now. */
  importing: ReadonlySet<number>;
}

const COLUMNS: ReadonlyArray<{ label: string; numeric?: boolean }> = [
  { label: 'Name' },
  { label: 'Newest version', numeric: true },
  { label: 'Format' },
  { label: 'Rows', numeric: true },
  { label: 'Size', numeric: true },
  { label: 'Updated' },
];

const DatasetRow = memo(function DatasetRow({ dataset, importing }: { dataset: DatasetOut; importing: boolean }) {
  const navigate = useNavigate();
  const latest = dataset.latest;
  return (
    <Table.Tr
      className="clickable-row"
      onClick={() => void navigate({ to: '/datasets/$datasetId', params: { datasetId: dataset.id } })}
      data-testid={`dataset-row-${dataset.name}`}
    >
      <Table.Td>
        <Group gap="xs" wrap="nowrap">
          <AnchorLink
            to="/datasets/$datasetId"
            params={{ datasetId: dataset.id }}
            fz="sm"
            fw={600}
            onClick={(event) => event.stopPropagation()}
            aria-label={`Open dataset ${dataset.name}`}
          >
            {dataset.name}
          </AnchorLink>
          {importing ? (
            <Badge size="xs" variant="light" color="blue">
              Importing
            </Badge>
          ) : latest === null ? (
            <Tooltip label="Its import did not finish; open it to see why">
              <Badge size="xs" variant="light" color="red">
                No version
              </Badge>
            </Tooltip>
          ) : null}
        </Group>
        {dataset.description ? (
          <Text size="xs" c="dimmed" lineClamp={1} maw={420}>
            {dataset.description}
          </Text>
        ) : null}
      </Table.Td>
      <Table.Td ta="right">{latest ? `v${latest.version}` : '—'}</Table.Td>
      <Table.Td>
        {latest ? (
          <Badge size="sm" variant="light" color={storedFormatColor(latest.format)}>
            {latest.format}
          </Badge>
        ) : (
          '—'
        )}
      </Table.Td>
      <Table.Td ta="right">{formatInteger(latest?.row_count)}</Table.Td>
      <Table.Td ta="right">{formatBytes(latest?.size_bytes)}</Table.Td>
      <Table.Td title={formatDateTime(dataset.updated_at)}>{formatRelativeTime(dataset.updated_at)}</Table.Td>
    </Table.Tr>
  );
});

export function DatasetsTable({ datasets, importing }: DatasetsTableProps) {
  return (
    <Table.ScrollContainer minWidth={720}>
      <Table highlightOnHover verticalSpacing="xs" fz="sm" aria-label="Datasets">
        <Table.Thead>
          <Table.Tr>
            {COLUMNS.map((column) => (
              <Table.Th key={column.label} scope="col" ta={column.numeric ? 'right' : undefined}>
                {column.label}
              </Table.Th>
            ))}
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {datasets.map((dataset) => (
            <DatasetRow key={dataset.id} dataset={dataset} importing={importing.has(dataset.id)} />
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}
