import { ActionIcon, CopyButton, Group, Table, Text, Tooltip } from '@mantine/core';
import { IconCheck, IconCopy } from '@tabler/icons-react';
import type { ExportFileOut } from '../../api/types.gen';
import { formatBytes, formatInteger } from '../../components/format';
import { FileDownloadLink } from './DownloadLinks';

/** The sha256 shortened on screen, whole in the copy and the title. */
function Checksum({ file }: { file: ExportFileOut }) {
  const what = `sha256 of ${file.path}`;
  return (
    <Group gap={4} wrap="nowrap">
      <Text span size="xs" ff="monospace" title={file.sha256}>
        {file.sha256.slice(0, 16)}…
      </Text>
      <CopyButton value={file.sha256} timeout={1500}>
        {({ copied, copy }) => (
          <Tooltip label={copied ? 'Copied' : `Copy ${what}`} withArrow>
            <ActionIcon variant="subtle" color={copied ? 'teal' : 'gray'} size="sm" onClick={copy} aria-label={`Copy ${what}`}>
              {copied ? <IconCheck size={14} aria-hidden /> : <IconCopy size={14} aria-hidden />}
            </ActionIcon>
          </Tooltip>
        )}
      </CopyButton>
    </Group>
  );
}

/** Every file of an export, each with its size, its sha256 and a download link. */
export function ExportFilesTable({ exportId, files }: { exportId: number; files: ExportFileOut[] }) {
  return (
    <Table.ScrollContainer minWidth={520}>
      <Table fz="sm" verticalSpacing={4} aria-label="Files">
        <Table.Thead>
          <Table.Tr>
            <Table.Th scope="col">File</Table.Th>
            <Table.Th scope="col" ta="right">
              Size
            </Table.Th>
            <Table.Th scope="col">sha256</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {files.map((file) => (
            <Table.Tr key={file.path} data-testid={`file-${file.path}`}>
              <Table.Td>
                <FileDownloadLink exportId={exportId} file={file} />
              </Table.Td>
              <Table.Td ta="right" title={`${formatInteger(file.size_bytes)} bytes`} data-bytes={file.size_bytes}>
                {formatBytes(file.size_bytes)}
              </Table.Td>
              <Table.Td>
                <Checksum file={file} />
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}
