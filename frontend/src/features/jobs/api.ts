import { client } from '../../api/client.gen';
import { jobsCancelJob, jobsGetJob, jobsListJobs, jobsReadJobLogs, jobsRetryJob } from '../../api/sdk.gen';
import type { JobsListJobsData, JobsStreamJobEventsData } from '../../api/types.gen';
import { ApiError } from '../../lib/apiError';
import type { JobStatus } from './status';

export const JOBS_PAGE_SIZE = 50;
/** Enough to find the few pulls or imports that can be under way at once. */
const ACTIVE_LIMIT = 20;

export interface JobFilters {
  status?: JobStatus;
  kind?: string;
}

export const jobKeys = {
  all: ['jobs'] as const,
  lists: () => [...jobKeys.all, 'list'] as const,
  list: (filters: JobFilters) => [...jobKeys.lists(), filters] as const,
  details: () => [...jobKeys.all, 'detail'] as const,
  detail: (id: number) => [...jobKeys.details(), id] as const,
  log: (id: number) => [...jobKeys.all, 'log', id] as const,
  active: (kind: string) => [...jobKeys.all, 'active', kind] as const,
};

export async function fetchJobsPage(filters: JobFilters, cursor: string | null, signal?: AbortSignal) {
  const query: JobsListJobsData['query'] = {
    limit: JOBS_PAGE_SIZE,
    ...(filters.status ? { status: [filters.status] } : {}),
    ...(filters.kind ? { kind: [filters.kind] } : {}),
    ...(cursor ? { cursor } : {}),
  };
  return (await jobsListJobs({ query, signal, throwOnError: true })).data;
}

/** The queued and running jobs of one kind, newest first. */
export async function fetchActiveJobs(kind: string, signal?: AbortSignal) {
  const query: JobsListJobsData['query'] = { kind: [kind], status: ['queued', 'running'], limit: ACTIVE_LIMIT };
  return (await jobsListJobs({ query, signal, throwOnError: true })).data.items;
}

export async function fetchJob(id: number, signal?: AbortSignal) {
  return (await jobsGetJob({ path: { job_id: id }, signal, throwOnError: true })).data;
}

export async function cancelJob(id: number) {
  return (await jobsCancelJob({ path: { job_id: id }, throwOnError: true })).data;
}

export async function retryJob(id: number) {
  return (await jobsRetryJob({ path: { job_id: id }, throwOnError: true })).data;
}

export async function fetchJobLog(id: number, offset: number, signal?: AbortSignal) {
  return (await jobsReadJobLogs({ path: { job_id: id }, query: { offset }, signal, throwOnError: true })).data;
}

/** Opens the job's event stream (`jobsStreamJobEvents`), replaying what came after
 * `lastEventId`. The generated SDK function reads SSE with hey-api's own reader, which retries
 * by itself and drops the API's error message; this asks the same generated client (base URL,
 * bearer token, ApiError on failure) for the raw body instead, for lib/sse to read. The url and
 * parameters are typed by the generated operation. */
export async function openJobEvents(id: number, lastEventId: string | null, signal: AbortSignal) {
  const url: JobsStreamJobEventsData['url'] = '/api/jobs/{job_id}/events';
  const path: JobsStreamJobEventsData['path'] = { job_id: id };
  const after = lastEventId === null ? Number.NaN : Number(lastEventId);
  const query: JobsStreamJobEventsData['query'] = Number.isInteger(after) ? { after } : {};
  const { response } = await client.get({
    url,
    path,
    query,
    security: [{ scheme: 'bearer', type: 'http' }],
    parseAs: 'stream',
    signal,
    throwOnError: true,
  });
  if (!response.body) throw new ApiError(response.status, 'empty_stream', 'The server sent no job events.');
  return response.body;
}
