import type { JobOut } from '../../api/types.gen';

export type JobStatus = JobOut['status'];

interface StatusMeta {
  label: string;
  color: string;
}

export const JOB_STATUSES: readonly JobStatus[] = ['queued', 'running', 'succeeded', 'failed', 'cancelled'];

export const STATUS_META: Record<JobStatus, StatusMeta> = {
  queued: { label: 'Queued', color: 'gray' },
  running: { label: 'Running', color: 'blue' },
  succeeded: { label: 'Succeeded', color: 'teal' },
  failed: { label: 'Failed', color: 'red' },
  cancelled: { label: 'Cancelled', color: 'orange' },
};

export function isJobStatus(value: unknown): value is JobStatus {
  return typeof value === 'string' && value in STATUS_META;
}

/** Queued or running: the job can still change, so views of it stay live. */
export function isActive(status: JobStatus): boolean {
  return status === 'queued' || status === 'running';
}

export function canCancel(job: JobOut): boolean {
  return isActive(job.status) && !job.cancel_requested;
}

export function canRetry(job: JobOut): boolean {
  return job.status === 'failed' || job.status === 'cancelled';
}

/** Kinds the server registers today; a kind the UI does not know shows as its id. */
export const KIND_LABELS: Record<string, string> = {
  'model.pull': 'Model pull',
  'model.import': 'Model import',
  'dataset.import': 'Dataset import',
  'dataset.stats': 'Dataset stats',
  'recipe.run': 'Recipe run',
  train: 'Training run',
  export: 'Export',
  'export.register': 'Export registration',
  noop: 'No-op',
  sleep: 'Sleep',
};

export function kindLabel(kind: string): string {
  return KIND_LABELS[kind] ?? kind;
}
