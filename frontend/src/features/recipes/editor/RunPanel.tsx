import { ActionIcon, Button, Group, List, Paper, Stack, Text, Tooltip } from '@mantine/core';
import { IconDatabase, IconPlayerStop, IconX } from '@tabler/icons-react';
import type { JobOut } from '../../../api/types.gen';
import { AnchorLink } from '../../../components/RouterLinks';
import { JobErrorAlert } from '../../jobs/JobErrorAlert';
import { JobInlineProgress } from '../../jobs/JobInlineProgress';
import { canCancel, isActive } from '../../jobs/status';
import { useConfirmCancel } from '../../jobs/useConfirmCancel';
import { runOutputs } from './useRecipeRun';

const count = new Intl.NumberFormat();

/** The recipe's run: progress (per node on the canvas), cancel, and the datasets it wrote. */
export function RunPanel({ job, onDismiss }: { job: JobOut; onDismiss: () => void }) {
  const confirmCancel = useConfirmCancel();
  const outputs = runOutputs(job);
  const active = isActive(job.status);
  return (
    <Paper withBorder radius="md" p="sm" data-testid="run-panel" aria-label="Recipe run" component="section">
      <Group align="flex-start" wrap="nowrap" gap="sm">
        <Stack gap="xs" style={{ flex: 1, minWidth: 0 }}>
          <JobInlineProgress job={job} label={`Run of job #${job.id}`} />
          {job.status === 'succeeded' ? (
            <Stack gap={4}>
              <Text size="sm" fw={600}>
                {outputs.length === 1 ? 'The run wrote 1 dataset:' : `The run wrote ${outputs.length} datasets:`}
              </Text>
              <List size="sm" spacing={2} icon={<IconDatabase size={14} aria-hidden />} center>
                {outputs.map((output) => (
                  <List.Item key={output.node_id}>
                    <AnchorLink
                      to="/datasets/$datasetId"
                      params={{ datasetId: output.dataset_id }}
                      search={{ version: output.version }}
                      data-testid={`run-output-${output.node_id}`}
                    >
                      {output.dataset} v{output.version}
                    </AnchorLink>{' '}
                    <Text span size="xs" c="dimmed">
                      {count.format(output.rows)} rows, from {output.node_id}
                    </Text>
                  </List.Item>
                ))}
              </List>
            </Stack>
          ) : null}
          {job.status === 'failed' || job.status === 'cancelled' ? (
            <JobErrorAlert job={job} title={job.status === 'cancelled' ? 'The run was cancelled' : 'The run failed'}>
              {job.status === 'cancelled' ? <Text size="sm">Nothing was written.</Text> : null}
            </JobErrorAlert>
          ) : null}
        </Stack>
        {active ? (
          <Button
            size="xs"
            variant="light"
            color="red"
            leftSection={<IconPlayerStop size={14} aria-hidden />}
            onClick={() => confirmCancel(job)}
            disabled={!canCancel(job)}
          >
            Cancel run
          </Button>
        ) : (
          <Tooltip label="Hide the run">
            <ActionIcon variant="subtle" color="gray" aria-label="Hide the run" onClick={onDismiss}>
              <IconX size={16} aria-hidden />
            </ActionIcon>
          </Tooltip>
        )}
      </Group>
    </Paper>
  );
}
