import { Group, Progress, Stack, Text } from '@mantine/core';
import type { JobProgress } from '../../api/types.gen';

interface JobProgressBarProps {
  progress: JobProgress | null;
  /** What the bar is about, for its accessible name ("Pulling SmolLM2", "Job #12"). */
  label: string;
  /** Text to show before the job reports progress. */
  idleMessage?: string;
  size?: 'sm' | 'md' | 'lg';
}

/** The percentage the job reported, or null when it reported no total. */
function progressPercent(progress: JobProgress | null): number | null {
  const completed = progress?.completed;
  const total = progress?.total;
  if (typeof completed !== 'number' || typeof total !== 'number' || total <= 0) return null;
  return Math.min(100, Math.max(0, (completed / total) * 100));
}

const amount = (value: number) => (Number.isInteger(value) ? String(value) : value.toFixed(1));

/** The job's message; without one, how far it is ("3 of 10") or what it waits for. */
function progressMessage(progress: JobProgress | null, idleMessage: string): string {
  if (progress?.message) return progress.message;
  if (typeof progress?.completed === 'number' && typeof progress.total === 'number') {
    return `${amount(progress.completed)} of ${amount(progress.total)}`;
  }
  return idleMessage;
}

/** A job's latest progress: its message and a bar, striped while there is no total. */
export function JobProgressBar({ progress, label, idleMessage = 'Starting…', size = 'md' }: JobProgressBarProps) {
  const percent = progressPercent(progress);
  const message = progressMessage(progress, idleMessage);
  return (
    <Stack gap={4} aria-live="polite">
      <Group justify="space-between" gap="xs" wrap="nowrap">
        <Text size="xs" c="dimmed" lineClamp={1} data-testid="job-progress-message">
          {message}
        </Text>
        {percent !== null ? (
          <Text size="xs" c="dimmed" ff="monospace">
            {Math.floor(percent)}%
          </Text>
        ) : null}
      </Group>
      <Progress
        value={percent ?? 100}
        striped={percent === null}
        animated={percent === null}
        size={size}
        aria-label={`${label}: ${message}`}
        transitionDuration={200}
      />
    </Stack>
  );
}
