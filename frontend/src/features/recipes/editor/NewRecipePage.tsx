import { getRouteApi } from '@tanstack/react-router';
import { useEffect, useState } from 'react';
import { ErrorAlert } from '../../../components/ErrorAlert';
import { LoadingState } from '../../../components/LoadingState';
import { freeName } from '../names';
import { useNodeTypes, useRecipeList, useTemplates } from '../queries';
import { RecipeEditor } from './RecipeEditor';
import { createEditorStore } from './store';

const route = getRouteApi('/recipes/new');

/** A recipe not saved yet: an empty canvas, or a template's graph. The first save creates it. */
export function NewRecipePage() {
  const { template: key } = route.useSearch();
  const nodeTypes = useNodeTypes();
  const templates = useTemplates(key !== undefined);
  const recipes = useRecipeList();
  const [store] = useState(() => createEditorStore());
  const [loaded, setLoaded] = useState<string | null>(null);
  const template = key === undefined ? null : templates.data?.find((entry) => entry.key === key);
  const ready = recipes.isSuccess && (key === undefined || templates.isSuccess);
  const wanted = key ?? '';

  useEffect(() => {
    if (!ready || loaded === wanted) return;
    const taken = new Set(recipes.data.map((recipe) => recipe.name));
    const graph = template?.graph ?? { schema_version: 1, nodes: [], edges: [] };
    store.getState().actions.load(
      graph,
      { name: freeName(template?.name ?? 'new-recipe', taken), description: template?.description ?? '' },
      null,
    );
    setLoaded(wanted);
  }, [ready, loaded, wanted, template, recipes.data, store]);

  const failed = [nodeTypes, templates, recipes].find((query) => query.isError);
  if (failed) return <ErrorAlert title="Could not open the editor" error={failed.error} onRetry={() => void failed.refetch()} />;
  if (key !== undefined && templates.isSuccess && !template) {
    return <ErrorAlert title="No such template" error={`There is no recipe template named ${key}.`} />;
  }
  if (loaded !== wanted || !nodeTypes.data) return <LoadingState label="Opening the editor…" />;
  return <RecipeEditor store={store} recipeId={null} detail={undefined} nodeTypes={nodeTypes.data} />;
}
