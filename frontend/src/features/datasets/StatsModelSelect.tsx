import { Select } from '@mantine/core';
import { useMemo } from 'react';
import { useModelList } from '../models/queries';

/** The registered model whose tokenizer measures token lengths (by name); empty: the default. */
export function StatsModelSelect({
  value,
  onChange,
  error,
  disabled,
}: {
  value: string | null;
  onChange: (value: string | null) => void;
  error?: string;
  disabled: boolean;
}) {
  const models = useModelList();
  const data = useMemo(
    () =>
      (models.data ?? []).map((model) => ({
        value: model.name,
        label: model.kind === 'adapter' ? `${model.name} (adapter)` : model.name,
      })),
    [models.data],
  );
  const description = models.isError
    ? 'Could not load the registered models; the default is used.'
    : 'Whose tokenizer counts the tokens of each row. Default: the built-in model when it is pulled; without a model there are no token statistics.';
  return (
    <Select
      label="Tokenizer model for statistics"
      description={description}
      placeholder={models.isPending ? 'Loading models…' : 'Default model'}
      data={data}
      value={value}
      onChange={onChange}
      clearable
      searchable
      nothingFoundMessage="No registered model by that name"
      error={error}
      disabled={disabled || models.isError}
    />
  );
}
