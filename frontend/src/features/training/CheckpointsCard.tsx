import { Badge, Card, Group, Skeleton, Stack, Table, Text, Title } from '@mantine/core';
import type { TrainingRunDetail } from '../../api/types.gen';
import { ErrorAlert } from '../../components/ErrorAlert';
import { formatBytes, formatDateTime, formatRelativeTime } from '../../components/format';
import { useCheckpoints } from './queries';

function emptyText(run: TrainingRunDetail, active: boolean): string {
  const every = typeof run.config.save_steps === 'number' ? `every ${run.config.save_steps} steps` : 'at the save cadence';
  return active
    ? `None yet: the run saves one ${every} and when it is stopped.`
    : 'This run saved no checkpoints: it stopped before its first one was due.';
}

/** The checkpoints the run has on disk: what Resume continues from. */
export function CheckpointsCard({ run, active }: { run: TrainingRunDetail; active: boolean }) {
  const checkpoints = useCheckpoints(run.id, active);
  return (
    <Card withBorder radius="md" padding="md" component="section" aria-labelledby="run-checkpoints-title">
      <Stack gap="sm">
        <Title order={2} size="h4" id="run-checkpoints-title">
          Checkpoints
        </Title>
        {checkpoints.isPending ? (
          <Skeleton height={60} aria-label="Loading the checkpoints" />
        ) : checkpoints.isError ? (
          <ErrorAlert title="Could not list the checkpoints" error={checkpoints.error} onRetry={() => void checkpoints.refetch()} />
        ) : checkpoints.data.length === 0 ? (
          <Text size="sm" c="dimmed" role="status">
            {emptyText(run, active)}
          </Text>
        ) : (
          <Table fz="sm" verticalSpacing={4} aria-label="Checkpoints">
            <Table.Thead>
              <Table.Tr>
                <Table.Th scope="col">Checkpoint</Table.Th>
                <Table.Th scope="col" ta="right">
                  Step
                </Table.Th>
                <Table.Th scope="col" ta="right">
                  Size
                </Table.Th>
                <Table.Th scope="col">Saved</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {checkpoints.data.map((checkpoint) => (
                <Table.Tr key={checkpoint.name} data-testid={`checkpoint-${checkpoint.step}`}>
                  <Table.Td>
                    <Group gap="xs">
                      <Text span size="sm" ff="monospace">
                        {checkpoint.name}
                      </Text>
                      {checkpoint.best ? (
                        <Badge size="xs" color="teal" variant="light">
                          Best
                        </Badge>
                      ) : null}
                      {checkpoint.complete ? null : (
                        <Badge size="xs" color="orange" variant="light" title="Cut off while saving; never resumed from">
                          Incomplete
                        </Badge>
                      )}
                    </Group>
                  </Table.Td>
                  <Table.Td ta="right">{checkpoint.step}</Table.Td>
                  <Table.Td ta="right">{formatBytes(checkpoint.size_bytes)}</Table.Td>
                  <Table.Td title={formatDateTime(checkpoint.created_at)}>{formatRelativeTime(checkpoint.created_at)}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        )}
      </Stack>
    </Card>
  );
}
