import { Select } from '@mantine/core';
import type { PresetOut } from '../../../api/types.gen';
import { errorMessage } from '../../../lib/apiError';
import { usePresets } from '../queries';

interface PresetSelectProps {
  value: string | null;
  onChange: (next: PresetOut | null, previous: PresetOut | null) => void;
}

/** "quick-cpu-demo" → "Quick CPU demo". */
function presetLabel(name: string): string {
  const text = name.replace(/[-_]+/g, ' ').replace(/\b[cg]pu\b/g, (unit) => unit.toUpperCase());
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** Picks one of the server's presets; the form fills in the values it sets. */
export function PresetSelect({ value, onChange }: PresetSelectProps) {
  const presets = usePresets();
  const list = presets.data ?? [];
  const find = (name: string | null) => list.find((preset) => preset.name === name) ?? null;
  return (
    <Select
      id="training-preset"
      label="Preset"
      description="Fills the training settings from a preset; the model, the dataset and the name stay."
      data={list.map((preset) => ({ value: preset.name, label: presetLabel(preset.name) }))}
      value={value}
      onChange={(next) => onChange(find(next), find(value))}
      clearable
      placeholder={presets.isPending ? 'Loading presets…' : 'No preset: the defaults below'}
      disabled={presets.isPending}
      error={presets.isError ? `Could not load the presets: ${errorMessage(presets.error)}` : null}
      data-testid="field-training-preset"
    />
  );
}
