import { createRoute, lazyRouteComponent } from '@tanstack/react-router';
import { RunsPage } from '../features/training/RunsPage';
import { rootRoute } from './root';

export const trainingRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/training',
  component: RunsPage,
});

export const newRunRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/training/new',
  // The form (schema reader, field controls) and the run page (charts) load with their first
  // visit, not with the app.
  component: lazyRouteComponent(() => import('../features/training/NewRunPage'), 'NewRunPage'),
});

export const runRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/training/$runId',
  params: {
    /** NaN for an id that is not a number; the page says there is no such run. */
    parse: ({ runId }) => ({ runId: /^\d+$/.test(runId) ? Number(runId) : Number.NaN }),
    stringify: ({ runId }) => ({ runId: String(runId) }),
  },
  component: lazyRouteComponent(() => import('../features/training/RunPage'), 'RunPage'),
});
