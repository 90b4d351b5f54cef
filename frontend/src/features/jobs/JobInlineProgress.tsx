import { Group, Stack, Text } from '@mantine/core';
import type { JobOut } from '../../api/types.gen';
import { AnchorLink } from '../../components/RouterLinks';
import { JobProgressBar } from './JobProgressBar';
import { JobStatusBadge } from './JobStatusBadge';

/** A running job shown where it was started: status, latest progress and a link to the job. */
export function JobInlineProgress({ job, label }: { job: JobOut; label: string }) {
  return (
    <Stack gap={6}>
      <Group justify="space-between" gap="xs" wrap="nowrap">
        <Group gap="xs" wrap="nowrap">
          <JobStatusBadge job={job} />
          <Text size="sm" fw={600}>
            {label}
          </Text>
        </Group>
        <AnchorLink to="/jobs/$jobId" params={{ jobId: job.id }} size="xs">
          View job #{job.id}
        </AnchorLink>
      </Group>
      <JobProgressBar
        progress={job.progress}
        label={label}
        idleMessage={job.status === 'queued' ? 'Waiting for a worker…' : 'Starting…'}
      />
    </Stack>
  );
}
