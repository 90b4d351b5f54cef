import type { JobOut, Resources } from '../../api/types.gen';
import type { Fact } from '../../components/FactList';
import { formatDateTime } from '../../components/format';
import { jobDuration } from './jobDuration';
import { kindLabel } from './status';

const when = (value: string | null) => (value ? formatDateTime(value) : '—');

export function describeResources(resources: Resources): string {
  const slot = resources.slot === 'train' ? 'training slot' : 'auxiliary slot';
  const gpus = resources.gpus ? `${resources.gpus} GPU${resources.gpus === 1 ? '' : 's'}` : 'no GPU';
  return `${slot}, ${gpus}, ${resources.memory ?? 'small'} memory`;
}

/** Everything the job row records, in the order the job page lists it. */
export function jobFacts(job: JobOut, now: Date): Fact[] {
  return [
    { label: 'Kind', value: `${kindLabel(job.kind)} (${job.kind})` },
    { label: 'Attempts', value: `${job.attempts} of at most ${job.max_attempts}` },
    { label: 'Priority', value: String(job.priority) },
    { label: 'Resources', value: describeResources(job.resources) },
    { label: 'Worker', value: job.worker_id ?? '—', mono: true },
    { label: 'Created', value: when(job.created_at) },
    { label: 'Started', value: when(job.started_at) },
    { label: 'Finished', value: when(job.finished_at) },
    { label: 'Duration', value: jobDuration(job, now) },
    { label: 'Last heartbeat', value: when(job.heartbeat_at) },
    { label: 'Idempotency key', value: job.idempotency_key ?? '—', mono: true },
  ];
}
