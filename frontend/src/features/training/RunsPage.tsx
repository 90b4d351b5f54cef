import { Button, Card, Group, Stack } from '@mantine/core';
import { IconChartLine, IconPlus } from '@tabler/icons-react';
import { Link } from '@tanstack/react-router';
import { EmptyState } from '../../components/EmptyState';
import { ErrorAlert } from '../../components/ErrorAlert';
import { LoadingState } from '../../components/LoadingState';
import { PageHeader } from '../../components/PageHeader';
import { ButtonLink } from '../../components/RouterLinks';
import { useRunList } from './queries';
import { RunsTable } from './RunsTable';

function RunList() {
  const runs = useRunList();
  if (runs.isPending) return <LoadingState label="Loading training runs…" />;
  if (runs.isError) {
    return <ErrorAlert title="Could not load training runs" error={runs.error} onRetry={() => void runs.refetch()} />;
  }
  if (runs.data.length === 0) {
    return (
      <EmptyState
        icon={<IconChartLine size={26} />}
        title="No training runs yet"
        action={
          <Button component={Link} to="/training/new" variant="light">
            Start a run
          </Button>
        }
      >
        A run trains a LoRA adapter on a base model with one of your datasets, with live loss charts. Start one: the
        quick CPU demo preset with the built-in model and the identity sample takes a few minutes on a laptop.
      </EmptyState>
    );
  }
  return (
    <Stack gap="sm">
      <RunsTable runs={runs.data} />
      {runs.hasNextPage ? (
        <Group justify="center">
          <Button variant="default" onClick={() => void runs.fetchNextPage()} loading={runs.isFetchingNextPage}>
            Load more
          </Button>
        </Group>
      ) : null}
    </Stack>
  );
}

export function RunsPage() {
  return (
    <Stack gap="lg">
      <PageHeader
        title="Training"
        description="LoRA runs, newest first. Queued and running runs update live."
        actions={
          <ButtonLink to="/training/new" leftSection={<IconPlus size={16} aria-hidden />}>
            New run
          </ButtonLink>
        }
      />
      <Card withBorder radius="md" padding="md" component="section" aria-label="Run list">
        <RunList />
      </Card>
    </Stack>
  );
}
