import { Button, Group, Stack, Text } from '@mantine/core';
import { IconArrowLeft, IconExternalLink } from '@tabler/icons-react';
import { useQueryClient } from '@tanstack/react-query';
import { useCallback } from 'react';
import type { JobOut } from '../../api/types.gen';
import { ErrorAlert } from '../../components/ErrorAlert';
import { LoadingState } from '../../components/LoadingState';
import { AnchorLink } from '../../components/RouterLinks';
import { JobErrorAlert } from '../jobs/JobErrorAlert';
import { JobProgressBar } from '../jobs/JobProgressBar';
import { JobStatusBadge } from '../jobs/JobStatusBadge';
import { isActive } from '../jobs/status';
import { StreamStatus } from '../jobs/StreamStatus';
import { useJobSettled } from '../jobs/useJobSettled';
import { useLiveJob } from '../jobs/useLiveJob';
import { ExportDetails } from './ExportDetails';
import { refreshAfterExport, useExport } from './queries';

function exportIdOf(job: JobOut): number | undefined {
  const id = job.result?.export_id;
  return typeof id === 'number' ? id : undefined;
}

function FinishedExport({ exportId }: { exportId: number }) {
  const item = useExport(exportId);
  if (item.isPending) return <LoadingState label="Loading the verification report…" />;
  if (item.isError) {
    return <ErrorAlert title={`Could not load export #${exportId}`} error={item.error} onRetry={() => void item.refetch()} />;
  }
  return (
    <Stack gap="md">
      <ExportDetails item={item.data} headingOrder={3} />
      <Group justify="flex-end">
        <AnchorLink to="/exports/$exportId" params={{ exportId }} size="sm">
          <Group gap={4} component="span">
            Open the export&apos;s page
            <IconExternalLink size={14} aria-hidden />
          </Group>
        </AnchorLink>
      </Group>
    </Stack>
  );
}

/** An export job from queued to done: live progress from its events, then the finished
 * export's report; a failure says why and offers the form again. */
export function ExportJobView({ jobId, onBack }: { jobId: number; onBack: () => void }) {
  const queryClient = useQueryClient();
  const { job, stream } = useLiveJob(jobId);
  useJobSettled(
    job.data,
    useCallback(() => refreshAfterExport(queryClient), [queryClient]),
  );

  if (job.isPending) return <LoadingState label="Loading the export job…" />;
  if (job.isError) {
    return <ErrorAlert title={`Could not load job #${jobId}`} error={job.error} onRetry={() => void job.refetch()} />;
  }
  const current = job.data;
  const exportId = exportIdOf(current);
  const status = (
    <Group gap="xs">
      <JobStatusBadge job={current} />
      <StreamStatus stream={stream} />
      <AnchorLink to="/jobs/$jobId" params={{ jobId }} size="xs">
        Job #{jobId} and its log
      </AnchorLink>
    </Group>
  );

  if (isActive(current.status)) {
    return (
      <Stack gap="sm">
        {status}
        <JobProgressBar
          progress={current.progress}
          label={`Export job ${jobId}`}
          idleMessage={current.status === 'queued' ? 'Waiting for a worker…' : 'Loading the models…'}
        />
        <Text size="xs" c="dimmed">
          Closing this window does not stop the export: the list of exports follows it.
        </Text>
      </Stack>
    );
  }
  if (current.status !== 'succeeded' || exportId === undefined) {
    return (
      <Stack gap="sm">
        {status}
        <JobErrorAlert job={current} title={current.status === 'cancelled' ? 'The export was cancelled' : 'The export failed'} />
        <Group>
          <Button variant="default" leftSection={<IconArrowLeft size={16} aria-hidden />} onClick={onBack}>
            Change the options
          </Button>
        </Group>
      </Stack>
    );
  }
  return (
    <Stack gap="sm">
      {status}
      <FinishedExport exportId={exportId} />
    </Stack>
  );
}
