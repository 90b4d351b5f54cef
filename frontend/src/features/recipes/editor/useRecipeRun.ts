import type { JobOut } from '../../../api/types.gen';
import { useActiveJobs } from '../../jobs/queries';
import { useLiveJob } from '../../jobs/useLiveJob';
import { RUN_KIND, useTrackedRunId } from '../queries';
import type { RunNodeProgress } from './store';

export interface RunOutput {
  node_id: string;
  dataset_id: number;
  dataset: string;
  version: number;
  rows: number;
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Rows per node from a recipe run's progress details (`{nodes: {id: {rows_in, rows_out}}}`),
 * or from its result once it finished. */
export function runNodeProgress(job: JobOut | undefined): Record<string, RunNodeProgress> | null {
  if (!job) return null;
  const fromResult = isRecord(job.result) ? job.result.nodes : undefined;
  const fromProgress = job.progress?.details?.nodes;
  const nodes = isRecord(fromProgress) ? fromProgress : isRecord(fromResult) ? fromResult : null;
  if (!nodes) return null;
  const out: Record<string, RunNodeProgress> = {};
  for (const [id, value] of Object.entries(nodes)) {
    if (!isRecord(value)) continue;
    out[id] = {
      ...(typeof value.rows_in === 'number' ? { rows_in: value.rows_in } : {}),
      ...(typeof value.rows_out === 'number' ? { rows_out: value.rows_out } : {}),
    };
  }
  return out;
}

/** The datasets a finished run wrote (its result's `outputs`). */
export function runOutputs(job: JobOut | undefined): RunOutput[] {
  const outputs = isRecord(job?.result) ? job.result.outputs : undefined;
  if (!Array.isArray(outputs)) return [];
  return outputs.filter(
    (output): output is RunOutput =>
      isRecord(output) && typeof output.node_id === 'string' && typeof output.dataset_id === 'number',
  );
}

/** The latest run of a recipe this page follows: the one it started, or a queued or running
 * one started elsewhere. Newer jobs win; ids only grow. */
export function useRecipeRun(recipeId: number | null) {
  const trackedId = useTrackedRunId(recipeId);
  const active = useActiveJobs(RUN_KIND);
  const found = recipeId === null ? undefined : active.data?.find((job) => job.params.recipe_id === recipeId)?.id;
  const jobId = Math.max(trackedId ?? 0, found ?? 0) || undefined;
  return useLiveJob(jobId).job.data;
}
