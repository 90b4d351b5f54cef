import { Button, Card, Group, Stack } from '@mantine/core';
import { IconFilterOff, IconListCheck } from '@tabler/icons-react';
import { getRouteApi, Link } from '@tanstack/react-router';
import { useCallback } from 'react';
import { EmptyState } from '../../components/EmptyState';
import { ErrorAlert } from '../../components/ErrorAlert';
import { LoadingState } from '../../components/LoadingState';
import { PageHeader } from '../../components/PageHeader';
import { JobFilters } from './JobFilters';
import { JobsTable } from './JobsTable';
import type { JobFilters as Filters } from './api';
import { useJobList } from './queries';
import { kindLabel, STATUS_META } from './status';

const route = getRouteApi('/jobs');

function describeFilters({ status, kind }: Filters): string {
  const parts = [status ? STATUS_META[status].label.toLowerCase() : null, kind ? kindLabel(kind) : null];
  return parts.filter(Boolean).join(' ');
}

function JobList({ filters, onClear }: { filters: Filters; onClear: () => void }) {
  const jobs = useJobList(filters);
  const filtered = Boolean(filters.status || filters.kind);

  if (jobs.isPending) return <LoadingState label="Loading jobs…" />;
  if (jobs.isError) {
    return <ErrorAlert title="Could not load jobs" error={jobs.error} onRetry={() => void jobs.refetch()} />;
  }
  if (jobs.data.length === 0) {
    return filtered ? (
      <EmptyState
        icon={<IconFilterOff size={26} />}
        title="No matching jobs"
        action={
          <Button variant="light" onClick={onClear}>
            Clear filters
          </Button>
        }
      >
        There is no {describeFilters(filters)} job. Clear the filters to see every job.
      </EmptyState>
    ) : (
      <EmptyState
        icon={<IconListCheck size={26} />}
        title="No jobs yet"
        action={
          <Button component={Link} to="/models" variant="light">
            Go to Models
          </Button>
        }
      >
        Every long action runs as a job: pulling or importing a model today, recipe runs, training and exports
        later. Pull the built-in model on the Models page to start one.
      </EmptyState>
    );
  }
  return (
    <Stack gap="sm">
      <JobsTable jobs={jobs.data} />
      {jobs.hasNextPage ? (
        <Group justify="center">
          <Button variant="default" onClick={() => void jobs.fetchNextPage()} loading={jobs.isFetchingNextPage}>
            Load more
          </Button>
        </Group>
      ) : null}
    </Stack>
  );
}

export function JobsPage() {
  const filters = route.useSearch();
  const navigate = route.useNavigate();
  const setFilters = useCallback((next: Filters) => void navigate({ search: next }), [navigate]);
  const clearFilters = useCallback(() => void navigate({ search: {} }), [navigate]);

  return (
    <Stack gap="lg">
      <PageHeader
        title="Jobs"
        description="Everything long-running, newest first. Queued and running jobs update live."
      />
      <Card withBorder radius="md" padding="md" component="section" aria-label="Job list">
        <Stack gap="md">
          <JobFilters value={filters} onChange={setFilters} />
          <JobList filters={filters} onClear={clearFilters} />
        </Stack>
      </Card>
    </Stack>
  );
}
