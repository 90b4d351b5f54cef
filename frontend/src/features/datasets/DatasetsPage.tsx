import { Button, Card, Group, Menu, Stack, Text, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { IconChevronDown, IconDatabase, IconSparkles } from '@tabler/icons-react';
import { useNavigate } from '@tanstack/react-router';
import { useMemo } from 'react';
import { EmptyState } from '../../components/EmptyState';
import { ErrorAlert } from '../../components/ErrorAlert';
import { LoadingState } from '../../components/LoadingState';
import { PageHeader } from '../../components/PageHeader';
import { errorMessage } from '../../lib/apiError';
import { DatasetsTable } from './DatasetsTable';
import { DatasetUploadForm } from './DatasetUploadForm';
import { useActiveImports, useDatasetList, useDatasetSamples, useImportSample } from './queries';
import { SampleDatasets } from './SampleDatasets';

/** A compact way to add a sample once the list is not empty any more. */
function AddSampleMenu() {
  const samples = useDatasetSamples();
  const start = useImportSample();
  const navigate = useNavigate();
  if (!samples.data?.length) return null;
  return (
    <Menu position="bottom-end" withinPortal>
      <Menu.Target>
        <Button
          variant="default"
          leftSection={<IconSparkles size={16} aria-hidden />}
          rightSection={<IconChevronDown size={14} aria-hidden />}
          loading={start.isPending}
        >
          Add a sample
        </Button>
      </Menu.Target>
      <Menu.Dropdown>
        <Menu.Label>Built-in sample datasets</Menu.Label>
        {samples.data.map((sample) => (
          <Menu.Item
            key={sample.key}
            onClick={() =>
              start.mutate(sample.key, {
                onSuccess: (queued) =>
                  void navigate({ to: '/datasets/$datasetId', params: { datasetId: queued.dataset.id } }),
                onError: (error) =>
                  notifications.show({
                    color: 'red',
                    title: `Could not add ${sample.name}`,
                    message: errorMessage(error),
                    autoClose: false,
                  }),
              })
            }
          >
            {sample.name} ({sample.rows} rows, {sample.format})
          </Menu.Item>
        ))}
      </Menu.Dropdown>
    </Menu>
  );
}

function DatasetList() {
  const datasets = useDatasetList();
  const imports = useActiveImports();
  const importing = useMemo(
    () =>
      new Set(
        (imports.data ?? [])
          .map((job) => job.params.dataset_id)
          .filter((id): id is number => typeof id === 'number'),
      ),
    [imports.data],
  );

  if (datasets.isPending) return <LoadingState label="Loading datasets…" />;
  if (datasets.isError) {
    return <ErrorAlert title="Could not load datasets" error={datasets.error} onRetry={() => void datasets.refetch()} />;
  }
  if (datasets.data.length === 0) {
    return (
      <EmptyState icon={<IconDatabase size={26} />} title="No datasets yet" action={<SampleDatasets />}>
        Upload a file above (drag it onto the drop area or choose it), or start from one of the built-in samples
        below with one click: each becomes a dataset you can browse and train on.
      </EmptyState>
    );
  }
  return (
    <Stack gap="sm">
      <DatasetsTable datasets={datasets.data} importing={importing} />
      {datasets.hasNextPage ? (
        <Group justify="center">
          <Button variant="default" onClick={() => void datasets.fetchNextPage()} loading={datasets.isFetchingNextPage}>
            Load more
          </Button>
        </Group>
      ) : null}
    </Stack>
  );
}

export function DatasetsPage() {
  const navigate = useNavigate();
  const datasets = useDatasetList();
  const hasDatasets = (datasets.data?.length ?? 0) > 0;

  return (
    <Stack gap="lg">
      <PageHeader
        title="Datasets"
        description="Training data: uploaded files and built-in samples, checked, normalised and stored as immutable versions."
        actions={hasDatasets ? <AddSampleMenu /> : null}
      />
      <Card withBorder radius="md" padding="lg" component="section" aria-labelledby="upload-dataset-title">
        <Stack gap="sm">
          <Stack gap={2}>
            <Title order={2} size="h4" id="upload-dataset-title">
              Upload a dataset
            </Title>
            <Text size="sm" c="dimmed">
              Chat conversations (OpenAI messages, ShareGPT), Alpaca instructions, prompt/completion pairs,
              preference pairs or plain text. Lathe detects the format, reports every row it had to skip with its
              line, and stores the rest.
            </Text>
          </Stack>
          <DatasetUploadForm
            onUploaded={(queued) =>
              void navigate({ to: '/datasets/$datasetId', params: { datasetId: queued.dataset.id } })
            }
          />
        </Stack>
      </Card>
      <Card withBorder radius="md" padding="md" component="section" aria-labelledby="datasets-title">
        <Stack gap="md">
          <Stack gap={2}>
            <Title order={2} size="h4" id="datasets-title">
              Your datasets
            </Title>
            <Text size="sm" c="dimmed">
              Open a dataset to browse its rows, read its detection report and stats, or upload a new version.
            </Text>
          </Stack>
          <DatasetList />
        </Stack>
      </Card>
    </Stack>
  );
}
