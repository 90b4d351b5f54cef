import { IconTopologyStar3 } from '@tabler/icons-react';
import { getRouteApi } from '@tanstack/react-router';
import { useEffect, useState } from 'react';
import { EmptyState } from '../../../components/EmptyState';
import { ErrorAlert } from '../../../components/ErrorAlert';
import { LoadingState } from '../../../components/LoadingState';
import { ButtonLink } from '../../../components/RouterLinks';
import { ApiError } from '../../../lib/apiError';
import { useNodeTypes, useRecipe } from '../queries';
import { RecipeEditor } from './RecipeEditor';
import { release, takeOver } from './sessions';
import { createEditorStore } from './store';

const route = getRouteApi('/recipes/$recipeId');

function NoSuchRecipe() {
  return (
    <EmptyState
      icon={<IconTopologyStar3 size={26} />}
      title="No such recipe"
      action={
        <ButtonLink to="/recipes" variant="light">
          Go to Recipes
        </ButtonLink>
      }
    >
      It may have been deleted. Open another recipe, or start a new one from the Recipes page.
    </EmptyState>
  );
}

/** One saved recipe in the editor (its newest version, or the canvas a new recipe's first
 * save handed over). */
function SavedRecipeEditor({ recipeId }: { recipeId: number }) {
  const recipe = useRecipe(recipeId);
  const nodeTypes = useNodeTypes();
  const [handed] = useState(() => takeOver(recipeId));
  const [store] = useState(() => handed ?? createEditorStore());
  const [loaded, setLoaded] = useState(handed !== undefined);

  useEffect(() => () => release(recipeId, store), [recipeId, store]);

  useEffect(() => {
    if (loaded || !recipe.data) return;
    const { latest, name, description } = recipe.data;
    store.getState().actions.load(latest.graph, { name, description }, { version: latest.version });
    setLoaded(true);
  }, [loaded, recipe.data, store]);

  if (recipe.isError) {
    if (recipe.error instanceof ApiError && recipe.error.status === 404) return <NoSuchRecipe />;
    return <ErrorAlert title="Could not load the recipe" error={recipe.error} onRetry={() => void recipe.refetch()} />;
  }
  if (nodeTypes.isError) {
    return <ErrorAlert title="Could not load the node types" error={nodeTypes.error} onRetry={() => void nodeTypes.refetch()} />;
  }
  if (!loaded || !nodeTypes.data) return <LoadingState label="Loading the recipe…" />;
  return <RecipeEditor store={store} recipeId={recipeId} detail={recipe.data} nodeTypes={nodeTypes.data} />;
}

export function RecipeEditorPage() {
  const { recipeId } = route.useParams();
  if (Number.isNaN(recipeId)) return <NoSuchRecipe />;
  return <SavedRecipeEditor key={recipeId} recipeId={recipeId} />;
}
