import { type QueryClient, useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useCallback, useEffect, useRef, useState } from 'react';
import type { DatasetUploadOut, JobOut, StatsRequest } from '../../api/types.gen';
import { fetchActiveJobs, jobKeys } from '../jobs/api';
import { storeJob } from '../jobs/jobCache';
import { useJobSettled } from '../jobs/useJobSettled';
import { useTrackedJob } from '../jobs/useTrackedJob';
import {
  datasetJobKeys,
  datasetKeys,
  deleteDataset,
  fetchDataset,
  fetchDatasetRows,
  fetchDatasetSamples,
  fetchDatasetsPage,
  fetchDatasetVersion,
  importSample,
  recomputeStats,
  type UploadBody,
  uploadDataset,
} from './api';
import type { TransferProgress } from './xhrFetch';

export const IMPORT_KIND = 'dataset.import';
export const STATS_KIND = 'dataset.stats';
/** How often the list asks again while imports are queued or running. */
const LIVE_LIST_INTERVAL_MS = 3000;

export function useDatasetList() {
  return useInfiniteQuery({
    queryKey: datasetKeys.lists(),
    queryFn: ({ pageParam, signal }) => fetchDatasetsPage(pageParam, signal),
    initialPageParam: null as string | null,
    getNextPageParam: (page) => page.next_cursor,
    select: (data) => data.pages.flatMap((page) => page.items),
  });
}

/** The queued and running imports, asked again while there are some; when one finishes the
 * dataset list is refreshed (its newest version, rows and size change). */
export function useActiveImports() {
  const queryClient = useQueryClient();
  const query = useQuery({
    queryKey: jobKeys.active(IMPORT_KIND),
    queryFn: ({ signal }) => fetchActiveJobs(IMPORT_KIND, signal),
    staleTime: 0,
    refetchInterval: (q) => ((q.state.data?.length ?? 0) > 0 ? LIVE_LIST_INTERVAL_MS : false),
  });
  const ids = (query.data ?? []).map((job) => job.id).join(',');
  const previous = useRef(ids);
  useEffect(() => {
    const before = previous.current.split(',').filter(Boolean);
    previous.current = ids;
    const now = new Set(ids.split(','));
    if (before.some((id) => !now.has(id))) void queryClient.invalidateQueries({ queryKey: datasetKeys.lists() });
  }, [ids, queryClient]);
  return query;
}

export function useDataset(id: number) {
  return useQuery({
    queryKey: datasetKeys.detail(id),
    queryFn: ({ signal }) => fetchDataset(id, signal),
    enabled: Number.isInteger(id),
  });
}

export function useDatasetVersion(id: number, version: number | undefined) {
  return useQuery({
    queryKey: datasetKeys.version(id, version ?? 0),
    queryFn: ({ signal }) => fetchDatasetVersion(id, version ?? 0, signal),
    enabled: version !== undefined,
    staleTime: Infinity,
  });
}

/** The rows of one version, page after page (versions are immutable: never stale). */
export function useDatasetRows(id: number, version: number) {
  return useInfiniteQuery({
    queryKey: datasetKeys.rows(id, version),
    queryFn: ({ pageParam, signal }) => fetchDatasetRows(id, version, pageParam, signal),
    initialPageParam: null as string | null,
    getNextPageParam: (page) => page.next_cursor,
    staleTime: Infinity,
  });
}

export function useDatasetSamples() {
  return useQuery({
    queryKey: datasetKeys.samples(),
    queryFn: ({ signal }) => fetchDatasetSamples(signal),
    staleTime: Infinity,
  });
}

/** Everything a new upload or import changes: the job (cached, so its page shows at once),
 * the dataset list and the dataset (its `job_id`). */
function storeQueued(queryClient: QueryClient, queued: DatasetUploadOut): Promise<unknown> {
  return Promise.all([
    storeJob(queryClient, queued.job),
    queryClient.invalidateQueries({ queryKey: datasetKeys.lists() }),
    queryClient.invalidateQueries({ queryKey: datasetKeys.detail(queued.dataset.id) }),
    queryClient.invalidateQueries({ queryKey: jobKeys.active(IMPORT_KIND) }),
  ]);
}

/** Uploads a file with its byte progress; `cancel` stops the upload (then `cancelled`). The answer (the dataset
 * and its import job) is cached before the mutation succeeds. */
export function useUploadDataset() {
  const queryClient = useQueryClient();
  const [progress, setProgress] = useState<TransferProgress | null>(null);
  const [cancelled, setCancelled] = useState(false);
  const controller = useRef<AbortController | null>(null);
  const mutation = useMutation({
    mutationFn: (body: UploadBody) => {
      const abort = new AbortController();
      controller.current = abort;
      setCancelled(false);
      setProgress({ loaded: 0, total: null });
      return uploadDataset(body, setProgress, abort.signal);
    },
    onSuccess: (queued) => storeQueued(queryClient, queued),
    onSettled: () => {
      controller.current = null;
      setProgress(null);
    },
  });
  const cancel = useCallback(() => {
    if (!controller.current) return;
    setCancelled(true);
    controller.current.abort();
  }, []);
  useEffect(() => () => controller.current?.abort(), []);
  /** The last upload was stopped by `cancel` (its error is the abort, not a failure). */
  const wasCancelled = cancelled && mutation.isError;
  return { ...mutation, progress, cancel, cancelled: wasCancelled };
}

export function useImportSample() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (key: string) => importSample(key),
    onSuccess: (queued) => storeQueued(queryClient, queued),
  });
}

/** Refreshes a dataset after a job wrote to it (a new version, new stats). */
export function refreshDataset(queryClient: QueryClient, id: number): Promise<unknown> {
  return Promise.all([
    queryClient.invalidateQueries({ queryKey: datasetKeys.detail(id) }),
    queryClient.invalidateQueries({ queryKey: datasetKeys.of(id) }),
    queryClient.invalidateQueries({ queryKey: datasetKeys.lists() }),
  ]);
}

/** Recomputes one version's stats as a `dataset.stats` job and follows it; a job started
 * earlier for the same version is found again. The version is read again when it succeeds. */
export function useRecomputeStats(id: number, version: number) {
  const queryClient = useQueryClient();
  const matches = useCallback(
    (job: JobOut) => job.params.dataset_id === id && job.params.version === version,
    [id, version],
  );
  const { job, track } = useTrackedJob(STATS_KIND, datasetJobKeys.stats(id, version), matches);
  const start = useMutation({
    mutationFn: (body: StatsRequest) => recomputeStats(id, version, body),
    onSuccess: track,
  });
  useJobSettled(job, (settled) => {
    if (settled.status === 'succeeded') void queryClient.invalidateQueries({ queryKey: datasetKeys.version(id, version) });
  });
  return { start: start.mutate, isStarting: start.isPending, startError: start.error, reset: start.reset, job };
}

export function useDeleteDataset() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (id: number) => deleteDataset(id),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: datasetKeys.lists() }),
  });
}

/** Drops what the cache holds of a deleted dataset (once no page shows it any more). */
export function forgetDataset(queryClient: QueryClient, id: number): void {
  queryClient.removeQueries({ queryKey: datasetKeys.detail(id) });
  queryClient.removeQueries({ queryKey: datasetKeys.of(id) });
}
