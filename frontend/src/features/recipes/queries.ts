import {
  keepPreviousData,
  type QueryClient,
  skipToken,
  useInfiniteQuery,
  useMutation,
  useQuery,
  useQueryClient,
} from '@tanstack/react-query';
import type { JobOut, RecipeDetail, RecipeGraph, TrainingViewRequest } from '../../api/types.gen';
import { storeJob } from '../jobs/jobCache';
import { jobKeys } from '../jobs/api';
import {
  deleteRecipe,
  fetchNodeTypes,
  fetchRecipe,
  fetchRecipesPage,
  fetchRecipeVersion,
  fetchTemplates,
  importRecipe,
  previewGraph,
  recipeJobKeys,
  recipeKeys,
  runRecipe,
  validateGraph,
} from './api';

export const RUN_KIND = 'recipe.run';
/** Validation and preview answers are kept this long after no view asks for them. */
const FEEDBACK_GC_MS = 60_000;

export function useRecipeList() {
  return useInfiniteQuery({
    queryKey: recipeKeys.lists(),
    queryFn: ({ pageParam, signal }) => fetchRecipesPage(pageParam, signal),
    initialPageParam: null as string | null,
    getNextPageParam: (page) => page.next_cursor,
    select: (data) => data.pages.flatMap((page) => page.items),
  });
}

export function useRecipe(id: number) {
  return useQuery({
    queryKey: recipeKeys.detail(id),
    queryFn: ({ signal }) => fetchRecipe(id, signal),
    enabled: Number.isInteger(id),
  });
}

/** Node types and templates change only with the server: read once. */
export function useNodeTypes() {
  return useQuery({ queryKey: recipeKeys.nodeTypes(), queryFn: ({ signal }) => fetchNodeTypes(signal), staleTime: Infinity });
}

export function useTemplates(enabled = true) {
  return useQuery({
    queryKey: recipeKeys.templates(),
    queryFn: ({ signal }) => fetchTemplates(signal),
    staleTime: Infinity,
    enabled,
  });
}

/** One saved version (immutable: never stale). */
export function fetchVersionQuery(queryClient: QueryClient, id: number, version: number) {
  return queryClient.fetchQuery({
    queryKey: recipeKeys.version(id, version),
    queryFn: ({ signal }) => fetchRecipeVersion(id, version, signal),
    staleTime: Infinity,
  });
}

/** Stores what a save answered: the recipe's detail, and a changed list. */
export function storeRecipe(queryClient: QueryClient, detail: RecipeDetail): Promise<void> {
  queryClient.setQueryData(recipeKeys.detail(detail.id), detail);
  return queryClient.invalidateQueries({ queryKey: recipeKeys.lists() });
}

export function useImportRecipe() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ yaml, name }: { yaml: string; name: string | null }) => importRecipe({ yaml, name }),
    onSuccess: (detail) => storeRecipe(queryClient, detail),
  });
}

export function useDeleteRecipe() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (id: number) => deleteRecipe(id),
    onSuccess: (_, id) => {
      queryClient.removeQueries({ queryKey: recipeKeys.detail(id) });
      return queryClient.invalidateQueries({ queryKey: recipeKeys.lists() });
    },
  });
}

/** Validation of a graph keyed by its JSON: a new graph cancels the request for the old one
 * (its signal is passed on), and the old answer stays shown until the new one arrives. */
export function useValidation(graph: RecipeGraph, graphKey: string, enabled: boolean) {
  return useQuery({
    queryKey: recipeKeys.validate(graphKey),
    queryFn: ({ signal }) => validateGraph(graph, signal),
    enabled,
    placeholderData: keepPreviousData,
    staleTime: Infinity,
    gcTime: FEEDBACK_GC_MS,
    retry: false,
  });
}

export function usePreview(
  graph: RecipeGraph,
  graphKey: string,
  trainingView: TrainingViewRequest | null,
  enabled: boolean,
) {
  return useQuery({
    queryKey: recipeKeys.preview(graphKey, trainingView ? JSON.stringify(trainingView) : ''),
    queryFn: ({ signal }) => previewGraph(graph, trainingView, signal),
    enabled,
    placeholderData: keepPreviousData,
    staleTime: Infinity,
    gcTime: FEEDBACK_GC_MS,
    retry: false,
  });
}

/** The run an editor started (kept in the cache, so leaving the page and coming back finds it). */
export function useTrackedRunId(recipeId: number | null) {
  return useQuery<number | null>({
    queryKey: recipeJobKeys.run(recipeId ?? 0),
    queryFn: skipToken,
    staleTime: Infinity,
    enabled: recipeId !== null,
  }).data;
}

/** Starts a run of a saved version and remembers it as the recipe's run. */
export async function startRun(queryClient: QueryClient, recipeId: number, version: number): Promise<JobOut> {
  const job = await runRecipe(recipeId, version);
  await storeJob(queryClient, job);
  queryClient.setQueryData(recipeJobKeys.run(recipeId), job.id);
  void queryClient.invalidateQueries({ queryKey: jobKeys.active(RUN_KIND) });
  return job;
}
