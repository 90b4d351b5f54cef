import { Anchor, Select, Text } from '@mantine/core';
import { Link } from '@tanstack/react-router';
import type { OpenAiModel } from '../../api/types.gen';
import { ErrorAlert } from '../../components/ErrorAlert';
import { useChatModels } from './queries';
import { type ChatTarget, targetName, targetOf } from './targets';

interface ModelPickerProps {
  label: string;
  value: ChatTarget | null;
  onChange: (target: ChatTarget) => void;
  /** The API's message when it refused this model or adapter. */
  error?: string | null;
  disabled?: boolean;
}

function optionsOf(models: readonly OpenAiModel[]) {
  const bases = models.filter((model) => !model.parent);
  const adapters = models.filter((model) => model.parent);
  return [
    { group: 'Base models', items: bases.map((model) => ({ value: model.id, label: model.id })) },
    {
      group: 'Adapters',
      items: adapters.map((model) => ({ value: model.id, label: `${model.id} (on ${model.parent})` })),
    },
  ].filter((group) => group.items.length > 0);
}

/** Where models come from, said when the registry has none (inline, for any text block). */
export function NoModelsHint() {
  return (
    <>
      There are no models to chat with yet.{' '}
      <Anchor component={Link} to="/models" inherit>
        Pull the built-in model or import one
      </Anchor>{' '}
      on the Models page, or train an adapter.
    </>
  );
}

/** Chooses a base model or an adapter from /v1/models (an adapter runs on its base). */
export function ModelPicker({ label, value, onChange, error = null, disabled = false }: ModelPickerProps) {
  const models = useChatModels();
  if (models.isError) {
    return <ErrorAlert title="Could not list the models" error={models.error} onRetry={() => void models.refetch()} />;
  }
  const list = models.data ?? [];
  if (models.isSuccess && list.length === 0) {
    return (
      <Text size="sm" c="dimmed">
        <NoModelsHint />
      </Text>
    );
  }
  const selected = value ? targetName(value) : null;
  const data = optionsOf(list);
  // A stored choice the registry no longer has still shows, so the server's refusal reads right.
  if (selected && !list.some((model) => model.id === selected)) {
    data.push({ group: 'Not in the registry', items: [{ value: selected, label: selected }] });
  }
  return (
    <Select
      label={label}
      placeholder={models.isPending ? 'Loading models…' : 'Choose a model'}
      data={data}
      value={selected}
      onChange={(name) => {
        if (name) onChange(targetOf(name, list));
      }}
      allowDeselect={false}
      searchable
      nothingFoundMessage="No model has that name"
      disabled={disabled || models.isPending}
      error={error}
      comboboxProps={{ withinPortal: true }}
    />
  );
}
