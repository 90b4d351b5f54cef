import { skipToken, useMutation, useMutationState, useQuery, useQueryClient } from '@tanstack/react-query';
import type { ProgressEvent } from '../../api/types.gen';
import { modelKeys, pullKeys, pullModel } from './api';

/** Pulls one built-in model. Progress lives in the query cache and the pull in the mutation
 * cache, so leaving the page and coming back shows the pull that is still running. */
export function usePullModel(key: string) {
  const queryClient = useQueryClient();
  const progressKey = pullKeys.progress(key);

  const { data: progress } = useQuery<ProgressEvent | null>({
    queryKey: progressKey,
    queryFn: skipToken,
    staleTime: Infinity,
  });

  const mutation = useMutation({
    mutationKey: pullKeys.mutation(key),
    mutationFn: () => pullModel(key, (event) => queryClient.setQueryData(progressKey, event)),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: modelKeys.all }),
    onSettled: () => queryClient.setQueryData(progressKey, null),
  });

  const runningElsewhere =
    useMutationState({ filters: { mutationKey: pullKeys.mutation(key), status: 'pending' } }).length > 0;

  return {
    start: () => mutation.mutate(),
    isPulling: mutation.isPending || runningElsewhere,
    progress: progress ?? null,
    error: mutation.error,
  };
}
