import { Button, CloseButton, FileButton, Group, Paper, Stack, Text, ThemeIcon } from '@mantine/core';
import { IconFileText, IconUpload } from '@tabler/icons-react';
import { type ComponentProps, type DragEvent, useRef, useState } from 'react';
import { formatBytes } from '../../components/format';

export const ACCEPTED_EXTENSIONS = '.jsonl,.ndjson,.json,.csv,.tsv,.parquet,.txt';

interface FileDropZoneProps {
  file: File | null;
  onChange: (file: File | null) => void;
  /** The API's error about the file (empty, binary, unknown type or format, too large). */
  error?: string;
  disabled?: boolean;
  /** Prefix of element ids, unique on the page. */
  id: string;
}

function hasFiles(event: DragEvent): boolean {
  return Array.from(event.dataTransfer?.types ?? []).includes('Files');
}

/** A drop target for one dataset file, with a button that opens the file picker (the keyboard
 * way in). The chosen file shows with its size and can be removed. */
export function FileDropZone({ file, onChange, error, disabled = false, id }: FileDropZoneProps) {
  const [dragging, setDragging] = useState(false);
  const depth = useRef(0);
  const resetPicker = useRef<() => void>(null);
  const errorId = `${id}-error`;
  const hintId = `${id}-hint`;

  const leave = () => {
    depth.current = 0;
    setDragging(false);
  };

  return (
    <Stack gap={4}>
      <Paper
        withBorder
        radius="md"
        p="lg"
        className="dataset-dropzone"
        data-dragging={dragging || undefined}
        data-invalid={error ? true : undefined}
        data-disabled={disabled || undefined}
        role="group"
        aria-label="Dataset file"
        aria-describedby={error ? `${hintId} ${errorId}` : hintId}
        data-testid="dataset-dropzone"
        onDragEnter={(event: DragEvent) => {
          if (disabled || !hasFiles(event)) return;
          event.preventDefault();
          depth.current += 1;
          setDragging(true);
        }}
        onDragOver={(event: DragEvent) => {
          if (disabled || !hasFiles(event)) return;
          event.preventDefault();
          event.dataTransfer.dropEffect = 'copy';
        }}
        onDragLeave={() => {
          depth.current = Math.max(0, depth.current - 1);
          if (depth.current === 0) setDragging(false);
        }}
        onDrop={(event: DragEvent) => {
          event.preventDefault();
          leave();
          if (disabled) return;
          const dropped = event.dataTransfer?.files?.[0];
          if (dropped) onChange(dropped);
        }}
      >
        <Stack align="center" gap="xs" ta="center">
          <ThemeIcon size={44} radius="xl" variant="light" aria-hidden>
            {file ? <IconFileText size={24} /> : <IconUpload size={24} />}
          </ThemeIcon>
          {file ? (
            <Group gap="xs" wrap="nowrap" justify="center" data-testid="chosen-file">
              <Text fw={600} size="sm" style={{ overflowWrap: 'anywhere' }}>
                {file.name}
              </Text>
              <Text size="sm" c="dimmed" style={{ whiteSpace: 'nowrap' }}>
                {formatBytes(file.size)}
              </Text>
              <CloseButton
                size="sm"
                aria-label={`Remove ${file.name}`}
                disabled={disabled}
                onClick={() => {
                  resetPicker.current?.();
                  onChange(null);
                }}
              />
            </Group>
          ) : (
            <Text fw={600} size="sm">
              {dragging ? 'Drop the file to choose it' : 'Drag a dataset file here'}
            </Text>
          )}
          <Text size="xs" c="dimmed" id={hintId}>
            JSONL, JSON, CSV/TSV, Parquet or TXT: chat conversations, instructions, prompt/completion pairs,
            preference pairs or plain text.
          </Text>
          <FileButton
            onChange={onChange}
            accept={ACCEPTED_EXTENSIONS}
            disabled={disabled}
            resetRef={resetPicker}
            inputProps={{ 'data-testid': 'dataset-file-input' } as ComponentProps<'input'>}
          >
            {(props) => (
              <Button {...props} variant="default" size="xs" disabled={disabled}>
                {file ? 'Choose another file' : 'Choose a file'}
              </Button>
            )}
          </FileButton>
        </Stack>
      </Paper>
      {error ? (
        <Text size="xs" c="red" id={errorId} role="alert" data-testid="file-error" style={{ overflowWrap: 'anywhere' }}>
          {error}
        </Text>
      ) : null}
    </Stack>
  );
}
