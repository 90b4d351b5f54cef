import { Alert, List, Stack, Table, Text } from '@mantine/core';
import { IconAlertTriangle } from '@tabler/icons-react';
import type { PreviewResult } from '../../../api/types.gen';
import { formatInteger } from '../../../components/format';
import { formatSeconds, STATUS_COLORS, STATUS_LABELS } from './previewData';

/** With no node selected: every node's status, rows in and out, and time, in graph order;
 * problems of the whole graph (not of one node) above. */
export function GraphSummary({ preview }: { preview: PreviewResult }) {
  const graphProblems = preview.problems.filter((problem) => problem.node_id === null);
  return (
    <Stack gap="sm" data-testid="graph-summary">
      {graphProblems.length > 0 ? (
        <Alert color="red" variant="light" icon={<IconAlertTriangle aria-hidden />} title="The recipe has problems" role="alert">
          <List size="sm" spacing={2}>
            {graphProblems.map((problem) => (
              <List.Item key={`${problem.field}:${problem.message}`}>{problem.message}</List.Item>
            ))}
          </List>
        </Alert>
      ) : null}
      <Text size="xs" c="dimmed">
        Select a node to see its rows. The preview ran every node on the first rows of each source in{' '}
        {formatSeconds(preview.seconds)}.
      </Text>
      <div className="preview-table-scroll">
        <Table withTableBorder striped fz="xs" verticalSpacing={4} aria-label="Rows and time of every node" className="preview-summary">
          <Table.Thead>
            <Table.Tr>
              <Table.Th scope="col">Node</Table.Th>
              <Table.Th scope="col">Type</Table.Th>
              <Table.Th scope="col">Status</Table.Th>
              <Table.Th scope="col" ta="right">
                Rows in
              </Table.Th>
              <Table.Th scope="col" ta="right">
                Rows out
              </Table.Th>
              <Table.Th scope="col" ta="right">
                Time
              </Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {preview.nodes.map((node) => {
              const ran = node.status === 'ok';
              const problems = node.problems?.length ?? 0;
              return (
                <Table.Tr key={node.node_id} data-testid="summary-row">
                  <Table.Th scope="row" fw={600}>
                    {node.node_id}
                  </Table.Th>
                  <Table.Td c="dimmed">{node.type ?? '—'}</Table.Td>
                  <Table.Td>
                    <Text span size="xs" fw={600} c={node.status === 'skipped' ? 'dimmed' : `var(--mantine-color-${STATUS_COLORS[node.status]}-text)`}>
                      {STATUS_LABELS[node.status]}
                      {problems > 1 ? ` (${problems})` : ''}
                    </Text>
                  </Table.Td>
                  <Table.Td ta="right">{ran ? formatInteger(node.stats?.rows_in ?? 0) : '—'}</Table.Td>
                  <Table.Td ta="right">{ran ? formatInteger(node.stats?.rows_out ?? 0) : '—'}</Table.Td>
                  <Table.Td ta="right">{ran ? formatSeconds(node.stats?.seconds) : '—'}</Table.Td>
                </Table.Tr>
              );
            })}
          </Table.Tbody>
        </Table>
      </div>
    </Stack>
  );
}
