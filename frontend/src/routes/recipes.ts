import { createRoute, lazyRouteComponent } from '@tanstack/react-router';
import { RecipesPage } from '../features/recipes/RecipesPage';
import { rootRoute } from './root';

export interface NewRecipeSearch {
  /** Key of the template the canvas starts from; absent: an empty canvas. */
  template?: string;
}

export const recipesRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/recipes',
  component: RecipesPage,
});

export const newRecipeRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/recipes/new',
  validateSearch: (search: Record<string, unknown>): NewRecipeSearch => {
    // Keys are always returned: the router keeps raw values of keys left out.
    const template = typeof search.template === 'string' && search.template ? search.template : undefined;
    return { template };
  },
  // The editor (React Flow, CodeMirror) loads with the first visit, not with the app.
  component: lazyRouteComponent(() => import('../features/recipes/editor/NewRecipePage'), 'NewRecipePage'),
});

export const recipeRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/recipes/$recipeId',
  params: {
    /** NaN for an id that is not a number; the page says there is no such recipe. */
    parse: ({ recipeId }) => ({ recipeId: /^\d+$/.test(recipeId) ? Number(recipeId) : Number.NaN }),
    stringify: ({ recipeId }) => ({ recipeId: String(recipeId) }),
  },
  component: lazyRouteComponent(() => import('../features/recipes/editor/RecipeEditorPage'), 'RecipeEditorPage'),
});
