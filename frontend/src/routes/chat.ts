import { createRoute, lazyRouteComponent } from '@tanstack/react-router';
import { rootRoute } from './root';

// The playground (markdown renderer, sampling forms) loads with its first visit, not with the app.

export const chatRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/chat',
  component: lazyRouteComponent(() => import('../features/chat/ChatPage'), 'ChatPage'),
});

export const chatThreadRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/chat/$threadId',
  params: {
    /** NaN for an id that is not a number; the page says there is no such thread. */
    parse: ({ threadId }) => ({ threadId: /^\d+$/.test(threadId) ? Number(threadId) : Number.NaN }),
    stringify: ({ threadId }) => ({ threadId: String(threadId) }),
  },
  component: lazyRouteComponent(() => import('../features/chat/ChatPage'), 'ThreadChatPage'),
});

export interface CompareSearch {
  /** Names from /v1/models, comma-separated: `?models=base-model,its-adapter`. */
  models?: string;
}

/** Side by side: `/chat/compare?models=a,b` opens with those models in the panes (a finished
 * training run links here with its base model and its adapter). */
export const chatCompareRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/chat/compare',
  validateSearch: (search: Record<string, unknown>): CompareSearch => {
    const raw = search.models;
    // The router reads a lone number (a model named "7") as a number, a list as an array.
    const models = Array.isArray(raw) ? raw.join(',') : typeof raw === 'string' || typeof raw === 'number' ? String(raw) : '';
    return models ? { models } : {};
  },
  component: lazyRouteComponent(() => import('../features/chat/ComparePage'), 'ComparePage'),
});
