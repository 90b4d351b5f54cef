import type { JobOut } from '../../api/types.gen';
import { formatDuration } from '../../components/format';

/** How long the job ran, or has been running until `now`. */
export function jobDuration(job: Pick<JobOut, 'status' | 'started_at' | 'finished_at'>, now: Date): string {
  if (!job.started_at) return '—';
  return formatDuration(job.started_at, job.finished_at ?? (job.status === 'running' ? now : null));
}
