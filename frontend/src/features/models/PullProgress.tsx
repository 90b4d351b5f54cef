import { Group, Progress, Stack, Text } from '@mantine/core';
import type { ProgressEvent } from '../../api/types.gen';
import { formatBytesProgress } from '../../components/format';

const STAGE_LABELS: Record<string, string> = {
  download: 'Downloading',
  extract: 'Extracting',
  copy: 'Copying',
  convert: 'Converting',
  save: 'Saving',
  register: 'Registering',
};

/** Stages that count bytes; the others report only a message. */
const BYTE_STAGES = new Set(['download', 'extract', 'copy']);

export function stageLabel(stage: string): string {
  return STAGE_LABELS[stage] ?? stage.charAt(0).toUpperCase() + stage.slice(1);
}

interface PullProgressProps {
  /** Name of what is being pulled, for the progress bar's label. */
  name: string;
  progress: ProgressEvent | null;
}

export function PullProgress({ name, progress }: PullProgressProps) {
  const label = progress ? stageLabel(progress.stage) : 'Starting';
  const total = progress?.total ?? null;
  const completed = progress?.completed ?? null;
  const determinate = total !== null && total > 0 && completed !== null;
  const percent = determinate ? Math.min(100, (completed / total) * 100) : 100;
  const amount =
    progress && BYTE_STAGES.has(progress.stage) && completed !== null ? formatBytesProgress(completed, total) : null;

  return (
    <Stack gap={6} aria-live="polite">
      <Group justify="space-between" gap="xs" wrap="nowrap">
        <Text size="sm" fw={600} data-testid="pull-stage">
          {label}
        </Text>
        {amount ? (
          <Text size="xs" c="dimmed" ff="monospace">
            {amount}
          </Text>
        ) : null}
      </Group>
      <Progress
        value={percent}
        striped={!determinate}
        animated={!determinate}
        size="lg"
        aria-label={`Pulling ${name}: ${label}`}
        transitionDuration={200}
      />
      {progress?.message ? (
        <Text size="xs" c="dimmed" lineClamp={2}>
          {progress.message}
        </Text>
      ) : null}
    </Stack>
  );
}
