import { Badge } from '@mantine/core';
import type { JobOut } from '../../api/types.gen';
import { STATUS_META } from './status';

/** The job's status in its colour; a running job asked to stop shows as cancelling. */
export function JobStatusBadge({ job, size = 'sm' }: { job: Pick<JobOut, 'status' | 'cancel_requested'>; size?: 'sm' | 'md' | 'lg' }) {
  const cancelling = job.cancel_requested && (job.status === 'running' || job.status === 'queued');
  const meta = STATUS_META[job.status];
  return (
    <Badge color={cancelling ? 'orange' : meta.color} variant="light" size={size} data-status={job.status}>
      {cancelling ? 'Cancelling' : meta.label}
    </Badge>
  );
}
