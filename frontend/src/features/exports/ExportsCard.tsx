import { Button, Card, Group, Skeleton, Stack, Text, Title } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { IconPackageExport } from '@tabler/icons-react';
import { useQueryClient } from '@tanstack/react-query';
import { useCallback } from 'react';
import type { JobOut } from '../../api/types.gen';
import { ErrorAlert } from '../../components/ErrorAlert';
import { JobInlineProgress } from '../jobs/JobInlineProgress';
import { useJobSettled } from '../jobs/useJobSettled';
import { useLiveJob } from '../jobs/useLiveJob';
import { ExportDialog } from './ExportDialog';
import { ExportsTable } from './ExportsTable';
import { refreshAfterExport, useActiveExports, useExportList } from './queries';
import { useConfirmDeleteExport } from './useConfirmDeleteExport';

function describeJob(job: JobOut): string {
  const { format, quant, dtype } = job.params;
  const variant = format === 'gguf' ? ` ${String(quant)}` : format === 'merged' ? ` ${String(dtype)}` : '';
  return `Exporting as ${String(format)}${variant}`;
}

/** An export under way, followed live; when it ends, the list is read again. */
function ActiveExport({ jobId }: { jobId: number }) {
  const queryClient = useQueryClient();
  const { job } = useLiveJob(jobId);
  useJobSettled(
    job.data,
    useCallback(() => refreshAfterExport(queryClient), [queryClient]),
  );
  if (!job.data) return null;
  return <JobInlineProgress job={job.data} label={describeJob(job.data)} />;
}

function ExportList({ modelId, showSource, canExport }: { modelId: number; showSource: boolean; canExport: boolean }) {
  const exports = useExportList(modelId);
  const confirmDelete = useConfirmDeleteExport();
  if (exports.isPending) return <Skeleton height={60} aria-label="Loading the exports" />;
  if (exports.isError) {
    return <ErrorAlert title="Could not list the exports" error={exports.error} onRetry={() => void exports.refetch()} />;
  }
  if (exports.data.length === 0) {
    return (
      <Text size="sm" c="dimmed" role="status">
        {canExport
          ? 'No exports yet. Export this adapter as a PEFT adapter, a merged model or a GGUF file for llama.cpp and Ollama.'
          : 'No exports yet. Export one of its adapters from the adapter or from its training run.'}
      </Text>
    );
  }
  return (
    <Stack gap="xs">
      <ExportsTable exports={exports.data} onDelete={confirmDelete} showSource={showSource} />
      {exports.hasNextPage ? (
        <Group justify="center">
          <Button variant="default" size="xs" onClick={() => void exports.fetchNextPage()} loading={exports.isFetchingNextPage}>
            Load more
          </Button>
        </Group>
      ) : null}
    </Stack>
  );
}

interface ExportsCardProps {
  /** The model whose exports are listed: an adapter, or a base model (its adapters' exports). */
  modelId: number;
  /** The adapter to export from here, by name; null for a base model (nothing to export). */
  adapterName: string | null;
}

/** The exports of one model: the Export button (adapters), the exports under way and the
 * finished ones. */
export function ExportsCard({ modelId, adapterName }: ExportsCardProps) {
  const [opened, dialog] = useDisclosure(false);
  const active = useActiveExports(adapterName);
  const titleId = `exports-title-${modelId}`;
  return (
    <Card withBorder radius="md" padding="md" component="section" aria-labelledby={titleId}>
      <Stack gap="sm">
        <Group justify="space-between" gap="sm">
          <Title order={2} size="h4" id={titleId}>
            Exports
          </Title>
          {adapterName !== null ? (
            <Button variant="light" leftSection={<IconPackageExport size={16} aria-hidden />} onClick={dialog.open}>
              Export adapter
            </Button>
          ) : null}
        </Group>
        {active.map((job) => (
          <ActiveExport key={job.id} jobId={job.id} />
        ))}
        <ExportList modelId={modelId} showSource={adapterName === null} canExport={adapterName !== null} />
      </Stack>
      {adapterName !== null ? <ExportDialog opened={opened} onClose={dialog.close} adapterName={adapterName} /> : null}
    </Card>
  );
}
