import { Badge, Button, Card, Group, List, Loader, Progress, Skeleton, Stack, Table, Text, Title } from '@mantine/core';
import { IconWand } from '@tabler/icons-react';
import type { Estimate, EstimateSuggestion } from '../../api/types.gen';
import { ErrorAlert } from '../../components/ErrorAlert';
import { FactList } from '../../components/FactList';
import { formatBytes, formatCount, formatInteger, formatSeconds } from '../../components/format';
import { ApiError } from '../../lib/apiError';

function MemoryBar({ estimate }: { estimate: Estimate }) {
  const share = estimate.usable_memory_bytes > 0 ? (estimate.peak_bytes / estimate.usable_memory_bytes) * 100 : 100;
  const label = `Peak memory ${formatBytes(estimate.peak_bytes)} of ${formatBytes(estimate.usable_memory_bytes)} usable`;
  return (
    <Stack gap={4}>
      <Text size="sm">{label}</Text>
      <Progress value={Math.min(100, share)} color={estimate.fits ? 'teal' : 'red'} aria-label={label} />
      <Text size="xs" c="dimmed">
        On {estimate.device_name} in {estimate.precision}; {formatBytes(estimate.device_memory_bytes)}{' '}
        {estimate.device === 'cpu' ? 'of RAM available' : 'on the smallest GPU'}.
      </Text>
    </Stack>
  );
}

const PARTS: ReadonlyArray<[keyof Estimate, string]> = [
  ['weights_bytes', 'Base weights'],
  ['adapter_bytes', 'Adapter'],
  ['gradient_bytes', 'Gradients'],
  ['optimizer_state_bytes', 'Optimizer state'],
  ['activation_bytes', 'Activations'],
  ['overhead_bytes', 'Overhead'],
];

function Breakdown({ estimate }: { estimate: Estimate }) {
  return (
    <Table fz="xs" verticalSpacing={2} aria-label="Memory by part">
      <Table.Tbody>
        {PARTS.map(([key, label]) => (
          <Table.Tr key={key}>
            <Table.Td>{label}</Table.Td>
            <Table.Td ta="right" ff="monospace">
              {formatBytes(estimate[key] as number)}
            </Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}

function Suggestions({ suggestions, onApply }: { suggestions: EstimateSuggestion[]; onApply: (changes: Record<string, unknown>) => void }) {
  return (
    <Stack gap="xs" aria-label="Ways to make it fit" role="group">
      <Text size="sm" fw={600}>
        To make it fit
      </Text>
      {suggestions.map((suggestion) => (
        <Group key={suggestion.field} justify="space-between" wrap="nowrap" gap="xs">
          <Text size="sm">
            {suggestion.message}{' '}
            <Text span size="xs" c="dimmed">
              ({formatBytes(suggestion.peak_bytes)}
              {suggestion.fits ? ', fits' : ''})
            </Text>
          </Text>
          <Button
            size="compact-xs"
            variant="light"
            leftSection={<IconWand size={12} aria-hidden />}
            onClick={() =>
              onApply(suggestion.changes && Object.keys(suggestion.changes).length > 0 ? suggestion.changes : { [suggestion.field]: suggestion.value })
            }
            aria-label={`Apply: ${suggestion.message}`}
          >
            Apply
          </Button>
        </Group>
      ))}
    </Stack>
  );
}

function EstimateBody({ estimate, onApply }: { estimate: Estimate; onApply: (changes: Record<string, unknown>) => void }) {
  return (
    <Stack gap="sm">
      <MemoryBar estimate={estimate} />
      <FactList
        label="Estimated time and size"
        facts={[
          { label: 'Training time', value: `about ${formatSeconds(estimate.total_seconds)}` },
          { label: 'Steps', value: `${formatInteger(estimate.total_steps)} (${formatInteger(estimate.train_rows)} training rows)` },
          { label: 'Tokens per step', value: `at most ${formatInteger(estimate.tokens_per_step)}` },
          { label: 'Trainable', value: `${formatCount(estimate.adapter_parameters)} of ${formatCount(estimate.parameter_count)} parameters` },
        ]}
      />
      {estimate.fits ? null : <Suggestions suggestions={estimate.suggestions} onApply={onApply} />}
      <Breakdown estimate={estimate} />
      {estimate.notes.length > 0 ? (
        <List size="xs" c="dimmed" spacing={2}>
          {estimate.notes.map((note) => (
            <List.Item key={note}>{note}</List.Item>
          ))}
        </List>
      ) : null}
    </Stack>
  );
}

interface EstimatePanelProps {
  /** Whether the form says enough (model and dataset) to ask for an estimate. */
  ready: boolean;
  estimate: Estimate | undefined;
  error: unknown;
  fetching: boolean;
  onApply: (changes: Record<string, unknown>) => void;
}

/** Memory and time of the run before it starts, and what to change when it does not fit. */
export function EstimatePanel({ ready, estimate, error, fetching, onApply }: EstimatePanelProps) {
  const refused = error instanceof ApiError && error.status === 422;
  return (
    <Card withBorder radius="md" padding="md" component="section" aria-labelledby="estimate-title" aria-busy={fetching}>
      <Stack gap="sm">
        <Group justify="space-between" gap="xs">
          <Group gap="xs">
            <Title order={2} size="h4" id="estimate-title">
              Estimate
            </Title>
            {fetching ? <Loader size="xs" aria-label="Estimating" /> : null}
          </Group>
          {ready && estimate && !error ? (
            <Badge color={estimate.fits ? 'teal' : 'red'} variant="light">
              {estimate.fits ? 'Fits' : 'Does not fit'}
            </Badge>
          ) : null}
        </Group>
        {!ready ? (
          <Text size="sm" c="dimmed" role="status">
            Choose a base model and a dataset to see how much memory and time the run needs.
          </Text>
        ) : refused ? (
          <Text size="sm" c="red" role="status">
            No estimate for this config: {error.message}
          </Text>
        ) : error ? (
          <ErrorAlert title="Could not estimate the run" error={error} />
        ) : estimate ? (
          <EstimateBody estimate={estimate} onApply={onApply} />
        ) : (
          <Skeleton height={160} aria-label="Estimating the run" />
        )}
      </Stack>
    </Card>
  );
}
