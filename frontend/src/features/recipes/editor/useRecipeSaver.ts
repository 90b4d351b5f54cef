import { notifications } from '@mantine/notifications';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useNavigate } from '@tanstack/react-router';
import { useCallback } from 'react';
import { errorMessage } from '../../../lib/apiError';
import { createRecipe, saveRecipe } from '../api';
import { graphJson, toGraph } from '../graph/convert';
import { nameProblem } from '../names';
import { startRun, storeRecipe } from '../queries';
import { handOver } from './sessions';
import type { EditorStore } from './store';

export interface SavedRef {
  recipeId: number;
  version: number;
}

class NotSaved extends Error {}

/** Saving (a new recipe is created; a saved one gets a new version) and running (after saving
 * what is not saved yet). A new recipe's editor moves to the recipe's own address, taking its
 * canvas along. */
export function useRecipeSaver(store: EditorStore, recipeId: number | null) {
  const queryClient = useQueryClient();
  const navigate = useNavigate();

  const saveNow = useCallback(
    async (onlyIfDirty: boolean): Promise<SavedRef> => {
      const state = store.getState();
      if (onlyIfDirty && recipeId !== null && state.saved && !state.dirty) {
        return { recipeId, version: state.saved.version };
      }
      const problem = nameProblem(state.name);
      if (problem) throw new NotSaved(`Recipe name: ${problem}`);
      const graph = toGraph(state.nodes, state.edges);
      const json = graphJson(state.nodes, state.edges);
      const meta = { name: state.name, description: state.description };
      if (recipeId === null) {
        const detail = await createRecipe({ ...meta, graph });
        await storeRecipe(queryClient, detail);
        state.actions.markSaved(json, meta, detail.latest_version);
        handOver(detail.id, store);
        void navigate({ to: '/recipes/$recipeId', params: { recipeId: detail.id }, replace: true });
        return { recipeId: detail.id, version: detail.latest_version };
      }
      const detail = await saveRecipe(recipeId, { ...meta, graph });
      await storeRecipe(queryClient, detail);
      store.getState().actions.markSaved(json, meta, detail.latest_version);
      return { recipeId, version: detail.latest_version };
    },
    [store, recipeId, queryClient, navigate],
  );

  const save = useMutation({
    mutationFn: () => saveNow(false),
    onSuccess: (saved) =>
      notifications.show({ color: 'teal', title: 'Recipe saved', message: `Version ${saved.version}`, autoClose: 2500 }),
    onError: (error) =>
      notifications.show({ color: 'red', title: 'Could not save the recipe', message: errorMessage(error), autoClose: false }),
  });

  const run = useMutation({
    mutationFn: async () => {
      const saved = await saveNow(true);
      return startRun(queryClient, saved.recipeId, saved.version);
    },
    onError: (error) =>
      notifications.show({ color: 'red', title: 'Could not start the run', message: errorMessage(error), autoClose: false }),
  });

  return { save, run };
}
