import {
  type InfiniteData,
  keepPreviousData,
  skipToken,
  useInfiniteQuery,
  useMutation,
  useQuery,
  useQueryClient,
} from '@tanstack/react-query';
import type { TrainingConfig, TrainingRunPage } from '../../api/types.gen';
import type { ChartPoint } from '../../components/chart/chartMath';
import { storeJob } from '../jobs/jobCache';
import { isActive } from '../jobs/status';
import {
  estimateRun,
  fetchCheckpoints,
  fetchMetricPoints,
  fetchPresets,
  fetchRun,
  fetchRunsPage,
  startRun,
  trainingKeys,
} from './api';
import { mergeMetrics, NO_METRICS } from './metrics/runMetrics';

/** How often views of queued or running runs ask again (lists, loss curves, checkpoints). */
export const LIVE_INTERVAL_MS = 3000;

function hasActiveRun(data: InfiniteData<TrainingRunPage> | undefined): boolean {
  return data?.pages.some((page) => page.items.some((run) => isActive(run.status))) ?? false;
}

export function useRunList() {
  return useInfiniteQuery({
    queryKey: trainingKeys.lists(),
    queryFn: ({ pageParam, signal }) => fetchRunsPage(pageParam, signal),
    initialPageParam: null as string | null,
    getNextPageParam: (page) => page.next_cursor,
    select: (data) => data.pages.flatMap((page) => page.items),
    refetchInterval: (query) => (hasActiveRun(query.state.data) ? LIVE_INTERVAL_MS : false),
  });
}

export function useRun(id: number) {
  return useQuery({ queryKey: trainingKeys.run(id), queryFn: ({ signal }) => fetchRun(id, signal) });
}

export function useCheckpoints(id: number, runActive: boolean) {
  return useQuery({
    queryKey: trainingKeys.checkpoints(id),
    queryFn: ({ signal }) => fetchCheckpoints(id, signal),
    refetchInterval: runActive ? LIVE_INTERVAL_MS : false,
  });
}

export function usePresets() {
  return useQuery({ queryKey: trainingKeys.presets(), queryFn: ({ signal }) => fetchPresets(signal), staleTime: Infinity });
}

/** The train loss of a run as a curve, asked again while the run is active. */
export function useLossCurve(id: number, runActive: boolean) {
  return useQuery({
    queryKey: trainingKeys.lossCurve(id),
    queryFn: async ({ signal }): Promise<readonly ChartPoint[]> =>
      mergeMetrics(NO_METRICS, await fetchMetricPoints(id, ['train_loss'], signal)).series.train_loss ?? [],
    refetchInterval: runActive ? LIVE_INTERVAL_MS : false,
  });
}

/** The estimate of a config; `null` asks nothing (the form is not complete yet). The previous
 * estimate stays on screen while the next one is computed. */
export function useEstimate(config: TrainingConfig | null) {
  return useQuery({
    queryKey: trainingKeys.estimate(config),
    queryFn: config ? ({ signal }) => estimateRun(config, signal) : skipToken,
    placeholderData: keepPreviousData,
    staleTime: 30_000,
  });
}

export function useStartRun() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (config: TrainingConfig) => startRun(config),
    onSuccess: async (job) => {
      await storeJob(queryClient, job);
      await queryClient.invalidateQueries({ queryKey: trainingKeys.lists() });
    },
  });
}
