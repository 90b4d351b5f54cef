import { describe, expect, it } from 'vitest';
import { ApiError } from '../../../lib/apiError';
import { CONFIG_FIELD_NAMES, CONFIG_FIELDS } from './configFields';
import { applyPreset, fullConfig, localProblems, valueAt, withValue } from './formValues';
import { groupFields } from './groups';
import { problemsOf } from './problems';

const quick = { name: 'quick', values: { lora: { r: 8, alpha: 16 }, max_length: 512, precision: 'fp32' } };
const balanced = { name: 'balanced', values: { lora: { r: 16 }, eval_fraction: 0.05 } };

describe('config fields', () => {
  it('flattens the lora settings and places every field in a group', () => {
    const names = CONFIG_FIELDS.map((field) => field.name);
    expect(names).toContain('lora.r');
    expect(names).toContain('lora.target_modules');
    expect(names).not.toContain('lora');
    expect(names).not.toContain('preset');
    const { basic, advanced } = groupFields(CONFIG_FIELDS);
    const placed = [...basic, ...advanced].flatMap((section) => section.fields.map((field) => field.name));
    expect(placed.sort()).toEqual([...names].sort());
    expect(advanced.map((section) => section.group.key)).not.toContain('other');
  });

  it('puts a field the groups do not know under other settings', () => {
    const extra = { ...CONFIG_FIELDS[0]!, name: 'new_knob' };
    const { advanced } = groupFields([...CONFIG_FIELDS, extra]);
    expect(advanced.at(-1)).toMatchObject({ group: { key: 'other' }, fields: [extra] });
  });
});

describe('form values', () => {
  it('sets and unsets dotted paths, dropping empty objects', () => {
    const values = withValue(withValue({}, 'lora.r', 8), 'epochs', 2);
    expect(values).toEqual({ lora: { r: 8 }, epochs: 2 });
    expect(valueAt(values, 'lora.r')).toBe(8);
    expect(withValue(values, 'lora.r', undefined)).toEqual({ epochs: 2 });
  });

  it('switches presets without keeping the fields only the previous one set', () => {
    const withQuick = applyPreset({ model: 'tiny' }, quick, null);
    expect(withQuick).toEqual({ model: 'tiny', lora: { r: 8, alpha: 16 }, max_length: 512, precision: 'fp32', preset: 'quick' });
    expect(applyPreset(withQuick, balanced, quick)).toEqual({ model: 'tiny', lora: { r: 16 }, eval_fraction: 0.05, preset: 'balanced' });
    expect(applyPreset(withQuick, null, quick)).toEqual({ model: 'tiny' });
  });

  it('sends every field: defaults for the unset ones, null for unset nullable ones', () => {
    const config = fullConfig(CONFIG_FIELDS, { model: 'tiny', dataset: 'names', lora: { r: 4 }, preset: 'quick' });
    expect(config).toMatchObject({ model: 'tiny', dataset: 'names', preset: 'quick', epochs: 1, max_steps: null, name: null });
    expect(config.lora).toMatchObject({ r: 4, alpha: 32, target_modules: 'all-linear' });
  });

  it('checks bounds and required fields in the browser', () => {
    const problems = localProblems(CONFIG_FIELDS, { dataset: 'names', lora: { r: 0 }, learning_rate: 0 });
    expect(problems.get('model')).toBe('Required.');
    expect(problems.get('lora.r')).toBe('Must be at least 1.');
    expect(problems.get('learning_rate')).toBe('Must be greater than 0.');
    expect(problems.has('dataset')).toBe(false);
  });
});

describe('problemsOf', () => {
  it('sorts 422 details onto the fields and keeps the rest general', () => {
    const error = new ApiError(422, 'invalid_input', 'model: no model called x', [
      { field: 'model', message: 'model: no model called x' },
      { field: 'body', message: 'set either eval_dataset or eval_fraction, not both' },
    ]);
    const problems = problemsOf(error, CONFIG_FIELD_NAMES)!;
    expect(problems.byField.get('model')).toEqual(['no model called x']);
    expect(problems.general).toEqual(['set either eval_dataset or eval_fraction, not both']);
  });

  it('leaves failures that are not about the config to the form as a whole', () => {
    expect(problemsOf(new ApiError(500, 'internal_error', 'boom'), CONFIG_FIELD_NAMES)).toBeNull();
    expect(problemsOf(new Error('offline'), CONFIG_FIELD_NAMES)).toBeNull();
    expect(problemsOf(new ApiError(422, 'invalid_input', 'bad'), CONFIG_FIELD_NAMES)).toEqual({ byField: new Map(), general: ['bad'] });
  });
});
