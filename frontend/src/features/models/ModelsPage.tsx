import { Button, Card, Group, SimpleGrid, Stack, Text, Title } from '@mantine/core';
import { IconBox } from '@tabler/icons-react';
import { getRouteApi } from '@tanstack/react-router';
import { useCallback } from 'react';
import type { ModelOut } from '../../api/types.gen';
import { EmptyState } from '../../components/EmptyState';
import { ErrorAlert } from '../../components/ErrorAlert';
import { LoadingState } from '../../components/LoadingState';
import { PageHeader } from '../../components/PageHeader';
import { BuiltinModelsCard } from './BuiltinModelsCard';
import { ImportModelForm } from './ImportModelForm';
import { ModelDetailsDrawer } from './ModelDetailsDrawer';
import { ModelsTable } from './ModelsTable';
import { useModelList } from './queries';
import { useConfirmDelete } from './useConfirmDelete';

const route = getRouteApi('/models');

function ModelList({ onOpen, onDelete }: { onOpen: (model: ModelOut) => void; onDelete: (model: ModelOut) => void }) {
  const models = useModelList();

  if (models.isPending) return <LoadingState label="Loading models…" />;
  if (models.isError) {
    return <ErrorAlert title="Could not load models" error={models.error} onRetry={() => void models.refetch()} />;
  }
  if (models.data.length === 0) {
    return (
      <EmptyState icon={<IconBox size={26} />} title="No models yet">
        Pull the built-in SmolLM2 model above to get started in a minute on any laptop, or import a Hugging Face
        model folder, a GGUF file or a hub id.
      </EmptyState>
    );
  }
  return (
    <Stack gap="sm">
      <ModelsTable models={models.data} onOpen={onOpen} onDelete={onDelete} />
      {models.hasNextPage ? (
        <Group justify="center">
          <Button variant="default" onClick={() => void models.fetchNextPage()} loading={models.isFetchingNextPage}>
            Load more
          </Button>
        </Group>
      ) : null}
    </Stack>
  );
}

export function ModelsPage() {
  const { model: openId } = route.useSearch();
  const navigate = route.useNavigate();

  const openDetails = useCallback(
    (model: ModelOut) => void navigate({ search: { model: model.id } }),
    [navigate],
  );
  const closeDetails = useCallback(() => void navigate({ search: {} }), [navigate]);
  const confirmDelete = useConfirmDelete(
    useCallback(
      (model: ModelOut) => {
        if (model.id === openId) closeDetails();
      },
      [openId, closeDetails],
    ),
  );

  return (
    <Stack gap="lg">
      <PageHeader
        title="Models"
        description="Base models and trained adapters in this studio's registry."
      />
      <SimpleGrid cols={{ base: 1, md: 2 }} spacing="lg">
        <BuiltinModelsCard />
        <ImportModelForm />
      </SimpleGrid>
      <Card withBorder radius="md" padding="md" component="section" aria-labelledby="registry-title">
        <Stack gap="md">
          <Stack gap={2}>
            <Title order={2} size="h4" id="registry-title">
              Registry
            </Title>
            <Text size="sm" c="dimmed">
              Select a model to see all of its metadata, where it came from and where it lives on disk.
            </Text>
          </Stack>
          <ModelList onOpen={openDetails} onDelete={confirmDelete} />
        </Stack>
      </Card>
      <ModelDetailsDrawer modelId={openId} onClose={closeDetails} onDelete={confirmDelete} />
    </Stack>
  );
}
