import {
  recipesCreateRecipe,
  recipesDeleteRecipe,
  recipesExportRecipeYaml,
  recipesGetRecipe,
  recipesGetRecipeVersion,
  recipesImportRecipe,
  recipesListNodeTypes,
  recipesListRecipes,
  recipesListRecipeTemplates,
  recipesPreviewRecipeRows,
  recipesRunRecipe,
  recipesSaveRecipe,
  recipesValidateRecipe,
} from '../../api/sdk.gen';
import type { PreviewRequest, RecipeCreate, RecipeGraph, RecipeImport, RecipeUpdate } from '../../api/types.gen';

export const RECIPES_PAGE_SIZE = 50;
/** Rows each source reads for the live preview. */
export const PREVIEW_LIMIT = 20;

export const recipeKeys = {
  all: ['recipes'] as const,
  lists: () => [...recipeKeys.all, 'list'] as const,
  detail: (id: number) => [...recipeKeys.all, 'detail', id] as const,
  version: (id: number, version: number) => [...recipeKeys.all, 'version', id, version] as const,
  nodeTypes: () => [...recipeKeys.all, 'node-types'] as const,
  templates: () => [...recipeKeys.all, 'templates'] as const,
  /** Validation and preview of a graph, keyed by its JSON (positions left out). */
  validate: (graphKey: string) => [...recipeKeys.all, 'validate', graphKey] as const,
  preview: (graphKey: string, trainingView: string) => [...recipeKeys.all, 'preview', graphKey, trainingView] as const,
};

/** The id of the run a recipe's editor started, outside `recipeKeys.all` so refreshing the
 * recipe never forgets it. */
export const recipeJobKeys = {
  run: (id: number) => ['recipe-jobs', 'run', id] as const,
};

export async function fetchRecipesPage(cursor: string | null, signal?: AbortSignal) {
  const query = cursor ? { limit: RECIPES_PAGE_SIZE, cursor } : { limit: RECIPES_PAGE_SIZE };
  return (await recipesListRecipes({ query, signal, throwOnError: true })).data;
}

export async function fetchRecipe(id: number, signal?: AbortSignal) {
  return (await recipesGetRecipe({ path: { recipe_id: id }, signal, throwOnError: true })).data;
}

export async function fetchRecipeVersion(id: number, version: number, signal?: AbortSignal) {
  return (await recipesGetRecipeVersion({ path: { recipe_id: id, version }, signal, throwOnError: true })).data;
}

export async function fetchRecipeYaml(id: number, version: number, signal?: AbortSignal) {
  return (await recipesExportRecipeYaml({ path: { recipe_id: id, version }, signal, throwOnError: true })).data;
}

export async function fetchNodeTypes(signal?: AbortSignal) {
  return (await recipesListNodeTypes({ signal, throwOnError: true })).data;
}

export async function fetchTemplates(signal?: AbortSignal) {
  return (await recipesListRecipeTemplates({ signal, throwOnError: true })).data;
}

export async function createRecipe(body: RecipeCreate) {
  return (await recipesCreateRecipe({ body, throwOnError: true })).data;
}

export async function saveRecipe(id: number, body: RecipeUpdate) {
  return (await recipesSaveRecipe({ path: { recipe_id: id }, body, throwOnError: true })).data;
}

export async function importRecipe(body: RecipeImport) {
  return (await recipesImportRecipe({ body, throwOnError: true })).data;
}

export async function deleteRecipe(id: number): Promise<void> {
  await recipesDeleteRecipe({ path: { recipe_id: id }, throwOnError: true });
}

export async function runRecipe(id: number, version: number) {
  return (await recipesRunRecipe({ path: { recipe_id: id }, body: { version }, throwOnError: true })).data;
}

/** Checks any graph, even a broken one; every problem names its node. */
export async function validateGraph(graph: RecipeGraph, signal?: AbortSignal) {
  return (await recipesValidateRecipe({ body: { graph }, signal, throwOnError: true })).data;
}

export async function previewGraph(
  graph: RecipeGraph,
  trainingView: PreviewRequest['training_view'],
  signal?: AbortSignal,
) {
  const body: PreviewRequest = { graph, limit: PREVIEW_LIMIT, ...(trainingView ? { training_view: trainingView } : {}) };
  return (await recipesPreviewRecipeRows({ body, signal, throwOnError: true })).data;
}
