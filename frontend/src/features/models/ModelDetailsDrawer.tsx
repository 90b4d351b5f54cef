import { Button, Drawer, Group, Stack } from '@mantine/core';
import { IconTrash } from '@tabler/icons-react';
import type { ModelOut } from '../../api/types.gen';
import { ErrorAlert } from '../../components/ErrorAlert';
import { FactList } from '../../components/FactList';
import { LoadingState } from '../../components/LoadingState';
import { ExportsCard } from '../exports/ExportsCard';
import { useSystemInfo } from '../system/queries';
import { modelFacts } from './modelFacts';
import { useModel } from './queries';

interface ModelDetailsDrawerProps {
  modelId: number | undefined;
  onClose: () => void;
  onDelete: (model: ModelOut) => void;
}

export function ModelDetailsDrawer({ modelId, onClose, onDelete }: ModelDetailsDrawerProps) {
  const model = useModel(modelId);
  const latheHome = useSystemInfo().data?.lathe_home;
  const title = model.data?.name ?? 'Model details';

  return (
    <Drawer opened={modelId !== undefined} onClose={onClose} position="right" size="lg" title={title}>
      {model.isPending ? (
        <LoadingState label="Loading model details…" />
      ) : model.isError ? (
        <ErrorAlert title="Could not load this model" error={model.error} onRetry={() => void model.refetch()} />
      ) : (
        <Stack gap="md">
          <FactList facts={modelFacts(model.data, latheHome)} label={`Metadata of ${model.data.name}`} />
          <ExportsCard modelId={model.data.id} adapterName={model.data.kind === 'adapter' ? model.data.name : null} />
          <Group justify="flex-end">
            <Button
              color="red"
              variant="light"
              leftSection={<IconTrash size={16} aria-hidden />}
              onClick={() => onDelete(model.data)}
            >
              Delete model
            </Button>
          </Group>
        </Stack>
      )}
    </Drawer>
  );
}
