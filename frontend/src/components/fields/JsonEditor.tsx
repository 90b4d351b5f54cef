import { Button, Group, Text, Textarea } from '@mantine/core';
import { type ReactNode, useState } from 'react';
import './fields.css';

export type JsonCheck = { ok: true; value: unknown; summary: string } | { ok: false; message: string };

/** Reads the text of a JSON field: empty text is no value; otherwise it must parse and pass
 * `shape` (which says what is wrong, or null). */
export function parseJson(text: string, shape: (value: unknown) => string | null, summarize: (value: unknown) => string): JsonCheck {
  if (text.trim() === '') return { ok: true, value: undefined, summary: 'Empty.' };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return { ok: false, message: `Not valid JSON: ${reason}` };
  }
  const wrong = shape(value);
  return wrong ? { ok: false, message: wrong } : { ok: true, value, summary: summarize(value) };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The shape of the `inline` node's rows: an array of objects. */
export function rowsShape(value: unknown): string | null {
  if (!Array.isArray(value)) return 'Must be a JSON array of row objects, e.g. [{"question": "…", "answer": "…"}].';
  const bad = value.findIndex((row) => !isRecord(row));
  return bad >= 0 ? `Row ${bad + 1} is not an object of column name to value.` : null;
}

export function rowsSummary(value: unknown): string {
  const rows = Array.isArray(value) ? value.filter(isRecord) : [];
  const columns = [...new Set(rows.flatMap((row) => Object.keys(row)))];
  const count = `${rows.length} ${rows.length === 1 ? 'row' : 'rows'}`;
  return columns.length > 0 ? `Valid JSON: ${count}; columns ${columns.join(', ')}.` : `Valid JSON: ${count}.`;
}

export function anyShape(): string | null {
  return null;
}

export function anySummary(): string {
  return 'Valid JSON.';
}

function textOf(value: unknown): string {
  return value === undefined ? '' : JSON.stringify(value, null, 2);
}

interface JsonEditorProps {
  id: string;
  label: string;
  description: ReactNode;
  /** Problems from the form's checks and the server. */
  error: ReactNode;
  required: boolean;
  value: unknown;
  onChange: (value: unknown) => void;
  shape: (value: unknown) => string | null;
  summarize: (value: unknown) => string;
  placeholder?: string;
}

/** JSON typed as text, with a live validity message; only valid JSON of the right shape reaches
 * the params (until then the last valid value stays). */
export function JsonEditor({ id, label, description, error, required, value, onChange, shape, summarize, placeholder }: JsonEditorProps) {
  const [text, setText] = useState(() => textOf(value));
  const [seen, setSeen] = useState<unknown>(value);
  if (seen !== value) {
    // A change from outside (undo, a template): show it unless it is what the text says.
    setSeen(value);
    const current = parseJson(text, shape, summarize);
    if (!current.ok || JSON.stringify(current.value) !== JSON.stringify(value)) setText(textOf(value));
  }
  const check = parseJson(text, shape, summarize);
  const statusId = `${id}-status`;
  const errors = [check.ok ? null : check.message, error].filter(Boolean);

  return (
    <div data-testid={`field-${id}`}>
      <Textarea
        id={id}
        label={label}
        description={description}
        required={required}
        value={text}
        placeholder={placeholder}
        onChange={(event) => {
          const next = event.currentTarget.value;
          setText(next);
          const parsed = parseJson(next, shape, summarize);
          if (parsed.ok) onChange(parsed.value);
        }}
        error={
          errors.length > 0 ? (
            <>
              {errors.map((item, index) => (
                // Two fixed slots (this check, then the field's problems): the index is stable.
                <span key={index} className="recipe-field-error">
                  {item}
                </span>
              ))}
            </>
          ) : undefined
        }
        rows={6}
        resize="vertical"
        spellCheck={false}
        classNames={{ input: 'recipe-json-input' }}
      />
      <Group justify="space-between" gap="xs" mt={4}>
        <Text id={statusId} size="xs" c={check.ok ? 'dimmed' : 'red'} role="status" aria-live="polite">
          {check.ok ? check.summary : 'Not applied until it is valid.'}
        </Text>
        <Button
          variant="subtle"
          size="compact-xs"
          disabled={!check.ok || check.value === undefined}
          onClick={() => check.ok && setText(textOf(check.value))}
        >
          Format
        </Button>
      </Group>
    </div>
  );
}
