import type { InfiniteData, QueryClient } from '@tanstack/react-query';
import type { JobEventOut, JobOut, JobPage, JobProgress } from '../../api/types.gen';
import { jobKeys } from './api';

function patchLists(queryClient: QueryClient, id: number, patch: (job: JobOut) => JobOut): void {
  queryClient.setQueriesData<InfiniteData<JobPage>>({ queryKey: jobKeys.lists() }, (data) => {
    if (!data || !data.pages.some((page) => page.items.some((job) => job.id === id))) return data;
    return {
      ...data,
      pages: data.pages.map((page) => ({
        ...page,
        items: page.items.map((job) => (job.id === id ? patch(job) : job)),
      })),
    };
  });
}

/** Applies a change to one job wherever the cache holds it: its detail and every loaded list page. */
export function patchJob(queryClient: QueryClient, id: number, patch: (job: JobOut) => JobOut): void {
  queryClient.setQueryData<JobOut>(jobKeys.detail(id), (job) => (job ? patch(job) : job));
  patchLists(queryClient, id, patch);
}

/** Stores a job the server just returned (created, cancelled, retried) and refreshes the lists. */
export function storeJob(queryClient: QueryClient, job: JobOut): Promise<void> {
  queryClient.setQueryData(jobKeys.detail(job.id), job);
  patchLists(queryClient, job.id, () => job);
  return queryClient.invalidateQueries({ queryKey: jobKeys.lists() });
}

function toProgress(data: Record<string, unknown>): JobProgress {
  const number = (value: unknown) => (typeof value === 'number' && Number.isFinite(value) ? value : null);
  const details = data.details;
  const isRecord = typeof details === 'object' && details !== null && !Array.isArray(details);
  return {
    completed: number(data.completed),
    total: number(data.total),
    message: typeof data.message === 'string' ? data.message : '',
    // Kind-specific detail (a recipe run's rows per node) rides along for the views that use it.
    details: isRecord ? (details as Record<string, unknown>) : null,
  };
}

/** Folds one job event into the cache. Progress is applied as it comes; a status change
 * refetches the job (it also changes timestamps, error and result) and the lists; a log line or
 * a status change (the worker notes it in the log) makes the open log read what is new. */
export function applyJobEvent(queryClient: QueryClient, event: JobEventOut): void {
  const id = event.job_id;
  if (event.type === 'progress') {
    const progress = toProgress(event.data);
    patchJob(queryClient, id, (job) => ({ ...job, progress }));
    return;
  }
  if (event.type === 'status') {
    void queryClient.invalidateQueries({ queryKey: jobKeys.detail(id) });
    void queryClient.invalidateQueries({ queryKey: jobKeys.lists() });
  }
  void queryClient.refetchQueries({ queryKey: jobKeys.log(id), type: 'active' }, { cancelRefetch: false });
}

/** Parses one SSE message's data as a job event; null for anything else (a bare keep-alive). */
export function parseJobEvent(data: string): JobEventOut | null {
  let value: unknown;
  try {
    value = JSON.parse(data);
  } catch {
    return null;
  }
  if (typeof value !== 'object' || value === null) return null;
  const event = value as Partial<JobEventOut>;
  if (typeof event.job_id !== 'number' || typeof event.type !== 'string') return null;
  if (typeof event.data !== 'object' || event.data === null) return null;
  return event as JobEventOut;
}
