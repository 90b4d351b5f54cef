import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { JobOut, ModelImportRequest } from '../../api/types.gen';
import { useJobSettled } from '../jobs/useJobSettled';
import { useTrackedJob } from '../jobs/useTrackedJob';
import { importModel, modelJobKeys, modelKeys } from './api';

const anyImport = () => true;

/** Imports a model as a `model.import` job and follows it live. Bad input is refused at once
 * (the mutation's error); a job that fails later carries its own error. `onImported` runs when
 * this view sees the job succeed, after the registry was asked to refresh. */
export function useImportModel(onImported: (job: JobOut) => void) {
  const queryClient = useQueryClient();
  const { job, track } = useTrackedJob('model.import', modelJobKeys.import(), anyImport);
  const start = useMutation({ mutationFn: (body: ModelImportRequest) => importModel(body), onSuccess: track });

  useJobSettled(job, (settled) => {
    if (settled.status !== 'succeeded') return;
    void queryClient.invalidateQueries({ queryKey: modelKeys.all });
    onImported(settled);
  });

  return { start: start.mutate, isStarting: start.isPending, startError: start.error, reset: start.reset, job };
}
