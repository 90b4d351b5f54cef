import { Button, Group, Stack } from '@mantine/core';
import { IconChecklist } from '@tabler/icons-react';
import { Link } from '@tanstack/react-router';
import { EmptyState } from '../../components/EmptyState';
import { ErrorAlert } from '../../components/ErrorAlert';
import { LoadingState } from '../../components/LoadingState';
import { PageHeader } from '../../components/PageHeader';
import { useDatasetList } from '../datasets/queries';
import { useModelList } from '../models/queries';
import { BackToRuns } from './BackToRuns';
import { RunForm } from './RunForm';

/** The form, once there is a base model and a dataset to train on; before that, where to get them. */
function FormOrPrerequisites() {
  const models = useModelList();
  const datasets = useDatasetList();
  if (models.isPending || datasets.isPending) return <LoadingState label="Loading models and datasets…" />;
  if (models.isError || datasets.isError) {
    const retry = () => void Promise.all([models.refetch(), datasets.refetch()]);
    return <ErrorAlert title="Could not load models and datasets" error={models.error ?? datasets.error} onRetry={retry} />;
  }
  const noModel = !models.data.some((model) => model.kind === 'base');
  const noDataset = datasets.data.length === 0;
  if (noModel || noDataset) {
    const missing = noModel && noDataset ? 'a base model and a dataset' : noModel ? 'a base model' : 'a dataset';
    return (
      <EmptyState
        icon={<IconChecklist size={26} />}
        title="Nothing to train on yet"
        action={
          <Group gap="sm">
            {noModel ? (
              <Button component={Link} to="/models" variant="light">
                Go to Models
              </Button>
            ) : null}
            {noDataset ? (
              <Button component={Link} to="/datasets" variant="light">
                Go to Datasets
              </Button>
            ) : null}
          </Group>
        }
      >
        A run needs {missing}. Pull the built-in model or import one on the Models page; upload a dataset or add a
        sample on the Datasets page.
      </EmptyState>
    );
  }
  return <RunForm />;
}

export function NewRunPage() {
  return (
    <Stack gap="sm">
      <BackToRuns />
      <Stack gap="lg">
        <PageHeader
          title="New training run"
          description="A LoRA adapter trained on a base model. Start from a preset, check the estimate, then start."
        />
        <FormOrPrerequisites />
      </Stack>
    </Stack>
  );
}
