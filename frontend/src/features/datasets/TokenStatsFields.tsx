import { NumberInput, SimpleGrid } from '@mantine/core';
import { StatsModelSelect } from './StatsModelSelect';

/** The two settings of token statistics, for an upload and for a recompute: the model whose
 * tokenizer counts tokens, and the training max length the share of long rows is measured
 * against. `onEdit` runs after either changes (forms clear their stale errors there). */
export function TokenStatsFields({
  model,
  onModel,
  maxLength,
  onMaxLength,
  maxLengthDescription,
  errors,
  disabled,
  onEdit,
}: {
  model: string | null;
  onModel: (value: string | null) => void;
  maxLength: number | string;
  onMaxLength: (value: number | string) => void;
  maxLengthDescription: string;
  errors: { stats_model?: string; max_length?: string };
  disabled: boolean;
  onEdit: () => void;
}) {
  return (
    <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="sm">
      <StatsModelSelect
        value={model}
        onChange={(value) => {
          onModel(value);
          onEdit();
        }}
        error={errors.stats_model}
        disabled={disabled}
      />
      <NumberInput
        label="Max length (tokens)"
        description={maxLengthDescription}
        value={maxLength}
        onChange={(value) => {
          onMaxLength(value);
          onEdit();
        }}
        min={1}
        max={1_048_576}
        step={256}
        allowDecimal={false}
        allowNegative={false}
        error={errors.max_length}
        disabled={disabled}
      />
    </SimpleGrid>
  );
}
