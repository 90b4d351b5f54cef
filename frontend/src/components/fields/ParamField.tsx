import { Autocomplete, NumberInput, Select, Switch, TagsInput, Textarea, TextInput } from '@mantine/core';
import { type ReactNode, useState } from 'react';
import { CodeField } from './CodeField';
import type { CodeMark, ColumnRef } from './codeLanguage';
import { Help } from './Help';
import { anyShape, anySummary, JsonEditor, rowsShape, rowsSummary } from './JsonEditor';
import { MapEditor } from './MapEditor';
import { checkValue, type FieldSpec, formatDefault } from '../../lib/jsonSchema';

export interface ParamFieldProps {
  field: FieldSpec;
  /** Id of the field's control (unique on the page). */
  id: string;
  value: unknown;
  /** The new value; undefined removes the parameter, so its default applies. */
  onChange: (value: unknown) => void;
  /** The server's problems for this field, as text. */
  problems: readonly string[];
  /** Their marks in a code field (offset or line). */
  marks: readonly CodeMark[];
  columns: readonly ColumnRef[];
  /** Values to offer (columns, models, datasets, examples, inputs), already resolved. */
  choices: readonly string[];
  /** What a list field's empty box says, when "a name" is not what its items are. */
  itemPlaceholder?: string;
  /** Characters that end a list item as it is typed (Enter always does); a list whose items
   * may contain a comma passes none. */
  itemSplitChars?: readonly string[];
}

/** Help text: the schema's description and the default. */
export function fieldHelp(field: FieldSpec): ReactNode {
  const parts: ReactNode[] = [];
  if (field.description) parts.push(<Help key="help" text={field.description} />);
  if (field.hasDefault && field.kind !== 'boolean') {
    parts.push(
      <span key="default">
        {field.description ? ' ' : ''}Default: {formatDefault(field.default)}.
      </span>,
    );
  }
  return parts.length > 0 ? <>{parts}</> : null;
}

function placeholderOf(field: FieldSpec): string | undefined {
  if (!field.hasDefault) return undefined;
  if (field.default === null) return 'Not set';
  if (field.default === '') return undefined;
  return `${formatDefault(field.default)} (default)`;
}

/** The form's own check and the server's problems, one per line; null when there are none. A
 * "Required." of the form is left out when the server already says so. */
export function fieldErrors(local: string | null, problems: readonly string[]): ReactNode {
  const lines = [...(local && !(local === 'Required.' && problems.length > 0) ? [local] : []), ...problems];
  if (lines.length === 0) return null;
  if (lines.length === 1) return lines[0];
  return (
    <>
      {lines.map((line, index) => (
        // The lines are rebuilt whole from the same inputs: the index is a stable key.
        <span key={index} className="recipe-field-error">
          {line}
        </span>
      ))}
    </>
  );
}

function toText(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return value;
  return typeof value === 'number' || typeof value === 'boolean' ? String(value) : JSON.stringify(value);
}

/** A number typed so far: a number, '' (nothing) or text that is not a number yet ("-", "1e"). */
type RawNumber = number | string;

function NumberField({ field, id, value, onChange, problems }: ParamFieldProps) {
  const external = typeof value === 'number' ? value : undefined;
  const [raw, setRaw] = useState<RawNumber>(external ?? '');
  const [seen, setSeen] = useState(external);
  if (seen !== external) {
    setSeen(external);
    if (raw !== external) setRaw(external ?? '');
  }
  const partial = typeof raw === 'string' && raw.trim() !== '' && !Number.isFinite(Number(raw));
  const local = partial ? 'Must be a number.' : checkValue(field, value);
  const c = field.constraints;
  const upper = c.maximum ?? c.exclusiveMaximum;
  const step = field.kind === 'integer' ? 1 : upper !== undefined && upper <= 2 ? 0.05 : 1;
  return (
    <NumberInput
      id={id}
      label={field.label}
      description={fieldHelp(field)}
      placeholder={placeholderOf(field)}
      required={field.required && !field.hasDefault}
      value={raw}
      onChange={(next) => {
        setRaw(next);
        if (typeof next === 'number') onChange(next);
        else if (next.trim() === '') onChange(undefined);
        else if (Number.isFinite(Number(next))) onChange(Number(next));
      }}
      allowDecimal={field.kind === 'number'}
      allowNegative={!((c.minimum ?? -1) >= 0 || (c.exclusiveMinimum ?? -1) >= 0)}
      clampBehavior="none"
      step={step}
      min={c.minimum}
      max={c.maximum}
      error={fieldErrors(local, problems)}
      data-testid={`field-${id}`}
    />
  );
}

/** The control of one parameter, chosen by its schema. */
export function ParamField(props: ParamFieldProps) {
  const { field, id, value, onChange, problems, marks, columns, choices } = props;
  const required = field.required && !field.hasDefault;
  const description = fieldHelp(field);
  const error = fieldErrors(checkValue(field, value), problems);
  const placeholder = placeholderOf(field);
  // What every labelled control of a parameter shows.
  const shared = { id, label: field.label, description, error, required };

  switch (field.kind) {
    case 'jinja':
    case 'expression':
      return (
        <CodeField
          {...shared}
          value={toText(value)}
          onChange={(text) => onChange(text === '' ? undefined : text)}
          language={field.kind}
          columns={columns}
          marks={marks}
          placeholder={field.kind === 'expression' ? 'e.g. len(output) > 20' : placeholder}
        />
      );
    case 'number':
    case 'integer':
      return <NumberField {...props} />;
    case 'boolean':
      return (
        <Switch
          id={id}
          label={field.label}
          description={
            <>
              {field.description ? <Help text={field.description} /> : null}
              {field.hasDefault ? ` Default: ${field.default ? 'on' : 'off'}.` : null}
            </>
          }
          checked={typeof value === 'boolean' ? value : Boolean(field.default)}
          onChange={(event) => onChange(event.currentTarget.checked)}
          error={error}
          data-testid={`field-${id}`}
        />
      );
    case 'enum': {
      const current = typeof value === 'string' ? value : typeof field.default === 'string' ? field.default : null;
      return (
        <Select
          id={id}
          label={field.label}
          description={description}
          required={required}
          data={field.options}
          value={current}
          onChange={(next) => onChange(next ?? undefined)}
          allowDeselect={false}
          clearable={field.nullable}
          placeholder={field.nullable ? 'Not set' : 'Choose one'}
          error={error}
          data-testid={`field-${id}`}
        />
      );
    }
    case 'stringArray':
      return (
        <TagsInput
          id={id}
          label={field.label}
          description={description}
          required={required}
          data={[...choices]}
          value={Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : []}
          onChange={(next) => onChange(next.length > 0 ? next : undefined)}
          placeholder={props.itemPlaceholder ?? (choices.length > 0 ? 'Choose or type a name' : 'Type a name, then Enter')}
          splitChars={[...(props.itemSplitChars ?? [','])]}
          acceptValueOnBlur
          clearable
          error={error}
          data-testid={`field-${id}`}
        />
      );
    case 'numberMap':
    case 'stringMap': {
      const weights = field.kind === 'numberMap';
      return (
        <MapEditor
          {...shared}
          value={value}
          onChange={onChange}
          valueKind={weights ? 'number' : 'string'}
          keyChoices={choices}
          keyLabel={weights ? (field.name === 'weights' ? 'Input' : 'Name') : field.suggestions === 'columns' ? 'Column' : 'Name'}
          valueLabel={weights ? (field.name === 'weights' ? 'Weight' : 'Value') : field.suggestions === 'columns' ? 'New name' : 'Value'}
        />
      );
    }
    case 'rows':
      return (
        <JsonEditor
          {...shared}
          value={value}
          onChange={onChange}
          shape={rowsShape}
          summarize={rowsSummary}
          placeholder={'[\n  {"question": "What is 2 + 2?", "answer": "4"}\n]'}
        />
      );
    case 'json':
      return (
        <JsonEditor
          {...shared}
          value={value}
          onChange={onChange}
          shape={anyShape}
          summarize={anySummary}
        />
      );
    case 'textarea':
      return (
        <Textarea
          id={id}
          label={field.label}
          description={description}
          required={required}
          placeholder={placeholder}
          value={toText(value)}
          onChange={(event) => onChange(event.currentTarget.value === '' ? undefined : event.currentTarget.value)}
          rows={3}
          resize="vertical"
          error={error}
          data-testid={`field-${id}`}
        />
      );
    case 'text':
    default: {
      const emit = (text: string) => {
        if (text === '') onChange(undefined);
        // A name-or-id that was a number stays one while it is typed as digits.
        else if (typeof value === 'number' && /^\d+$/.test(text)) onChange(Number(text));
        else onChange(text);
      };
      if (field.suggestions !== null) {
        return (
          <Autocomplete
            id={id}
            label={field.label}
            description={description}
            required={required}
            placeholder={placeholder}
            data={[...choices]}
            value={toText(value)}
            onChange={emit}
            error={error}
            data-testid={`field-${id}`}
          />
        );
      }
      return (
        <TextInput
          id={id}
          label={field.label}
          description={description}
          required={required}
          placeholder={placeholder}
          value={toText(value)}
          onChange={(event) => emit(event.currentTarget.value)}
          error={error}
          data-testid={`field-${id}`}
        />
      );
    }
  }
}
