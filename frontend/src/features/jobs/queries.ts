import {
  type InfiniteData,
  queryOptions,
  useInfiniteQuery,
  useMutation,
  useQuery,
  useQueryClient,
} from '@tanstack/react-query';
import type { JobPage } from '../../api/types.gen';
import { cancelJob, fetchActiveJobs, fetchJob, fetchJobsPage, type JobFilters, jobKeys, retryJob } from './api';
import { storeJob } from './jobCache';
import { isActive } from './status';

/** How often a list with queued or running jobs asks again. */
const LIVE_LIST_INTERVAL_MS = 3000;

function hasActiveJob(data: InfiniteData<JobPage> | undefined): boolean {
  return data?.pages.some((page) => page.items.some((job) => isActive(job.status))) ?? false;
}

export function useJobList(filters: JobFilters) {
  return useInfiniteQuery({
    queryKey: jobKeys.list(filters),
    queryFn: ({ pageParam, signal }) => fetchJobsPage(filters, pageParam, signal),
    initialPageParam: null as string | null,
    getNextPageParam: (page) => page.next_cursor,
    select: (data) => data.pages.flatMap((page) => page.items),
    refetchInterval: (query) => (hasActiveJob(query.state.data) ? LIVE_LIST_INTERVAL_MS : false),
  });
}

export function jobQuery(id: number) {
  return queryOptions({ queryKey: jobKeys.detail(id), queryFn: ({ signal }) => fetchJob(id, signal) });
}

export function useJob(id: number | undefined) {
  return useQuery({ ...jobQuery(id ?? 0), enabled: id !== undefined });
}

/** Queued and running jobs of one kind, to find work started before this page was opened. */
export function useActiveJobs(kind: string) {
  return useQuery({
    queryKey: jobKeys.active(kind),
    queryFn: ({ signal }) => fetchActiveJobs(kind, signal),
    staleTime: 0,
  });
}

export function useCancelJob() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (id: number) => cancelJob(id),
    onSuccess: (job) => storeJob(queryClient, job),
  });
}

export function useRetryJob() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (id: number) => retryJob(id),
    onSuccess: (job) => storeJob(queryClient, job),
  });
}
