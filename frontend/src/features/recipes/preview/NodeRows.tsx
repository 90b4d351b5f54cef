import { Alert, Badge, Group, List, Stack, Tabs, Text } from '@mantine/core';
import { IconAlertTriangle, IconPlayerSkipForward } from '@tabler/icons-react';
import type { NodePreview } from '../../../api/types.gen';
import { formatInteger } from '../../../components/format';
import { PortRows } from './PortRows';
import { formatSeconds, STATUS_COLORS, STATUS_LABELS } from './previewData';

function plural(count: number, one: string, many: string): string {
  return `${formatInteger(count)} ${count === 1 ? one : many}`;
}

/** Status, counts and time of one node, its problems or why it was skipped, and its rows per
 * output port (a tab per port when it has several, e.g. a split's train and eval). */
export function NodeRows({ node }: { node: NodePreview }) {
  const stats = node.stats ?? {};
  const ports = Object.entries(node.outputs ?? {});
  const problems = node.problems ?? [];
  const skipReasons = Object.entries(stats.skip_reasons ?? {});
  const [firstPort] = ports;

  return (
    <Stack gap="sm" data-testid="node-rows">
      <Group gap="xs" wrap="wrap">
        <Text fw={600} size="sm">
          {node.node_id}
        </Text>
        {node.type ? (
          <Text size="xs" c="dimmed">
            {node.type}
          </Text>
        ) : null}
        <Badge color={STATUS_COLORS[node.status]} variant="light" size="sm" tt="none" data-testid="node-status">
          {STATUS_LABELS[node.status]}
        </Badge>
        {node.status === 'ok' ? (
          <Text size="xs" c="dimmed" data-testid="node-stats">
            {plural(stats.rows_in ?? 0, 'row', 'rows')} in → {plural(stats.rows_out ?? 0, 'row', 'rows')} out ·{' '}
            {formatSeconds(stats.seconds)}
            {stats.skipped ? ` · ${plural(stats.skipped, 'row', 'rows')} skipped` : ''}
          </Text>
        ) : null}
      </Group>

      {problems.length > 0 ? (
        <Alert
          color="red"
          variant="light"
          icon={<IconAlertTriangle aria-hidden />}
          title={problems.length === 1 ? 'This node has a problem' : `This node has ${problems.length} problems`}
          role="alert"
        >
          <List size="sm" spacing={2}>
            {problems.map((problem) => (
              <List.Item key={`${problem.field}:${problem.message}`}>{problem.message}</List.Item>
            ))}
          </List>
        </Alert>
      ) : null}
      {node.status === 'skipped' ? (
        <Alert color="gray" variant="light" icon={<IconPlayerSkipForward aria-hidden />} title="Not run">
          <Text size="sm">
            Skipped: {node.skipped_because ?? 'an upstream node has problems'}. Fix the node marked with a problem above it
            to see these rows.
          </Text>
        </Alert>
      ) : null}
      {skipReasons.length > 0 ? (
        <Alert color="yellow" variant="light" title={`${plural(stats.skipped ?? 0, 'row was', 'rows were')} dropped`}>
          <List size="sm" spacing={2}>
            {skipReasons.map(([reason, count]) => (
              <List.Item key={reason}>
                {reason} ({formatInteger(count)})
              </List.Item>
            ))}
          </List>
        </Alert>
      ) : null}

      {ports.length === 0 && node.status === 'ok' ? (
        <Text size="sm" c="dimmed">
          This node has no output rows to show.
        </Text>
      ) : null}
      {ports.length === 1 && firstPort ? <PortRows port={firstPort[1]} label={node.node_id} /> : null}
      {ports.length > 1 && firstPort ? (
        <Tabs defaultValue={firstPort[0]} variant="pills" keepMounted={false}>
          <Tabs.List aria-label={`Output ports of ${node.node_id}`}>
            {ports.map(([name, port]) => (
              <Tabs.Tab key={name} value={name}>
                {name} ({formatInteger(port.rows.length)})
              </Tabs.Tab>
            ))}
          </Tabs.List>
          {ports.map(([name, port]) => (
            <Tabs.Panel key={name} value={name} pt="xs">
              <PortRows port={port} label={`${node.node_id}.${name}`} />
            </Tabs.Panel>
          ))}
        </Tabs>
      ) : null}
    </Stack>
  );
}
