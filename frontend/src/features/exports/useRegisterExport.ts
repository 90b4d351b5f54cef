import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useCallback } from 'react';
import type { JobOut } from '../../api/types.gen';
import { useJobSettled } from '../jobs/useJobSettled';
import { useTrackedJob } from '../jobs/useTrackedJob';
import { exportJobKeys, REGISTER_KIND, registerExport } from './api';
import { refreshAfterRegister } from './queries';

/** Registers a merged or GGUF export as a model (an `export.register` job) and follows it live;
 * a register job of this export started earlier is found again. Refusals (an adapter export, a
 * name in use) are the mutation's error; a job that fails later carries its own. */
export function useRegisterExport(exportId: number) {
  const queryClient = useQueryClient();
  const matches = useCallback((job: JobOut) => job.params.export_id === exportId, [exportId]);
  const { job, track } = useTrackedJob(REGISTER_KIND, exportJobKeys.register(exportId), matches);
  const start = useMutation({ mutationFn: (name: string | null) => registerExport(exportId, name), onSuccess: track });

  useJobSettled(job, (settled) => {
    if (settled.status === 'succeeded') refreshAfterRegister(queryClient, exportId);
  });

  return { start: start.mutate, isStarting: start.isPending, startError: start.error, reset: start.reset, job };
}
