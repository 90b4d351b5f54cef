import { ActionIcon, Anchor, Button, Tooltip } from '@mantine/core';
import { IconDownload } from '@tabler/icons-react';
import type { ExportFileOut, ExportOut } from '../../api/types.gen';
import { formatBytes } from '../../components/format';
import { baseName, primaryFileName } from './exportText';
import { useExportDownload } from './useExportDownload';

type Primary = Pick<ExportOut, 'id' | 'name' | 'primary' | 'primary_is_folder' | 'download_path'>;

/** The export's main artifact (the .gguf file, or the model or adapter folder as a tar);
 * `size` is the file's, when it is one file. */
export function PrimaryDownloadButton({ item, size }: { item: Primary; size: number | null }) {
  const fileName = primaryFileName(item);
  const { onClick, pending } = useExportDownload(item.id, null, fileName);
  return (
    <Button
      component="a"
      href={item.download_path}
      download=""
      onClick={onClick}
      loading={pending}
      leftSection={<IconDownload size={16} aria-hidden />}
    >
      Download {fileName}
      {size === null ? null : ` (${formatBytes(size)})`}
    </Button>
  );
}

/** The same, as an icon in a row of the exports list. */
export function PrimaryDownloadIcon({ item }: { item: Primary }) {
  const fileName = primaryFileName(item);
  const { onClick, pending } = useExportDownload(item.id, null, fileName);
  return (
    <Tooltip label={`Download ${fileName}`}>
      <ActionIcon
        component="a"
        href={item.download_path}
        download=""
        onClick={onClick}
        loading={pending}
        variant="subtle"
        aria-label={`Download ${fileName}`}
      >
        <IconDownload size={16} aria-hidden />
      </ActionIcon>
    </Tooltip>
  );
}

/** One file of an export, by its path. */
export function FileDownloadLink({ exportId, file }: { exportId: number; file: ExportFileOut }) {
  const { onClick, pending } = useExportDownload(exportId, file.path, baseName(file.path));
  return (
    <Anchor href={file.download_path} download="" onClick={onClick} size="sm" ff="monospace" aria-busy={pending}>
      {file.path}
    </Anchor>
  );
}
