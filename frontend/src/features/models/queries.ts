import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { deleteModel, fetchBuiltinModels, fetchModel, fetchModelsPage, modelKeys } from './api';

export function useModelList() {
  return useInfiniteQuery({
    queryKey: modelKeys.list(),
    queryFn: ({ pageParam, signal }) => fetchModelsPage(pageParam, signal),
    initialPageParam: null as string | null,
    getNextPageParam: (page) => page.next_cursor,
    select: (data) => data.pages.flatMap((page) => page.items),
  });
}

export function useModel(id: number | undefined) {
  return useQuery({
    queryKey: modelKeys.detail(id ?? 0),
    queryFn: ({ signal }) => fetchModel(id ?? 0, signal),
    enabled: id !== undefined,
  });
}

export function useBuiltinModels() {
  return useQuery({
    queryKey: modelKeys.builtin(),
    queryFn: ({ signal }) => fetchBuiltinModels(signal),
  });
}

export function useDeleteModel() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (id: number) => deleteModel(id),
    onSuccess: (_data, id) => {
      queryClient.removeQueries({ queryKey: modelKeys.detail(id) });
      return queryClient.invalidateQueries({ queryKey: modelKeys.all });
    },
  });
}
