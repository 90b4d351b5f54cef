import { Button, Group, Stack, Text, Title } from '@mantine/core';
import { IconArrowLeft, IconListDetails, IconTrash } from '@tabler/icons-react';
import { getRouteApi, useNavigate } from '@tanstack/react-router';
import type { ExportDetail } from '../../api/types.gen';
import { ErrorAlert } from '../../components/ErrorAlert';
import { IdRoutePage } from '../../components/IdRoutePage';
import { LoadingState } from '../../components/LoadingState';
import { AnchorLink, ButtonLink } from '../../components/RouterLinks';
import { ExportDetails } from './ExportDetails';
import { kindLabel } from './exportText';
import { useExport } from './queries';
import { useConfirmDeleteExport } from './useConfirmDeleteExport';

const route = getRouteApi('/exports/$exportId');

function BackToModels() {
  return (
    <AnchorLink to="/models" size="sm">
      <Group gap={4} component="span">
        <IconArrowLeft size={14} aria-hidden />
        Models
      </Group>
    </AnchorLink>
  );
}

function ExportHeader({ item }: { item: ExportDetail }) {
  const navigate = useNavigate();
  const confirmDelete = useConfirmDeleteExport(() =>
    item.source_model_id !== null
      ? void navigate({ to: '/models', search: { model: item.source_model_id } })
      : void navigate({ to: '/models' }),
  );
  return (
    <Group justify="space-between" align="flex-start" wrap="wrap" gap="sm">
      <Stack gap={4}>
        <Title order={1} size="h2">
          Export {item.name}
        </Title>
        <Text c="dimmed" size="sm">
          #{item.id} · {kindLabel(item)} · LATHE_HOME/exports/{item.path}
        </Text>
      </Stack>
      <Group gap="xs">
        {item.job_id !== null ? (
          <ButtonLink to="/jobs/$jobId" params={{ jobId: item.job_id }} variant="default" leftSection={<IconListDetails size={16} aria-hidden />}>
            Job details
          </ButtonLink>
        ) : null}
        <Button color="red" variant="light" leftSection={<IconTrash size={16} aria-hidden />} onClick={() => confirmDelete(item)}>
          Delete export
        </Button>
      </Group>
    </Group>
  );
}

function ExportView({ exportId }: { exportId: number }) {
  const item = useExport(exportId);
  if (item.isPending) return <LoadingState label="Loading the export…" />;
  if (item.isError) {
    return <ErrorAlert title={`Could not load export #${exportId}`} error={item.error} onRetry={() => void item.refetch()} />;
  }
  return (
    <Stack gap="lg">
      <ExportHeader item={item.data} />
      <ExportDetails item={item.data} headingOrder={2} />
    </Stack>
  );
}

/** One export's page: /exports/{id}. */
export function ExportPage() {
  const { exportId } = route.useParams();
  return (
    <IdRoutePage id={exportId} noun="export" back={<BackToModels />}>
      {(id) => <ExportView exportId={id} />}
    </IdRoutePage>
  );
}
