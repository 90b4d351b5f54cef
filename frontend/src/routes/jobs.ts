import { createRoute } from '@tanstack/react-router';
import { JobDetailPage } from '../features/jobs/JobDetailPage';
import { JobsPage } from '../features/jobs/JobsPage';
import type { JobStatus } from '../features/jobs/status';
import { isJobStatus } from '../features/jobs/status';
import { rootRoute } from './root';

export interface JobsSearch {
  status?: JobStatus;
  kind?: string;
}

export const jobsRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/jobs',
  validateSearch: (search: Record<string, unknown>): JobsSearch => {
    // Keys are always returned: the router keeps raw values of keys left out.
    const kind = typeof search.kind === 'string' ? search.kind.trim() : '';
    return { status: isJobStatus(search.status) ? search.status : undefined, kind: kind || undefined };
  },
  component: JobsPage,
});

export const jobRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/jobs/$jobId',
  params: {
    /** NaN for an id that is not a number; the page says there is no such job. */
    parse: ({ jobId }) => ({ jobId: /^\d+$/.test(jobId) ? Number(jobId) : Number.NaN }),
    stringify: ({ jobId }) => ({ jobId: String(jobId) }),
  },
  component: JobDetailPage,
});
