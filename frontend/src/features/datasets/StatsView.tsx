import { Alert, Button, Card, Group, SimpleGrid, Stack, Table, Text, Title } from '@mantine/core';
import { IconAlertTriangle, IconChartBar, IconCircleCheck, IconRefresh } from '@tabler/icons-react';
import { type FormEvent, useState } from 'react';
import type { DatasetStats, TokenStats } from '../../api/types.gen';
import { EmptyState } from '../../components/EmptyState';
import { ErrorAlert } from '../../components/ErrorAlert';
import { type Fact, FactList } from '../../components/FactList';
import { AnchorLink } from '../../components/RouterLinks';
import { formatInteger } from '../../components/format';
import { ApiError, errorField, errorMessage } from '../../lib/apiError';
import { JobErrorAlert } from '../jobs/JobErrorAlert';
import { JobInlineProgress } from '../jobs/JobInlineProgress';
import { isActive } from '../jobs/status';
import { roleLabel } from './ChatBubbles';
import { DEFAULT_MAX_LENGTH } from './formats';
import { Histogram } from './Histogram';
import { useRecomputeStats } from './queries';
import { TokenStatsFields } from './TokenStatsFields';

const mean = (value: number) => (Number.isInteger(value) ? formatInteger(value) : value.toFixed(1));

/** "12.5%", "<0.1%" for a share between 0 and 1. */
export function formatShare(share: number): string {
  const percent = share * 100;
  if (percent > 0 && percent < 0.1) return '<0.1%';
  return `${Number.isInteger(percent) ? percent : percent.toFixed(1)}%`;
}

function statsFacts(stats: DatasetStats): Fact[] {
  const facts: Fact[] = [
    { label: 'Rows', value: formatInteger(stats.rows) },
    { label: 'Format', value: stats.format },
    {
      label: 'Columns',
      value: stats.columns.length ? stats.columns.map((column) => `${column.name}: ${column.type}`).join(', ') : '—',
      mono: true,
    },
  ];
  if (stats.turns) {
    facts.push({
      label: 'Turns per conversation',
      value: `${formatInteger(stats.turns.min)} to ${formatInteger(stats.turns.max)}, ${mean(stats.turns.mean)} on average`,
    });
  }
  if (stats.characters) {
    facts.push({
      label: 'Characters per row',
      value: `${formatInteger(stats.characters.min)} to ${formatInteger(stats.characters.max)}, ${mean(stats.characters.mean)} on average`,
    });
  }
  if (stats.tokens) {
    const t = stats.tokens;
    facts.push(
      { label: 'Tokenizer', value: t.model ?? '—', mono: true },
      {
        label: 'Tokens per row',
        value: `${formatInteger(t.min)} to ${formatInteger(t.max)}; mean ${mean(t.mean)}, median ${formatInteger(t.p50)}, 95th percentile ${formatInteger(t.p95)}`,
      },
    );
  }
  return facts;
}

function RoleCounts({ roles }: { roles: Record<string, number> }) {
  const entries = Object.entries(roles);
  const total = entries.reduce((sum, [, count]) => sum + count, 0);
  if (entries.length === 0) return null;
  return (
    <Stack gap={4}>
      <Title order={3} size="h5">
        Messages per role
      </Title>
      <Table withTableBorder fz="sm" aria-label="Messages per role" verticalSpacing={4}>
        <Table.Thead>
          <Table.Tr>
            <Table.Th scope="col">Role</Table.Th>
            <Table.Th scope="col" ta="right">
              Messages
            </Table.Th>
            <Table.Th scope="col" ta="right">
              Share
            </Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {entries.map(([role, count]) => (
            <Table.Tr key={role}>
              <Table.Td>{roleLabel(role)}</Table.Td>
              <Table.Td ta="right">{formatInteger(count)}</Table.Td>
              <Table.Td ta="right">{total ? formatShare(count / total) : '—'}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Stack>
  );
}

/** The token-length histogram, with the rows over the max length in red and their share said. */
export function TokenLengths({ tokens }: { tokens: TokenStats }) {
  const limit = formatInteger(tokens.max_length);
  const over = tokens.over_max_length;
  return (
    <Stack gap="xs">
      <Histogram
        bins={tokens.histogram}
        title={`Token length per row${tokens.model ? ` (${tokens.model} tokenizer)` : ''}, max length ${limit}`}
        unit="tokens"
        isHighlighted={(bin) => bin.min > tokens.max_length}
        highlightLabel={`longer than ${limit} tokens`}
      />
      {over > 0 ? (
        <Alert color="red" variant="light" icon={<IconAlertTriangle aria-hidden />} data-testid="over-max-length">
          <Text size="sm">
            <b>{formatShare(tokens.over_max_length_share)}</b> of rows ({formatInteger(over)}) are longer than {limit}{' '}
            tokens: training cuts them at the max length.
          </Text>
        </Alert>
      ) : (
        <Text size="sm" c="teal" data-testid="over-max-length">
          <IconCircleCheck size={14} aria-hidden style={{ verticalAlign: 'text-bottom' }} /> No row is longer than {limit}{' '}
          tokens (0%).
        </Text>
      )}
    </Stack>
  );
}

function recomputeErrors(error: unknown): { stats_model?: string; max_length?: string; form?: unknown } {
  if (!error) return {};
  const field = errorField(error);
  if (error instanceof ApiError && (field === 'stats_model' || field === 'max_length')) {
    return { [field]: errorMessage(error) };
  }
  return { form: error };
}

/** Queue a `dataset.stats` job for another tokenizer or max length, and follow it. */
function RecomputeStatsForm({
  datasetId,
  version,
  current,
}: {
  datasetId: number;
  version: number;
  current: TokenStats | null;
}) {
  const recompute = useRecomputeStats(datasetId, version);
  const [model, setModel] = useState<string | null>(current?.model ?? null);
  const [maxLength, setMaxLength] = useState<number | string>(current?.max_length ?? DEFAULT_MAX_LENGTH);
  const { job } = recompute;
  const running = job !== undefined && isActive(job.status);
  const errors = recomputeErrors(recompute.startError);
  const edited = () => {
    if (recompute.startError) recompute.reset();
  };

  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const length = typeof maxLength === 'number' ? maxLength : Number.parseInt(maxLength, 10);
    recompute.start({ stats_model: model, ...(Number.isFinite(length) ? { max_length: length } : {}) });
  };

  return (
    <Card withBorder radius="md" padding="md" component="section" aria-labelledby="recompute-stats-title">
      <form onSubmit={submit} noValidate>
        <Stack gap="sm">
          <Stack gap={2}>
            <Title order={3} size="h5" id="recompute-stats-title">
              Recompute statistics
            </Title>
            <Text size="sm" c="dimmed">
              Measure token lengths with another model&apos;s tokenizer or against another max length. Runs as a job.
            </Text>
          </Stack>
          <TokenStatsFields
            model={model}
            onModel={setModel}
            maxLength={maxLength}
            onMaxLength={setMaxLength}
            maxLengthDescription="Rows longer than this are counted as over the limit."
            errors={errors}
            disabled={running}
            onEdit={edited}
          />
          {errors.form ? <ErrorAlert title="Could not recompute the stats" error={errors.form} /> : null}
          {running ? <JobInlineProgress job={job} label="Computing statistics" /> : null}
          {job && (job.status === 'failed' || job.status === 'cancelled') && !recompute.startError ? (
            <JobErrorAlert job={job} title={job.status === 'failed' ? 'Computing the stats failed' : 'Computing the stats was cancelled'}>
              <AnchorLink to="/jobs/$jobId" params={{ jobId: job.id }} size="xs">
                View job #{job.id} and its log
              </AnchorLink>
            </JobErrorAlert>
          ) : null}
          <Group>
            <Button
              type="submit"
              variant="light"
              loading={recompute.isStarting || running}
              leftSection={<IconRefresh size={16} aria-hidden />}
            >
              Recompute stats
            </Button>
          </Group>
        </Stack>
      </form>
    </Card>
  );
}

/** A version's stats: rows, columns, turns, roles, token lengths; and a way to measure again. */
export function StatsView({
  stats,
  datasetId,
  version,
}: {
  stats: DatasetStats | null;
  datasetId: number;
  version: number;
}) {
  return (
    <Stack gap="lg">
      {stats === null ? (
        <EmptyState icon={<IconChartBar size={26} />} title="No statistics yet">
          The stats of this version have not been computed. Compute them below.
        </EmptyState>
      ) : (
        <>
          <SimpleGrid cols={{ base: 1, md: 2 }} spacing="lg" style={{ alignItems: 'start' }}>
            <FactList facts={statsFacts(stats)} label="Statistics" />
            <RoleCounts roles={stats.roles} />
          </SimpleGrid>
          <SimpleGrid cols={{ base: 1, md: stats.turns ? 2 : 1 }} spacing="lg" style={{ alignItems: 'start' }}>
            {stats.tokens ? (
              <TokenLengths tokens={stats.tokens} />
            ) : (
              <Alert color="gray" variant="light" title="No token lengths" icon={<IconChartBar aria-hidden />}>
                {stats.format === 'table'
                  ? 'Table data has no text to count tokens in; convert it with a recipe first.'
                  : 'No tokenizer was available when the stats were computed. Pull the built-in model on the Models page, or pick a registered model below and recompute.'}
              </Alert>
            )}
            {stats.turns ? (
              <Histogram bins={stats.turns.histogram} title="Messages per conversation" unit="messages" />
            ) : null}
          </SimpleGrid>
        </>
      )}
      <RecomputeStatsForm datasetId={datasetId} version={version} current={stats?.tokens ?? null} />
    </Stack>
  );
}
