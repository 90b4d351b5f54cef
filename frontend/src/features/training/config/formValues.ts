/** The new-run form's state: a partial TrainingConfig (nested like the config, `lora` inside)
 * holding what the user or a preset set. A field left out shows its default; the config sent
 * to the server has every field set, so what the form shows is what the run gets. */
import type { PresetOut, TrainingConfig } from '../../../api/types.gen';
import { checkValue, type FieldSpec } from '../../../lib/jsonSchema';
import { PRESET_FIELD } from './configFields';

export type ConfigValues = Readonly<Record<string, unknown>>;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The value at a dotted path (`lora.r`), undefined when unset. */
export function valueAt(values: ConfigValues, path: string): unknown {
  let current: unknown = values;
  for (const key of path.split('.')) {
    if (!isRecord(current)) return undefined;
    current = current[key];
  }
  return current;
}

/** The values with one path set; undefined unsets it (and drops an object left empty). */
export function withValue(values: ConfigValues, path: string, value: unknown): ConfigValues {
  const [head, ...rest] = path.split('.');
  if (head === undefined) return values;
  const next: Record<string, unknown> = { ...values };
  const inner = rest.length > 0 ? withValue(isRecord(values[head]) ? values[head] : {}, rest.join('.'), value) : value;
  if (inner === undefined || (isRecord(inner) && Object.keys(inner).length === 0)) delete next[head];
  else next[head] = inner;
  return next;
}

/** Every path a preset's values set (`lora.r` for `{lora: {r}}`). */
function pathsOf(values: ConfigValues, prefix = ''): Array<[string, unknown]> {
  return Object.entries(values).flatMap(([key, value]): Array<[string, unknown]> =>
    isRecord(value) ? pathsOf(value, `${prefix}${key}.`) : [[`${prefix}${key}`, value]],
  );
}

/** Switches presets: the fields the previous preset set go back to their defaults, the new
 * preset's are filled in; the model, the dataset and everything else stay as they are. */
export function applyPreset(values: ConfigValues, next: PresetOut | null, previous: PresetOut | null): ConfigValues {
  let out = values;
  for (const [path] of previous ? pathsOf(previous.values) : []) out = withValue(out, path, undefined);
  for (const [path, value] of next ? pathsOf(next.values) : []) out = withValue(out, path, value);
  return withValue(out, PRESET_FIELD, next?.name);
}

/** The config to send: every field set (its default where the form leaves it), and the preset
 * it started from, for the record. */
export function fullConfig(fields: readonly FieldSpec[], values: ConfigValues): TrainingConfig {
  let config: ConfigValues = {};
  for (const field of fields) {
    const value = valueAt(values, field.name);
    if (value !== undefined) config = withValue(config, field.name, value);
    else if (field.hasDefault) config = withValue(config, field.name, field.default);
    // Unset and nullable: null, said out loud, so a preset cannot fill it in on the server.
    else if (field.nullable) config = withValue(config, field.name, null);
  }
  const preset = valueAt(values, PRESET_FIELD);
  if (typeof preset === 'string') config = withValue(config, PRESET_FIELD, preset);
  return config as TrainingConfig;
}

/** What the browser can already see is wrong, per field. */
export function localProblems(fields: readonly FieldSpec[], values: ConfigValues): Map<string, string> {
  const problems = new Map<string, string>();
  for (const field of fields) {
    const problem = checkValue(field, valueAt(values, field.name));
    if (problem) problems.set(field.name, problem);
  }
  return problems;
}
