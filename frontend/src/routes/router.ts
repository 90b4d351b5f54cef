import { createRouter, type RouterHistory } from '@tanstack/react-router';
import { RouteError } from '../components/RouteError';
import { chatCompareRoute, chatRoute, chatThreadRoute } from './chat';
import { datasetRoute, datasetsRoute } from './datasets';
import { exportRoute } from './exports';
import { indexRoute } from './home';
import { jobRoute, jobsRoute } from './jobs';
import { modelsRoute } from './models';
import { newRecipeRoute, recipeRoute, recipesRoute } from './recipes';
import { rootRoute } from './root';
import { settingsRoute } from './settings';
import { newRunRoute, runRoute, trainingRoute } from './training';

export const routeTree = rootRoute.addChildren([
  indexRoute,
  modelsRoute,
  datasetsRoute,
  datasetRoute,
  recipesRoute,
  newRecipeRoute,
  recipeRoute,
  trainingRoute,
  newRunRoute,
  runRoute,
  exportRoute,
  chatRoute,
  chatCompareRoute,
  chatThreadRoute,
  jobsRoute,
  jobRoute,
  settingsRoute,
]);

export function createAppRouter(history?: RouterHistory) {
  return createRouter({
    routeTree,
    defaultPreload: 'intent',
    defaultErrorComponent: RouteError,
    scrollRestoration: true,
    ...(history ? { history } : {}),
  });
}

declare module '@tanstack/react-router' {
  interface Register {
    router: ReturnType<typeof createAppRouter>;
  }
}
