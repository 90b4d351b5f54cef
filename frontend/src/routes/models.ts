import { createRoute } from '@tanstack/react-router';
import { ModelsPage } from '../features/models/ModelsPage';
import { rootRoute } from './root';

export interface ModelsSearch {
  /** Id of the model whose details drawer is open. */
  model?: number;
}

export const modelsRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/models',
  validateSearch: (search: Record<string, unknown>): ModelsSearch => {
    const id = Number(search.model);
    return Number.isInteger(id) && id > 0 ? { model: id } : {};
  },
  component: ModelsPage,
});
