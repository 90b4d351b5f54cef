import { createRoute } from '@tanstack/react-router';
import { DatasetPage } from '../features/datasets/DatasetPage';
import { DatasetsPage } from '../features/datasets/DatasetsPage';
import { type DatasetTab, isDatasetTab } from '../features/datasets/tabs';
import { rootRoute } from './root';

export interface DatasetSearch {
  /** The version shown; absent: the newest. */
  version?: number;
  tab?: DatasetTab;
}

export const datasetsRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/datasets',
  component: DatasetsPage,
});

export const datasetRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/datasets/$datasetId',
  params: {
    /** NaN for an id that is not a number; the page says there is no such dataset. */
    parse: ({ datasetId }) => ({ datasetId: /^\d+$/.test(datasetId) ? Number(datasetId) : Number.NaN }),
    stringify: ({ datasetId }) => ({ datasetId: String(datasetId) }),
  },
  validateSearch: (search: Record<string, unknown>): DatasetSearch => {
    // Keys are always returned: the router keeps raw values of keys left out.
    const version = Number(search.version);
    return {
      version: Number.isInteger(version) && version > 0 ? version : undefined,
      tab: isDatasetTab(search.tab) ? search.tab : undefined,
    };
  },
  component: DatasetPage,
});
