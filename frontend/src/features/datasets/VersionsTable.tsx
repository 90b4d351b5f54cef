import { Anchor, Badge, Group, Table, Text } from '@mantine/core';
import type { DatasetVersionOut } from '../../api/types.gen';
import { formatBytes, formatDateTime, formatInteger, formatRelativeTime } from '../../components/format';
import { storedFormatColor } from './formats';
import './datasets.css';

interface VersionsTableProps {
  /** Oldest first, as the API lists them. */
  versions: DatasetVersionOut[];
  selected: number | undefined;
  onSelect: (version: number) => void;
}

/** Every version of a dataset, newest first; selecting one shows it in the other tabs. */
export function VersionsTable({ versions, selected, onSelect }: VersionsTableProps) {
  const newest = versions.at(-1)?.version;
  const rows = [...versions].reverse();
  return (
    <Table.ScrollContainer minWidth={760}>
      <Table highlightOnHover fz="sm" verticalSpacing="xs" aria-label="Versions" className="versions-table">
        <Table.Thead>
          <Table.Tr>
            <Table.Th scope="col">Version</Table.Th>
            <Table.Th scope="col">Format</Table.Th>
            <Table.Th scope="col" ta="right">
              Rows
            </Table.Th>
            <Table.Th scope="col" ta="right">
              Size
            </Table.Th>
            <Table.Th scope="col">SHA-256</Table.Th>
            <Table.Th scope="col">Source</Table.Th>
            <Table.Th scope="col">Created</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {rows.map((version) => {
            const isSelected = version.version === selected;
            return (
              <Table.Tr
                key={version.id}
                className="clickable-row"
                onClick={() => onSelect(version.version)}
                aria-selected={isSelected}
                bg={isSelected ? 'var(--mantine-primary-color-light)' : undefined}
                data-testid={`version-row-${version.version}`}
              >
                <Table.Td>
                  <Group gap="xs" wrap="nowrap">
                    <Anchor
                      component="button"
                      type="button"
                      fz="sm"
                      fw={600}
                      onClick={(event) => {
                        event.stopPropagation();
                        onSelect(version.version);
                      }}
                      aria-label={`Show version ${version.version}`}
                      aria-current={isSelected ? 'true' : undefined}
                    >
                      v{version.version}
                    </Anchor>
                    {version.version === newest ? (
                      <Badge size="xs" variant="light" color="teal">
                        newest
                      </Badge>
                    ) : null}
                    {isSelected ? (
                      <Badge size="xs" variant="filled">
                        shown
                      </Badge>
                    ) : null}
                  </Group>
                </Table.Td>
                <Table.Td>
                  <Badge size="sm" variant="light" color={storedFormatColor(version.format)}>
                    {version.format}
                  </Badge>
                </Table.Td>
                <Table.Td ta="right">{formatInteger(version.row_count)}</Table.Td>
                <Table.Td ta="right">{formatBytes(version.size_bytes)}</Table.Td>
                <Table.Td>
                  <Text span ff="monospace" size="xs" title={version.content_hash}>
                    {version.content_hash.slice(0, 12)}
                  </Text>
                </Table.Td>
                <Table.Td>
                  <Text span size="sm" lineClamp={1} maw={280} title={version.source}>
                    {version.source}
                  </Text>
                </Table.Td>
                <Table.Td title={formatDateTime(version.created_at)}>{formatRelativeTime(version.created_at)}</Table.Td>
              </Table.Tr>
            );
          })}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}
