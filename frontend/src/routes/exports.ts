import { createRoute, lazyRouteComponent } from '@tanstack/react-router';
import { rootRoute } from './root';

export const exportRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/exports/$exportId',
  params: {
    /** NaN for an id that is not a number; the page says there is no such export. */
    parse: ({ exportId }) => ({ exportId: /^\d+$/.test(exportId) ? Number(exportId) : Number.NaN }),
    stringify: ({ exportId }) => ({ exportId: String(exportId) }),
  },
  component: lazyRouteComponent(() => import('../features/exports/ExportPage'), 'ExportPage'),
});
