import { Card, Group, SimpleGrid, Stack, Text, Title } from '@mantine/core';
import { IconArrowLeft, IconBox, IconChartLine, IconPackageExport } from '@tabler/icons-react';
import { getRouteApi } from '@tanstack/react-router';
import type { JobOut } from '../../api/types.gen';
import { ErrorAlert } from '../../components/ErrorAlert';
import { IdRoutePage } from '../../components/IdRoutePage';
import { FactList } from '../../components/FactList';
import { JsonBlock } from '../../components/JsonBlock';
import { LoadingState } from '../../components/LoadingState';
import { AnchorLink, ButtonLink } from '../../components/RouterLinks';
import { useNow } from '../../lib/useNow';
import { JobActions } from './JobActions';
import { JobErrorAlert } from './JobErrorAlert';
import { JobLogViewer } from './JobLogViewer';
import { JobProgressBar } from './JobProgressBar';
import { JobStatusBadge } from './JobStatusBadge';
import { StreamStatus } from './StreamStatus';
import { jobFacts } from './jobFacts';
import { isActive, kindLabel } from './status';
import { useLiveJob } from './useLiveJob';

const route = getRouteApi('/jobs/$jobId');

function BackLink() {
  return (
    <AnchorLink to="/jobs" size="sm">
      <Group gap={4} component="span">
        <IconArrowLeft size={14} aria-hidden />
        All jobs
      </Group>
    </AnchorLink>
  );
}

function ResultCard({ job }: { job: JobOut }) {
  const modelId = job.result?.model_id;
  const exportId = job.result?.export_id;
  return (
    <Card withBorder radius="md" padding="md" component="section" aria-labelledby="job-input-title">
      <Stack gap="sm">
        <Title order={2} size="h4" id="job-input-title">
          Parameters
        </Title>
        <JsonBlock value={job.params} label="Job parameters" />
        {job.result ? (
          <>
            <Title order={3} size="h5">
              Result
            </Title>
            <JsonBlock value={job.result} label="Job result" />
            {typeof modelId === 'number' ? (
              <ButtonLink
                to="/models"
                search={{ model: modelId }}
                variant="light"
                leftSection={<IconBox size={16} aria-hidden />}
                style={{ alignSelf: 'flex-start' }}
              >
                Open model
              </ButtonLink>
            ) : null}
            {typeof exportId === 'number' && job.kind === 'export' ? (
              <ButtonLink
                to="/exports/$exportId"
                params={{ exportId }}
                variant="light"
                leftSection={<IconPackageExport size={16} aria-hidden />}
                style={{ alignSelf: 'flex-start' }}
              >
                Open export
              </ButtonLink>
            ) : null}
          </>
        ) : null}
      </Stack>
    </Card>
  );
}

/** The job's facts; its duration ticks while it runs. */
function JobFacts({ job }: { job: JobOut }) {
  const now = useNow(1000, job.status === 'running');
  return <FactList facts={jobFacts(job, now)} label={`Details of job ${job.id}`} />;
}

function JobDetail({ jobId }: { jobId: number }) {
  const { job, stream } = useLiveJob(jobId);

  if (job.isPending) return <LoadingState label="Loading the job…" />;
  if (job.isError) {
    return <ErrorAlert title={`Could not load job #${jobId}`} error={job.error} onRetry={() => void job.refetch()} />;
  }
  const data = job.data;
  const active = isActive(data.status);
  return (
    <Stack gap="lg">
      <Group justify="space-between" align="flex-start" wrap="wrap" gap="sm">
        <Stack gap={4}>
          <Group gap="sm">
            <Title order={1} size="h2">
              Job #{data.id}
            </Title>
            <JobStatusBadge job={data} size="lg" />
            <StreamStatus stream={stream} />
          </Group>
          <Text c="dimmed" size="sm">
            {kindLabel(data.kind)}{' '}
            <Text span ff="monospace" size="sm">
              {data.kind}
            </Text>
          </Text>
        </Stack>
        <Group gap="xs">
          {data.kind === 'train' ? (
            <ButtonLink
              to="/training/$runId"
              params={{ runId: data.id }}
              variant="default"
              leftSection={<IconChartLine size={16} aria-hidden />}
            >
              Open training run
            </ButtonLink>
          ) : null}
          <JobActions job={data} />
        </Group>
      </Group>
      {data.status === 'failed' || data.status === 'cancelled' ? (
        <JobErrorAlert job={data} title={data.status === 'failed' ? 'This job failed' : 'This job was cancelled'} />
      ) : null}
      {active ? (
        <JobProgressBar
          progress={data.progress}
          label={`Job ${data.id}`}
          idleMessage={data.status === 'queued' ? 'Waiting for a worker…' : 'Starting…'}
        />
      ) : null}
      <SimpleGrid cols={{ base: 1, lg: 2 }} spacing="lg">
        <JobFacts job={data} />
        <ResultCard job={data} />
      </SimpleGrid>
      <JobLogViewer jobId={data.id} active={active} />
    </Stack>
  );
}

export function JobDetailPage() {
  const { jobId } = route.useParams();
  return (
    <IdRoutePage id={jobId} noun="job" back={<BackLink />}>
      {(id) => <JobDetail jobId={id} />}
    </IdRoutePage>
  );
}
