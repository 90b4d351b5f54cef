import { Table, Text } from '@mantine/core';
import { useNavigate } from '@tanstack/react-router';
import { memo } from 'react';
import type { JobOut } from '../../api/types.gen';
import { AnchorLink } from '../../components/RouterLinks';
import { formatDateTime, formatRelativeTime } from '../../components/format';
import { useNow } from '../../lib/useNow';
import { JobProgressBar } from './JobProgressBar';
import { JobStatusBadge } from './JobStatusBadge';
import { jobDuration } from './jobDuration';
import { kindLabel } from './status';

const COLUMNS = ['Job', 'Kind', 'Status', 'Progress', 'Created', 'Duration', 'Attempts'] as const;

const JobRow = memo(function JobRow({ job, now }: { job: JobOut; now: Date | undefined }) {
  const navigate = useNavigate();
  const open = () => void navigate({ to: '/jobs/$jobId', params: { jobId: job.id } });
  return (
    <Table.Tr className="clickable-row" onClick={open} data-testid={`job-row-${job.id}`}>
      <Table.Td>
        <AnchorLink
          to="/jobs/$jobId"
          params={{ jobId: job.id }}
          fz="sm"
          fw={600}
          onClick={(event) => event.stopPropagation()}
          aria-label={`Open job ${job.id}`}
        >
          #{job.id}
        </AnchorLink>
      </Table.Td>
      <Table.Td>
        <Text span fz="sm">
          {kindLabel(job.kind)}
        </Text>{' '}
        <Text span fz="xs" c="dimmed" ff="monospace">
          {job.kind}
        </Text>
      </Table.Td>
      <Table.Td>
        <JobStatusBadge job={job} />
      </Table.Td>
      <Table.Td w={260}>
        {job.status === 'running' ? (
          <JobProgressBar progress={job.progress} label={`Job ${job.id}`} size="sm" />
        ) : (
          <Text span fz="xs" c="dimmed" lineClamp={1}>
            {job.status === 'failed' ? (job.error?.message ?? '') : ''}
          </Text>
        )}
      </Table.Td>
      <Table.Td title={formatDateTime(job.created_at)}>{formatRelativeTime(job.created_at)}</Table.Td>
      <Table.Td>{jobDuration(job, now ?? new Date())}</Table.Td>
      <Table.Td ta="right">
        {job.attempts} / {job.max_attempts}
      </Table.Td>
    </Table.Tr>
  );
});

export function JobsTable({ jobs }: { jobs: JobOut[] }) {
  const anyRunning = jobs.some((job) => job.status === 'running');
  const now = useNow(1000, anyRunning);
  return (
    <Table.ScrollContainer minWidth={860}>
      <Table highlightOnHover verticalSpacing="xs" horizontalSpacing="sm" fz="sm" aria-label="Jobs" className="jobs-table">
        <Table.Thead>
          <Table.Tr>
            {COLUMNS.map((column) => (
              <Table.Th key={column} scope="col" ta={column === 'Attempts' ? 'right' : undefined}>
                {column}
              </Table.Th>
            ))}
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {jobs.map((job) => (
            <JobRow key={job.id} job={job} now={job.status === 'running' ? now : undefined} />
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}
