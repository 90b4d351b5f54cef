import { ActionIcon, Group, Table, Tooltip, VisuallyHidden } from '@mantine/core';
import { IconTrash } from '@tabler/icons-react';
import type { ExportOut } from '../../api/types.gen';
import { formatBytes, formatDateTime, formatInteger, formatRelativeTime } from '../../components/format';
import { AnchorLink } from '../../components/RouterLinks';
import { PrimaryDownloadIcon } from './DownloadLinks';
import { VerifiedBadge } from './ExportDetails';
import { formatLabel, variantOf } from './exportText';
import { RegisterAction } from './RegisterAction';

interface ExportsTableProps {
  exports: ExportOut[];
  onDelete: (item: ExportOut) => void;
  /** Show the adapter each export came from (a base model's list holds several adapters'). */
  showSource: boolean;
}

/** Finished exports: what each is, its size, whether its verification passed, and its actions. */
export function ExportsTable({ exports, onDelete, showSource }: ExportsTableProps) {
  return (
    <Table.ScrollContainer minWidth={640}>
      <Table verticalSpacing="xs" horizontalSpacing={8} fz="sm" aria-label="Exports">
        <Table.Thead>
          <Table.Tr>
            <Table.Th scope="col">Name</Table.Th>
            {showSource ? <Table.Th scope="col">Adapter</Table.Th> : null}
            <Table.Th scope="col">Format</Table.Th>
            <Table.Th scope="col">Quant / dtype</Table.Th>
            <Table.Th scope="col" ta="right">
              Size
            </Table.Th>
            <Table.Th scope="col">Verification</Table.Th>
            <Table.Th scope="col">Created</Table.Th>
            <Table.Th scope="col">
              <VisuallyHidden>Actions</VisuallyHidden>
            </Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {exports.map((item) => (
            <Table.Tr key={item.id} data-testid={`export-row-${item.id}`}>
              <Table.Td>
                <AnchorLink to="/exports/$exportId" params={{ exportId: item.id }} size="sm" fw={600} aria-label={`Open export ${item.name} (#${item.id})`}>
                  {item.name}
                </AnchorLink>
              </Table.Td>
              {showSource ? <Table.Td>{item.source_model_name ?? '—'}</Table.Td> : null}
              <Table.Td>{formatLabel(item.format)}</Table.Td>
              <Table.Td ff="monospace">{item.format === 'adapter' ? '—' : variantOf(item)}</Table.Td>
              <Table.Td ta="right" title={`${formatInteger(item.size_bytes)} bytes`}>
                {formatBytes(item.size_bytes)}
              </Table.Td>
              <Table.Td>
                <VerifiedBadge passed={item.passed} />
              </Table.Td>
              <Table.Td title={formatDateTime(item.created_at)}>{formatRelativeTime(item.created_at)}</Table.Td>
              <Table.Td>
                <Group gap={4} wrap="nowrap" justify="flex-end">
                  <PrimaryDownloadIcon item={item} />
                  <RegisterAction item={item} />
                  <Tooltip label={`Delete export ${item.name}`}>
                    <ActionIcon variant="subtle" color="red" aria-label={`Delete export ${item.name}`} onClick={() => onDelete(item)}>
                      <IconTrash size={16} aria-hidden />
                    </ActionIcon>
                  </Tooltip>
                </Group>
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}
