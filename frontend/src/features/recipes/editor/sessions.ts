import type { EditorStore } from './store';

/** Editors handed from /recipes/new to the recipe's own page once the first save created it,
 * so the canvas, its undo history and a run being started carry over. */
const handedOver = new Map<number, EditorStore>();

export function handOver(recipeId: number, store: EditorStore): void {
  handedOver.set(recipeId, store);
}

/** The editor handed over for this recipe, if any (it stays until `release`). */
export function takeOver(recipeId: number): EditorStore | undefined {
  return handedOver.get(recipeId);
}

export function release(recipeId: number, store: EditorStore): void {
  if (handedOver.get(recipeId) === store) handedOver.delete(recipeId);
}
