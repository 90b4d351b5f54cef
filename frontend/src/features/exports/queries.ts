import { type QueryClient, useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { ExportConfig, JobOut } from '../../api/types.gen';
import { jobKeys } from '../jobs/api';
import { storeJob } from '../jobs/jobCache';
import { useActiveJobs } from '../jobs/queries';
import { modelKeys } from '../models/api';
import {
  createExport,
  deleteExport,
  EXPORT_KIND,
  exportKeys,
  fetchExport,
  fetchExportsPage,
} from './api';

export function useExportList(modelId: number | null) {
  return useInfiniteQuery({
    queryKey: exportKeys.list(modelId),
    queryFn: ({ pageParam, signal }) => fetchExportsPage(modelId, pageParam, signal),
    initialPageParam: null as string | null,
    getNextPageParam: (page) => page.next_cursor,
    select: (data) => data.pages.flatMap((page) => page.items),
  });
}

export function useExport(id: number | undefined) {
  return useQuery({
    queryKey: exportKeys.detail(id ?? 0),
    queryFn: ({ signal }) => fetchExport(id ?? 0, signal),
    enabled: id !== undefined,
  });
}

/** The queued and running exports of one adapter (a job's params name the adapter by name). */
export function useActiveExports(adapterName: string | null): JobOut[] {
  const active = useActiveJobs(EXPORT_KIND).data ?? [];
  return adapterName === null ? [] : active.filter((job) => job.params.source === adapterName);
}

/** What a finished export job changes: the lists of exports and of exports under way. */
export function refreshAfterExport(queryClient: QueryClient): void {
  void queryClient.invalidateQueries({ queryKey: exportKeys.lists() });
  void queryClient.invalidateQueries({ queryKey: jobKeys.active(EXPORT_KIND) });
}

/** What a finished register job changes: the export (now registered) and the model registry. */
export function refreshAfterRegister(queryClient: QueryClient, exportId: number): void {
  void queryClient.invalidateQueries({ queryKey: exportKeys.detail(exportId) });
  void queryClient.invalidateQueries({ queryKey: exportKeys.lists() });
  void queryClient.invalidateQueries({ queryKey: modelKeys.all });
}

export function useCreateExport() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (config: ExportConfig) => createExport(config),
    onSuccess: async (job) => {
      await storeJob(queryClient, job);
      await queryClient.invalidateQueries({ queryKey: jobKeys.active(EXPORT_KIND) });
    },
  });
}

export function useDeleteExport() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (id: number) => deleteExport(id),
    onSuccess: (_data, id) => {
      queryClient.removeQueries({ queryKey: exportKeys.detail(id) });
      return queryClient.invalidateQueries({ queryKey: exportKeys.lists() });
    },
  });
}
