import { client } from '../../api/client.gen';
import {
  jobsReadJobMetrics,
  trainingEstimateRun,
  trainingGetRun,
  trainingListPresets,
  trainingListRunCheckpoints,
  trainingListRuns,
  trainingStartRun,
} from '../../api/sdk.gen';
import type { JobMetricPoint, JobsStreamJobMetricsData, TrainingConfig } from '../../api/types.gen';
import { ApiError } from '../../lib/apiError';

export const RUNS_PAGE_SIZE = 50;
/** The most points the metrics endpoint sends per page. */
const METRICS_PAGE_SIZE = 10_000;

export const trainingKeys = {
  all: ['training'] as const,
  lists: () => [...trainingKeys.all, 'list'] as const,
  run: (id: number) => [...trainingKeys.all, 'run', id] as const,
  checkpoints: (id: number) => [...trainingKeys.all, 'checkpoints', id] as const,
  presets: () => [...trainingKeys.all, 'presets'] as const,
  estimate: (config: TrainingConfig | null) => [...trainingKeys.all, 'estimate', config] as const,
  /** Every metric of a run, followed live on the run page. */
  metrics: (id: number) => [...trainingKeys.all, 'metrics', id] as const,
  /** A run's train loss alone, for its sparkline in the list. */
  lossCurve: (id: number) => [...trainingKeys.all, 'loss-curve', id] as const,
};

export async function fetchRunsPage(cursor: string | null, signal?: AbortSignal) {
  const query = cursor ? { limit: RUNS_PAGE_SIZE, cursor } : { limit: RUNS_PAGE_SIZE };
  return (await trainingListRuns({ query, signal, throwOnError: true })).data;
}

export async function fetchRun(id: number, signal?: AbortSignal) {
  return (await trainingGetRun({ path: { job_id: id }, signal, throwOnError: true })).data;
}

export async function fetchCheckpoints(id: number, signal?: AbortSignal) {
  return (await trainingListRunCheckpoints({ path: { job_id: id }, signal, throwOnError: true })).data;
}

export async function fetchPresets(signal?: AbortSignal) {
  return (await trainingListPresets({ signal, throwOnError: true })).data;
}

export async function estimateRun(config: TrainingConfig, signal?: AbortSignal) {
  return (await trainingEstimateRun({ body: config, signal, throwOnError: true })).data;
}

/** Queues the run: a `train` job (202), or a 422 naming the field at fault. */
export async function startRun(config: TrainingConfig) {
  return (await trainingStartRun({ body: config, throwOnError: true })).data;
}

/** Every metric point a job has reported so far (of `names`, or all), page after page. */
export async function fetchMetricPoints(jobId: number, names: string[] = [], signal?: AbortSignal) {
  const points: JobMetricPoint[] = [];
  let cursor: string | null = null;
  do {
    const query: { limit: number; name?: string[]; cursor?: string } = { limit: METRICS_PAGE_SIZE };
    if (names.length > 0) query.name = names;
    if (cursor) query.cursor = cursor;
    const page = (await jobsReadJobMetrics({ path: { job_id: jobId }, query, signal, throwOnError: true })).data;
    points.push(...page.items);
    cursor = page.next_cursor;
  } while (cursor);
  return points;
}

/** Opens the job's metrics stream (`jobsStreamJobMetrics`) after point `afterId`, as a raw body
 * for lib/sse, the way openJobEvents does for job events (and for the same reasons). */
export async function openMetricEvents(jobId: number, afterId: number, signal: AbortSignal) {
  const url: JobsStreamJobMetricsData['url'] = '/api/jobs/{job_id}/metrics/events';
  const path: JobsStreamJobMetricsData['path'] = { job_id: jobId };
  const query: JobsStreamJobMetricsData['query'] = afterId > 0 ? { after: afterId } : {};
  const { response } = await client.get({
    url,
    path,
    query,
    security: [{ scheme: 'bearer', type: 'http' }],
    parseAs: 'stream',
    signal,
    throwOnError: true,
  });
  if (!response.body) throw new ApiError(response.status, 'empty_stream', 'The server sent no metrics.');
  return response.body;
}
