import { Alert, Badge, Button, Group, Select, Stack, Text } from '@mantine/core';
import { IconAlertTriangle } from '@tabler/icons-react';
import { useMemo } from 'react';
import type { TrainingView, TrainingViewResult } from '../../../api/types.gen';
import { LoadingState } from '../../../components/LoadingState';
import { formatInteger } from '../../../components/format';
import { useModelList } from '../../models/queries';
import './preview.css';

/** The text of one conversation as training sees it, the tokens that carry loss marked: a
 * tinted background plus an underline and outline, so the marking does not rest on colour. */
export function TrainingText({ view }: { view: TrainingView }) {
  return (
    <pre className="training-text" data-testid="training-text">
      {view.segments.map((segment, index) =>
        // Segments are the rendered text in order; they never reorder: the index is the key.
        segment.loss ? (
          <mark key={index} className="training-loss" data-loss="true" title="Carries loss: training learns these tokens">
            {segment.text}
          </mark>
        ) : (
          <span key={index} className="training-context">
            {segment.text}
          </span>
        ),
      )}
    </pre>
  );
}

function tokensLine(loss: number, tokens: number): string {
  return `${formatInteger(loss)} of ${formatInteger(tokens)} tokens carry loss`;
}

export function TrainingLegend() {
  return (
    <Group gap="md" aria-label="Legend" role="group" className="training-legend">
      <Group gap={6}>
        <mark className="training-loss training-swatch" aria-hidden>
          Abc
        </mark>
        <Text size="xs">Carries loss (assistant output that training learns)</Text>
      </Group>
      <Group gap={6}>
        <span className="training-context training-swatch" aria-hidden>
          Abc
        </span>
        <Text size="xs">Context only (no loss)</Text>
      </Group>
    </Group>
  );
}

function TrainingRows({ result }: { result: TrainingViewResult }) {
  const rows = result.rows ?? [];
  const totals = rows.reduce(
    (sum, row) => ({ loss: sum.loss + (row.view?.loss_tokens ?? 0), tokens: sum.tokens + (row.view?.tokens ?? 0) }),
    { loss: 0, tokens: 0 },
  );
  if (result.error) {
    return (
      <Alert color="red" variant="light" icon={<IconAlertTriangle aria-hidden />} title="No training view" role="alert">
        {result.error}
      </Alert>
    );
  }
  if (rows.length === 0) {
    return (
      <Text size="sm" c="dimmed" role="status">
        No rows reach this node in the preview, so there is nothing to render.
      </Text>
    );
  }
  return (
    <Stack gap="xs">
      <Group justify="space-between" gap="xs" wrap="wrap">
        <TrainingLegend />
        <Text size="xs" c="dimmed" data-testid="training-totals">
          All rows: {tokensLine(totals.loss, totals.tokens)}
          {result.column ? ` · column ${result.column}` : ''}
        </Text>
      </Group>
      <Stack gap={0} className="preview-rows" role="list" aria-label="Rows as training sees them">
        {rows.map((row) => (
          <article key={row.row} className="preview-row" role="listitem" aria-label={`Row ${row.row + 1}`} data-testid="training-row">
            <Group gap="xs" mb={4}>
              <Text size="xs" c="dimmed" fw={600}>
                Row {formatInteger(row.row + 1)}
              </Text>
              {row.view ? (
                <Text size="xs" c="dimmed" data-testid="training-row-tokens">
                  {tokensLine(row.view.loss_tokens, row.view.tokens)}
                </Text>
              ) : null}
              {row.view?.truncated ? (
                <Badge size="xs" color="orange" variant="light">
                  Cut at the maximum length
                </Badge>
              ) : null}
            </Group>
            {row.error ? (
              <Text size="sm" c="red" role="alert">
                {row.error}
              </Text>
            ) : row.view ? (
              <TrainingText view={row.view} />
            ) : null}
            {row.view && row.view.loss_tokens === 0 && !row.error ? (
              <Text size="xs" c="orange">
                No token of this row carries loss: it teaches the model nothing.
              </Text>
            ) : null}
          </article>
        ))}
      </Stack>
    </Stack>
  );
}

interface TrainingViewTabProps {
  nodeId: string;
  model: string | null;
  onModel: (model: string | null) => void;
  /** The server's training view for this node and model, once it has come. */
  result: TrainingViewResult | undefined;
  loading: boolean;
  /** Why the last request for this node and model failed. */
  failure: string | null;
  onRetry: () => void;
}

/** A model select and the chosen node's conversations rendered with that model's chat
 * template, the loss-carrying tokens marked, with counts per row and in all. */
export function TrainingViewTab({ nodeId, model, onModel, result, loading, failure, onRetry }: TrainingViewTabProps) {
  const models = useModelList();
  const data = useMemo(
    () =>
      (models.data ?? []).map((item) => ({
        value: item.name,
        label: `${item.name}${item.kind === 'adapter' ? ' (adapter)' : ''}${item.has_chat_template ? '' : ' (no chat template)'}`,
      })),
    [models.data],
  );
  const noModels = models.isSuccess && data.length === 0;

  return (
    <Stack gap="sm" data-testid="training-view">
      <Select
        label="Model"
        description={`Renders the conversations of ${nodeId} with this model's chat template, exactly as training will see them.`}
        placeholder={models.isPending ? 'Loading models…' : 'Choose a model'}
        data={data}
        value={model}
        onChange={onModel}
        searchable
        clearable
        nothingFoundMessage="No registered model by that name"
        disabled={models.isError || noModels}
        error={models.isError ? 'Could not load the registered models.' : undefined}
        maw={420}
      />
      {noModels ? (
        <Text size="sm" c="dimmed">
          No model is registered yet. Pull the built-in model or import one on the Models page, then choose it here.
        </Text>
      ) : null}
      {model === null ? (
        noModels ? null : (
          <Text size="sm" c="dimmed">
            Choose a model to see which tokens of each conversation carry loss.
          </Text>
        )
      ) : failure !== null ? (
        <Alert color="red" variant="light" icon={<IconAlertTriangle aria-hidden />} title={`Could not render with ${model}`} role="alert">
          <Stack gap="xs">
            <Text size="sm">{failure}</Text>
            <Group>
              <Button size="xs" variant="light" color="red" onClick={onRetry}>
                Try again
              </Button>
            </Group>
          </Stack>
        </Alert>
      ) : result ? (
        <TrainingRows result={result} />
      ) : loading ? (
        <LoadingState label={`Rendering with ${model}…`} />
      ) : (
        <LoadingState label={`Waiting for the preview with ${model}…`} />
      )}
    </Stack>
  );
}
