import { Badge, Button, Card, Group, Modal, Select, Stack, Tabs, Text, Title } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import {
  IconArrowLeft,
  IconChartBar,
  IconDatabaseOff,
  IconFileReport,
  IconHistory,
  IconHourglass,
  IconLayoutRows,
  IconTrash,
  IconUpload,
} from '@tabler/icons-react';
import { useQueryClient } from '@tanstack/react-query';
import { getRouteApi, useNavigate } from '@tanstack/react-router';
import { type ReactNode, useCallback, useEffect } from 'react';
import type { DatasetDetail, DatasetVersionOut, JobOut } from '../../api/types.gen';
import { EmptyState } from '../../components/EmptyState';
import { ErrorAlert } from '../../components/ErrorAlert';
import { LoadingState } from '../../components/LoadingState';
import { AnchorLink, ButtonLink } from '../../components/RouterLinks';
import { formatBytes, formatDateTime, formatInteger } from '../../components/format';
import { ApiError } from '../../lib/apiError';
import { JobErrorAlert } from '../jobs/JobErrorAlert';
import { JobInlineProgress } from '../jobs/JobInlineProgress';
import { StreamStatus } from '../jobs/StreamStatus';
import { isActive } from '../jobs/status';
import type { JobStream } from '../jobs/useJobEvents';
import { useJobSettled } from '../jobs/useJobSettled';
import { useLiveJob } from '../jobs/useLiveJob';
import { DatasetUploadForm } from './DatasetUploadForm';
import { storedFormatColor } from './formats';
import { forgetDataset, refreshDataset, useDataset, useDatasetVersion } from './queries';
import { ReportView } from './ReportView';
import { RowViewer } from './RowViewer';
import { StatsView } from './StatsView';
import { type DatasetTab, isDatasetTab } from './tabs';
import { useConfirmDeleteDataset } from './useConfirmDeleteDataset';
import { VersionsTable } from './VersionsTable';

const route = getRouteApi('/datasets/$datasetId');

function BackLink() {
  return (
    <AnchorLink to="/datasets" size="sm">
      <Group gap={4} component="span">
        <IconArrowLeft size={14} aria-hidden />
        All datasets
      </Group>
    </AnchorLink>
  );
}

function NoSuchDataset() {
  return (
    <EmptyState
      icon={<IconDatabaseOff size={26} />}
      title="No such dataset"
      action={
        <ButtonLink to="/datasets" variant="light">
          Go to Datasets
        </ButtonLink>
      }
    >
      There is no dataset at this address; it may have been deleted.
    </EmptyState>
  );
}

/** What the job writing a dataset's next version is called where it shows. */
function jobTarget(job: JobOut): string {
  const { filename } = job.params;
  if (job.kind === 'dataset.import') return typeof filename === 'string' && filename ? `Importing ${filename}` : 'Importing';
  return 'Writing a new version';
}

/** The job that writes the dataset's next version: live progress while it runs, its error when
 * it failed. Nothing once it succeeded (the new version is in the page). */
function WriteJobStatus({ job, stream, hasVersions }: { job: JobOut; stream: JobStream; hasVersions: boolean }) {
  if (isActive(job.status)) {
    return (
      <Card withBorder radius="md" padding="md" component="section" aria-label="Import progress" data-testid="import-progress">
        <Stack gap="xs">
          <JobInlineProgress job={job} label={jobTarget(job)} />
          <Group justify="space-between">
            <Text size="xs" c="dimmed">
              The rows, report and stats appear here when it finishes.
            </Text>
            <StreamStatus stream={stream} />
          </Group>
        </Stack>
      </Card>
    );
  }
  if (job.status === 'failed' || job.status === 'cancelled') {
    const what = job.kind === 'dataset.import' ? 'import' : 'job';
    const title = hasVersions
      ? `The ${what} of a new version ${job.status === 'failed' ? 'failed' : 'was cancelled'}`
      : `The ${what} ${job.status === 'failed' ? 'failed' : 'was cancelled'}`;
    return (
      <JobErrorAlert job={job} title={title}>
        <AnchorLink to="/jobs/$jobId" params={{ jobId: job.id }} size="xs">
          View job #{job.id} and its log
        </AnchorLink>
      </JobErrorAlert>
    );
  }
  return null;
}

function VersionPicker({
  versions,
  shown,
  onChange,
}: {
  versions: DatasetVersionOut[];
  shown: number | undefined;
  onChange: (version: number) => void;
}) {
  const newest = versions.at(-1)?.version;
  const data = [...versions].reverse().map((version) => ({
    value: String(version.version),
    label: `v${version.version} · ${formatInteger(version.row_count)} rows${version.version === newest ? ' (newest)' : ''}`,
  }));
  return (
    <Select
      label="Version"
      data={data}
      value={shown === undefined ? null : String(shown)}
      onChange={(value) => {
        if (value !== null) onChange(Number(value));
      }}
      allowDeselect={false}
      w={260}
      size="sm"
      disabled={versions.length === 0}
      comboboxProps={{ withinPortal: true }}
    />
  );
}

function VersionSummary({ version }: { version: DatasetVersionOut }) {
  return (
    <Group gap="xs" wrap="wrap" data-testid="version-summary">
      <Badge variant="light" color={storedFormatColor(version.format)}>
        {version.format}
      </Badge>
      <Text size="sm" c="dimmed">
        {formatInteger(version.row_count)} rows · {formatBytes(version.size_bytes)} · {version.source} · created{' '}
        {formatDateTime(version.created_at)}
      </Text>
    </Group>
  );
}

function VersionTabs({
  dataset,
  version,
  tab,
  onTab,
  onSelectVersion,
}: {
  dataset: DatasetDetail;
  version: DatasetVersionOut;
  tab: DatasetTab;
  onTab: (tab: DatasetTab) => void;
  onSelectVersion: (version: number) => void;
}) {
  const detail = useDatasetVersion(dataset.id, version.version);
  const problems = detail.data?.report?.problem_count ?? 0;

  const needsDetail = (render: (data: NonNullable<typeof detail.data>) => ReactNode) => {
    if (detail.isPending) return <LoadingState label={`Loading version ${version.version}…`} />;
    if (detail.isError) {
      return (
        <ErrorAlert title={`Could not load version ${version.version}`} error={detail.error} onRetry={() => void detail.refetch()} />
      );
    }
    return render(detail.data);
  };

  return (
    <Tabs
      value={tab}
      onChange={(value) => {
        if (isDatasetTab(value)) onTab(value);
      }}
      keepMounted={false}
    >
      <Tabs.List>
        <Tabs.Tab value="rows" leftSection={<IconLayoutRows size={16} aria-hidden />}>
          Rows
        </Tabs.Tab>
        <Tabs.Tab
          value="report"
          leftSection={<IconFileReport size={16} aria-hidden />}
          rightSection={
            problems > 0 ? (
              <Badge size="xs" color="orange" variant="light" aria-label={`${problems} problems`}>
                {formatInteger(problems)}
              </Badge>
            ) : null
          }
        >
          Report
        </Tabs.Tab>
        <Tabs.Tab value="stats" leftSection={<IconChartBar size={16} aria-hidden />}>
          Stats
        </Tabs.Tab>
        <Tabs.Tab value="versions" leftSection={<IconHistory size={16} aria-hidden />}>
          Versions ({dataset.versions.length})
        </Tabs.Tab>
      </Tabs.List>
      <Tabs.Panel value="rows" pt="md">
        <RowViewer key={version.version} datasetId={dataset.id} version={version.version} format={version.format} />
      </Tabs.Panel>
      <Tabs.Panel value="report" pt="md">
        {needsDetail((data) => (
          <ReportView report={data.report} />
        ))}
      </Tabs.Panel>
      <Tabs.Panel value="stats" pt="md">
        {needsDetail((data) => (
          <StatsView key={version.version} stats={data.stats} datasetId={dataset.id} version={version.version} />
        ))}
      </Tabs.Panel>
      <Tabs.Panel value="versions" pt="md">
        <VersionsTable versions={dataset.versions} selected={version.version} onSelect={onSelectVersion} />
      </Tabs.Panel>
    </Tabs>
  );
}

function DatasetView({ datasetId }: { datasetId: number }) {
  const { version: asked, tab = 'rows' } = route.useSearch();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const dataset = useDataset(datasetId);
  const jobId = dataset.data?.job_id ?? undefined;
  const { job, stream } = useLiveJob(jobId);
  const [uploadOpen, upload] = useDisclosure(false);

  useJobSettled(job.data, () => void refreshDataset(queryClient, datasetId));

  // A job that finished between reading the dataset and reading the job: read the dataset again.
  const versions = dataset.data?.versions;
  const written = job.data?.status === 'succeeded' ? job.data.result?.version : undefined;
  const missing = typeof written === 'number' && versions !== undefined && !versions.some((v) => v.version === written);
  useEffect(() => {
    if (missing) void refreshDataset(queryClient, datasetId);
  }, [missing, queryClient, datasetId]);

  const setSearch = useCallback(
    (search: { version?: number; tab?: DatasetTab }) =>
      void navigate({ to: '/datasets/$datasetId', params: { datasetId }, search, replace: true }),
    [navigate, datasetId],
  );
  const confirmDelete = useConfirmDeleteDataset(
    useCallback(
      (deleted: DatasetDetail) => {
        void navigate({ to: '/datasets' }).then(() => forgetDataset(queryClient, deleted.id));
      },
      [navigate, queryClient],
    ),
  );

  if (dataset.isPending) return <LoadingState label="Loading the dataset…" />;
  if (dataset.isError) {
    if (dataset.error instanceof ApiError && dataset.error.status === 404) return <NoSuchDataset />;
    return <ErrorAlert title="Could not load this dataset" error={dataset.error} onRetry={() => void dataset.refetch()} />;
  }

  const data = dataset.data;
  const newest = data.latest?.version;
  const shownNumber = asked ?? newest;
  const shown = data.versions.find((version) => version.version === shownNumber);
  const writing = job.data !== undefined && isActive(job.data.status);
  const selectVersion = (version: number) => setSearch({ version: version === newest ? undefined : version, tab });

  let body: ReactNode;
  if (data.versions.length === 0) {
    body = writing ? (
      <EmptyState icon={<IconHourglass size={26} />} title="Importing">
        The first version of this dataset is being written. Its rows, detection report and stats show here when the
        import finishes.
      </EmptyState>
    ) : (
      <EmptyState
        icon={<IconDatabaseOff size={26} />}
        title="No versions"
        action={
          <Group gap="sm" justify="center">
            <Button leftSection={<IconUpload size={16} aria-hidden />} onClick={upload.open}>
              Upload a file
            </Button>
            <Button color="red" variant="light" leftSection={<IconTrash size={16} aria-hidden />} onClick={() => confirmDelete(data)}>
              Delete dataset
            </Button>
          </Group>
        }
      >
        This dataset has no stored version{job.data && !isActive(job.data.status) && job.data.status !== 'succeeded' ? ' because its import did not finish (see above)' : ''}. Upload the file again, fixed, or
        delete the dataset.
      </EmptyState>
    );
  } else if (!shown) {
    body = (
      <EmptyState
        icon={<IconHistory size={26} />}
        title={`No version ${shownNumber ?? ''}`.trim()}
        action={
          <Button variant="light" onClick={() => setSearch({ tab })}>
            Show the newest version
          </Button>
        }
      >
        This dataset has no such version. Pick one of its versions instead.
      </EmptyState>
    );
  } else {
    body = (
      <Stack gap="md">
        <VersionSummary version={shown} />
        <VersionTabs
          dataset={data}
          version={shown}
          tab={tab}
          onTab={(next) => setSearch({ version: asked, tab: next })}
          onSelectVersion={selectVersion}
        />
      </Stack>
    );
  }

  return (
    <Stack gap="lg">
      <BackLink />
      <Group justify="space-between" align="flex-end" wrap="wrap" gap="sm">
        <Stack gap={4}>
          <Title order={1} size="h2" style={{ overflowWrap: 'anywhere' }}>
            {data.name}
          </Title>
          <Text c="dimmed" size="sm">
            {data.description || `Dataset #${data.id}, created ${formatDateTime(data.created_at)}.`}
          </Text>
        </Stack>
        <Group gap="xs" align="flex-end">
          <VersionPicker versions={data.versions} shown={shown?.version} onChange={selectVersion} />
          <Button variant="default" leftSection={<IconUpload size={16} aria-hidden />} onClick={upload.open} disabled={writing}>
            New version
          </Button>
          <Button
            color="red"
            variant="light"
            leftSection={<IconTrash size={16} aria-hidden />}
            onClick={() => confirmDelete(data)}
            disabled={writing}
            title={writing ? 'Wait for the import to finish, or cancel its job' : undefined}
          >
            Delete
          </Button>
        </Group>
      </Group>
      {job.data ? <WriteJobStatus job={job.data} stream={stream} hasVersions={data.versions.length > 0} /> : null}
      {body}
      <Modal opened={uploadOpen} onClose={upload.close} title={`Upload a new version of ${data.name}`} size="lg">
        <Stack gap="sm">
          <Text size="sm" c="dimmed">
            The file becomes version {formatInteger((newest ?? 0) + 1)}; the versions before it stay as they are.
          </Text>
          <DatasetUploadForm
            datasetId={data.id}
            onUploaded={() => {
              upload.close();
              setSearch({ tab: 'rows' });
            }}
          />
        </Stack>
      </Modal>
    </Stack>
  );
}

export function DatasetPage() {
  const { datasetId } = route.useParams();
  if (Number.isNaN(datasetId)) return <NoSuchDataset />;
  return <DatasetView key={datasetId} datasetId={datasetId} />;
}
