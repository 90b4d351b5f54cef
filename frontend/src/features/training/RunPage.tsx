import { Group, SimpleGrid, Stack, Text, Title } from '@mantine/core';
import { useQueryClient } from '@tanstack/react-query';
import { getRouteApi } from '@tanstack/react-router';
import { useCallback } from 'react';
import type { JobOut, TrainingRunDetail } from '../../api/types.gen';
import { ErrorAlert } from '../../components/ErrorAlert';
import { IdRoutePage } from '../../components/IdRoutePage';
import { LoadingState } from '../../components/LoadingState';
import { ExportsCard } from '../exports/ExportsCard';
import { JobErrorAlert } from '../jobs/JobErrorAlert';
import { JobLogViewer } from '../jobs/JobLogViewer';
import { JobProgressBar } from '../jobs/JobProgressBar';
import { JobStatusBadge } from '../jobs/JobStatusBadge';
import { isActive } from '../jobs/status';
import { StreamStatus } from '../jobs/StreamStatus';
import type { JobStream } from '../jobs/useJobEvents';
import { useJobSettled } from '../jobs/useJobSettled';
import { useLiveJob } from '../jobs/useLiveJob';
import { trainingKeys } from './api';
import { BackToRuns } from './BackToRuns';
import { CheckpointsCard } from './CheckpointsCard';
import { RunActions } from './RunActions';
import { RunCharts } from './RunCharts';
import { RunConfigCard } from './RunConfigCard';
import { resultName, RunResultCard } from './RunResultCard';
import { useRun } from './queries';
import { runTitle } from './runText';
import { SamplesCard } from './SamplesCard';
import './training.css';

const route = getRouteApi('/training/$runId');

function RunHeader({ run, job, stream }: { run: TrainingRunDetail; job: JobOut; stream: JobStream }) {
  return (
    <Group justify="space-between" align="flex-start" wrap="wrap" gap="sm">
      <Stack gap={4}>
        <Group gap="sm">
          <Title order={1} size="h2">
            Run #{run.id}
          </Title>
          <JobStatusBadge job={job} size="lg" />
          <StreamStatus stream={stream} />
        </Group>
        <Text c="dimmed" size="sm">
          {runTitle(run)}
        </Text>
      </Stack>
      <RunActions job={job} />
    </Group>
  );
}

function stoppedTitle(job: JobOut): string {
  const step = job.progress?.completed;
  const at = typeof step === 'number' ? ` at step ${step}` : '';
  return job.status === 'failed' ? `This run failed${at}` : `This run was stopped${at}`;
}

function RunDetail({ runId }: { runId: number }) {
  const queryClient = useQueryClient();
  const run = useRun(runId);
  const { job, stream } = useLiveJob(runId);
  // A finished run has a result, samples and maybe a new checkpoint: read them again.
  const onSettled = useCallback(() => {
    for (const queryKey of [trainingKeys.run(runId), trainingKeys.checkpoints(runId), trainingKeys.lists()]) {
      void queryClient.invalidateQueries({ queryKey });
    }
  }, [queryClient, runId]);
  useJobSettled(job.data, onSettled);

  if (run.isError || job.isError) {
    const retry = () => void Promise.all([run.refetch(), job.refetch()]);
    return <ErrorAlert title={`Could not load run #${runId}`} error={run.error ?? job.error} onRetry={retry} />;
  }
  if (run.isPending || job.isPending) return <LoadingState label="Loading the run…" />;
  const current = job.data;
  const active = isActive(current.status);
  const adapterName = resultName(run.data, 'adapter');
  return (
    <Stack gap="lg">
      <RunHeader run={run.data} job={current} stream={stream} />
      {current.status === 'failed' || current.status === 'cancelled' ? (
        <JobErrorAlert job={current} title={stoppedTitle(current)}>
          <Text size="sm">Resume continues from the newest checkpoint below.</Text>
        </JobErrorAlert>
      ) : null}
      {active ? (
        <JobProgressBar
          progress={current.progress}
          label={`Run ${runId}`}
          idleMessage={current.status === 'queued' ? 'Waiting for a worker…' : 'Loading the model and the data…'}
        />
      ) : null}
      <RunCharts runId={runId} active={active} />
      <SimpleGrid cols={{ base: 1, lg: 2 }} spacing="lg">
        <RunResultCard run={run.data} status={current.status} />
        <CheckpointsCard run={run.data} active={active} />
      </SimpleGrid>
      {run.data.adapter_model_id !== null && adapterName ? (
        <ExportsCard modelId={run.data.adapter_model_id} adapterName={adapterName} />
      ) : null}
      <SamplesCard run={run.data} status={current.status} />
      <SimpleGrid cols={{ base: 1, lg: 2 }} spacing="lg">
        <RunConfigCard run={run.data} />
        <JobLogViewer jobId={runId} active={active} />
      </SimpleGrid>
    </Stack>
  );
}

export function RunPage() {
  const { runId } = route.useParams();
  return (
    <IdRoutePage id={runId} noun="run" back={<BackToRuns />}>
      {(id) => <RunDetail runId={id} />}
    </IdRoutePage>
  );
}
