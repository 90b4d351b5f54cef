import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useJobSettled } from '../jobs/useJobSettled';
import { useTrackedJob } from '../jobs/useTrackedJob';
import { modelJobKeys, modelKeys, pullModel } from './api';

/** Pulls one built-in model as a `model.pull` job and follows it live; a pull started earlier
 * (this visit, or before the page was opened) is found again. The registry is refreshed when
 * the job succeeds. */
export function usePullModel(key: string) {
  const queryClient = useQueryClient();
  const { job, track } = useTrackedJob('model.pull', modelJobKeys.pull(key), (candidate) => candidate.params.key === key);
  const start = useMutation({ mutationFn: () => pullModel(key), onSuccess: track });

  useJobSettled(job, (settled) => {
    if (settled.status === 'succeeded') void queryClient.invalidateQueries({ queryKey: modelKeys.all });
  });

  return { start: () => start.mutate(), isStarting: start.isPending, job, startError: start.error };
}
