import { ActionIcon, Autocomplete, Button, Input, NumberInput, Stack, Text, TextInput } from '@mantine/core';
import { IconPlus, IconTrash } from '@tabler/icons-react';
import { type ReactNode, useState } from 'react';
import './fields.css';

type EntryValue = number | string;

interface Entry {
  /** Stable React key of a row being edited. */
  key: number;
  name: string;
  value: EntryValue;
}

interface MapEditorProps {
  id: string;
  label: string;
  description: ReactNode;
  error: ReactNode;
  required: boolean;
  value: unknown;
  /** The new map; undefined when it has no entries. */
  onChange: (value: Record<string, EntryValue> | undefined) => void;
  valueKind: 'number' | 'string';
  /** Names to offer for the keys (they can also be typed). */
  keyChoices: readonly string[];
  keyLabel: string;
  valueLabel: string;
}

let nextKey = 1;

function entriesOf(value: unknown, valueKind: 'number' | 'string'): Entry[] {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return [];
  return Object.entries(value as Record<string, unknown>).map(([name, item]) => ({
    key: nextKey++,
    name,
    value:
      valueKind === 'number'
        ? typeof item === 'number'
          ? item
          : ''
        : typeof item === 'string'
          ? item
          : item === null || item === undefined
            ? ''
            : String(item),
  }));
}

/** The map the entries make: entries with a name and a value only; a repeated name keeps its
 * first entry. */
function mapOf(entries: readonly Entry[], valueKind: 'number' | 'string'): Record<string, EntryValue> {
  const out: Record<string, EntryValue> = {};
  for (const entry of entries) {
    const name = entry.name.trim();
    if (name === '' || name in out) continue;
    if (valueKind === 'number' ? typeof entry.value !== 'number' : entry.value === '') continue;
    out[name] = entry.value;
  }
  return out;
}

function sameMap(a: unknown, b: unknown): boolean {
  return JSON.stringify(a ?? {}) === JSON.stringify(b ?? {});
}

/** A string → number or string → string map as rows of name and value: mix weights, column
 * renames. Rows being typed (no name yet, a repeated name) stay on screen without reaching
 * the params until they are complete. */
export function MapEditor({
  id,
  label,
  description,
  error,
  required,
  value,
  onChange,
  valueKind,
  keyChoices,
  keyLabel,
  valueLabel,
}: MapEditorProps) {
  const [entries, setEntries] = useState<Entry[]>(() => entriesOf(value, valueKind));
  const [seen, setSeen] = useState<unknown>(value);
  // A change from outside (undo, another node selected): show the new map.
  if (seen !== value) {
    setSeen(value);
    if (!sameMap(mapOf(entries, valueKind), value)) setEntries(entriesOf(value, valueKind));
  }

  const update = (next: Entry[]) => {
    setEntries(next);
    const map = mapOf(next, valueKind);
    if (!sameMap(map, value)) onChange(Object.keys(map).length > 0 ? map : undefined);
  };
  const change = (key: number, patch: Partial<Entry>) =>
    update(entries.map((entry) => (entry.key === key ? { ...entry, ...patch } : entry)));

  const counts = new Map<string, number>();
  for (const entry of entries) counts.set(entry.name.trim(), (counts.get(entry.name.trim()) ?? 0) + 1);
  const unused = keyChoices.filter((choice) => !entries.some((entry) => entry.name.trim() === choice));

  return (
    <Input.Wrapper
      id={id}
      label={label}
      description={description}
      error={error}
      required={required}
      labelElement="div"
      data-testid={`field-${id}`}
    >
      <Stack gap={6} mt={4} role="group" aria-labelledby={`${id}-label`}>
        {entries.length === 0 ? (
          <Text size="sm" c="dimmed" fs="italic">
            No entries.
          </Text>
        ) : null}
        {entries.map((entry, index) => {
          const name = entry.name.trim();
          const rowName = name || `entry ${index + 1}`;
          const nameError =
            name === '' && entry.value !== ''
              ? 'Enter a name.'
              : name !== '' && (counts.get(name) ?? 0) > 1
                ? 'Used more than once.'
                : undefined;
          const choices = keyChoices.filter((choice) => choice === name || !entries.some((other) => other.name.trim() === choice));
          return (
            <div className="recipe-map-row" key={entry.key} data-testid="map-entry">
              {keyChoices.length > 0 ? (
                <Autocomplete
                  aria-label={`${label}: ${keyLabel.toLowerCase()} of ${rowName}`}
                  placeholder={keyLabel}
                  data={choices}
                  value={entry.name}
                  onChange={(text) => change(entry.key, { name: text })}
                  error={nameError}
                  size="xs"
                />
              ) : (
                <TextInput
                  aria-label={`${label}: ${keyLabel.toLowerCase()} of ${rowName}`}
                  placeholder={keyLabel}
                  value={entry.name}
                  onChange={(event) => change(entry.key, { name: event.currentTarget.value })}
                  error={nameError}
                  size="xs"
                />
              )}
              {valueKind === 'number' ? (
                <NumberInput
                  aria-label={`${label}: ${valueLabel.toLowerCase()} of ${rowName}`}
                  placeholder={valueLabel}
                  value={entry.value}
                  onChange={(next) => change(entry.key, { value: typeof next === 'number' ? next : '' })}
                  size="xs"
                />
              ) : (
                <TextInput
                  aria-label={`${label}: ${valueLabel.toLowerCase()} of ${rowName}`}
                  placeholder={valueLabel}
                  value={String(entry.value)}
                  onChange={(event) => change(entry.key, { value: event.currentTarget.value })}
                  size="xs"
                />
              )}
              <ActionIcon
                variant="subtle"
                color="gray"
                size="md"
                aria-label={`Remove ${rowName}`}
                onClick={() => update(entries.filter((other) => other.key !== entry.key))}
              >
                <IconTrash size={16} aria-hidden />
              </ActionIcon>
            </div>
          );
        })}
        <div>
          <Button
            variant="light"
            size="compact-xs"
            leftSection={<IconPlus size={14} aria-hidden />}
            onClick={() =>
              update([...entries, { key: nextKey++, name: unused[0] ?? '', value: valueKind === 'number' ? 1 : '' }])
            }
          >
            Add {keyLabel.toLowerCase()}
          </Button>
        </div>
      </Stack>
    </Input.Wrapper>
  );
}
