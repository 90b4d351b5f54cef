import { Table, Text } from '@mantine/core';
import { useNavigate } from '@tanstack/react-router';
import { memo } from 'react';
import type { TrainingRunOut } from '../../api/types.gen';
import { Sparkline } from '../../components/chart/Sparkline';
import { formatDateTime, formatRelativeTime } from '../../components/format';
import { AnchorLink } from '../../components/RouterLinks';
import { useNow } from '../../lib/useNow';
import { jobDuration } from '../jobs/jobDuration';
import { JobProgressBar } from '../jobs/JobProgressBar';
import { JobStatusBadge } from '../jobs/JobStatusBadge';
import { isActive } from '../jobs/status';
import { useLossCurve } from './queries';
import { givenName, runTraining } from './runText';

const COLUMNS = ['Run', 'Base model', 'Dataset', 'Status', 'Progress', 'Train loss', 'Duration', 'Created'] as const;

function LossCell({ run }: { run: TrainingRunOut }) {
  const curve = useLossCurve(run.id, isActive(run.status));
  if (!curve.data) return <Text span size="xs" c="dimmed">{curve.isError ? 'unavailable' : '…'}</Text>;
  return <Sparkline points={curve.data} label={`Train loss of run ${run.id}`} />;
}

function ProgressCell({ run }: { run: TrainingRunOut }) {
  if (run.status === 'running') return <JobProgressBar progress={run.progress} label={`Run ${run.id}`} size="sm" />;
  if (run.adapter_model_id !== null) {
    return (
      <AnchorLink
        to="/models"
        search={{ model: run.adapter_model_id }}
        fz="xs"
        onClick={(event) => event.stopPropagation()}
        aria-label={`Open the adapter of run ${run.id}`}
      >
        Open adapter
      </AnchorLink>
    );
  }
  const message = run.status === 'failed' ? (run.error?.message ?? '') : run.status === 'queued' ? 'Waiting for a worker' : '';
  return (
    <Text span fz="xs" c="dimmed" lineClamp={1}>
      {message}
    </Text>
  );
}

const RunRow = memo(function RunRow({ run, now }: { run: TrainingRunOut; now: Date | undefined }) {
  const navigate = useNavigate();
  const open = () => void navigate({ to: '/training/$runId', params: { runId: run.id } });
  const { model, dataset } = runTraining(run);
  return (
    <Table.Tr className="clickable-row" onClick={open} data-testid={`run-row-${run.id}`}>
      <Table.Td>
        <AnchorLink
          to="/training/$runId"
          params={{ runId: run.id }}
          fz="sm"
          fw={600}
          onClick={(event) => event.stopPropagation()}
          aria-label={`Open run ${run.id}`}
        >
          #{run.id}
        </AnchorLink>{' '}
        <Text span fz="xs" c="dimmed">
          {givenName(run)}
        </Text>
      </Table.Td>
      <Table.Td>{model}</Table.Td>
      <Table.Td>{dataset}</Table.Td>
      <Table.Td>
        <JobStatusBadge job={run} />
      </Table.Td>
      <Table.Td w={220}>
        <ProgressCell run={run} />
      </Table.Td>
      <Table.Td>
        <LossCell run={run} />
      </Table.Td>
      <Table.Td>{jobDuration(run, now ?? new Date())}</Table.Td>
      <Table.Td title={formatDateTime(run.created_at)}>{formatRelativeTime(run.created_at)}</Table.Td>
    </Table.Tr>
  );
});

export function RunsTable({ runs }: { runs: TrainingRunOut[] }) {
  const now = useNow(1000, runs.some((run) => run.status === 'running'));
  return (
    <Table.ScrollContainer minWidth={960}>
      <Table highlightOnHover verticalSpacing="xs" horizontalSpacing="sm" fz="sm" aria-label="Training runs">
        <Table.Thead>
          <Table.Tr>
            {COLUMNS.map((column) => (
              <Table.Th key={column} scope="col">
                {column}
              </Table.Th>
            ))}
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {runs.map((run) => (
            <RunRow key={run.id} run={run} now={run.status === 'running' ? now : undefined} />
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}
