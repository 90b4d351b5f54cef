import { Button, Group, Progress, Stack, Text } from '@mantine/core';
import { formatBytes } from '../../components/format';
import type { TransferProgress } from './xhrFetch';

interface UploadProgressProps {
  fileName: string;
  /** Bytes sent so far; `total` (the whole request) may be unknown at first. */
  progress: TransferProgress;
  /** The file's own size, shown while the browser has not reported a total. */
  fileSize: number;
  onCancel?: () => void;
}

export function uploadPercent(progress: TransferProgress): number | null {
  if (progress.total === null || progress.total <= 0) return null;
  return Math.min(100, Math.max(0, (progress.loaded / progress.total) * 100));
}

/** The bytes of an upload on their way: a bar, "1.2 MB of 3.4 MB", and a way to stop it. Once
 * every byte is sent, the server checks the file before it answers. */
export function UploadProgress({ fileName, progress, fileSize, onCancel }: UploadProgressProps) {
  const percent = uploadPercent(progress);
  const total = progress.total ?? fileSize;
  const sent = percent !== null && percent >= 100;
  const message = sent
    ? `Sent ${formatBytes(total)}; the server is checking the file…`
    : `${formatBytes(Math.min(progress.loaded, total))} of ${formatBytes(total)}`;
  return (
    <Stack gap={4} aria-live="polite" data-testid="upload-progress">
      <Group justify="space-between" gap="xs" wrap="nowrap">
        <Text size="xs" c="dimmed" lineClamp={1}>
          Uploading {fileName}: {message}
        </Text>
        <Group gap="xs" wrap="nowrap">
          <Text size="xs" c="dimmed" ff="monospace">
            {percent === null ? '…' : `${Math.floor(percent)}%`}
          </Text>
          {onCancel && !sent ? (
            <Button size="compact-xs" variant="subtle" color="red" onClick={onCancel}>
              Cancel upload
            </Button>
          ) : null}
        </Group>
      </Group>
      <Progress
        value={percent ?? 100}
        striped={percent === null || sent}
        animated={percent === null || sent}
        aria-label={`Uploading ${fileName}`}
        transitionDuration={150}
      />
    </Stack>
  );
}
