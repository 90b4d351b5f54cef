import { describe, expect, it } from 'vitest';
import { checkValue, type FieldSpec, resolveSchema, sentenceCase } from '../../../lib/jsonSchema';
import { fieldsOf, problemParam, problemText, sortProblems } from './schema';
import { NODE_TYPES, nodeType } from './testing';

function field(type: string, name: string): FieldSpec {
  const found = fieldsOf(nodeType(type)).find((item) => item.name === name);
  if (!found) throw new Error(`${type} has no ${name}`);
  return found;
}

describe('fields from the real params schemas', () => {
  it('reads every node type of the backend into fields it can draw', () => {
    expect(NODE_TYPES.length).toBeGreaterThanOrEqual(18);
    for (const type of NODE_TYPES) {
      const fields = fieldsOf(type);
      const properties = Object.keys((type.params_schema as { properties?: object }).properties ?? {});
      expect(fields.map((item) => item.name).sort()).toEqual(properties.sort());
      // No parameter of the built-in nodes needs the raw JSON fallback.
      expect(fields.filter((item) => item.kind === 'json').map((item) => `${type.type}.${item.name}`)).toEqual([]);
    }
  });

  it('picks a control per schema shape', () => {
    expect(field('to_messages', 'source_format')).toMatchObject({ kind: 'enum', default: 'auto', label: 'Source format' });
    expect(field('to_messages', 'source_format').options).toContain('sharegpt');
    expect(field('to_messages', 'user_column')).toMatchObject({ kind: 'text', nullable: true, default: null, suggestions: 'columns' });
    expect(field('dedupe', 'columns')).toMatchObject({ kind: 'stringArray', nullable: true, suggestions: 'columns' });
    expect(field('dedupe', 'threshold')).toMatchObject({ kind: 'number', constraints: { exclusiveMinimum: 0, maximum: 1 } });
    expect(field('dedupe', 'num_perm')).toMatchObject({ kind: 'integer', constraints: { minimum: 16, maximum: 1024 } });
    expect(field('sample', 'shuffle')).toMatchObject({ kind: 'boolean', default: true });
    expect(field('sample', 'fraction')).toMatchObject({ kind: 'number', nullable: true, constraints: { exclusiveMinimum: 0, maximum: 1 } });
    expect(field('mix', 'weights')).toMatchObject({ kind: 'numberMap', suggestions: 'inputs' });
    expect(field('rename', 'columns')).toMatchObject({ kind: 'stringMap', suggestions: 'columns', constraints: { minProperties: 1 } });
    expect(field('inline', 'rows')).toMatchObject({ kind: 'rows', required: true });
    expect(field('filter', 'expression')).toMatchObject({ kind: 'expression', required: true });
    expect(field('template', 'template')).toMatchObject({ kind: 'jinja' });
    expect(field('generate', 'prompt')).toMatchObject({ kind: 'jinja' });
    expect(field('judge', 'template')).toMatchObject({ kind: 'jinja' });
    expect(field('system_prompt', 'prompt')).toMatchObject({ kind: 'textarea' });
    expect(field('judge', 'rubric')).toMatchObject({ kind: 'textarea' });
    expect(field('dataset', 'dataset')).toMatchObject({ kind: 'text', suggestions: 'datasets', required: true });
    expect(field('generate', 'model')).toMatchObject({ kind: 'text', suggestions: 'models' });
    expect(field('samples', 'key')).toMatchObject({ kind: 'text', suggestions: 'examples', examples: ['identity', 'instructions', 'preferences'] });
    expect(field('output', 'keep_columns')).toMatchObject({ kind: 'stringArray', suggestions: 'columns' });
    expect(field('output', 'dataset').constraints.pattern).toBeDefined();
  });

  it('puts required parameters first and sampling settings last', () => {
    const names = fieldsOf(nodeType('generate')).map((item) => item.name);
    expect(names.slice(0, 2)).toEqual(['model', 'prompt']);
    expect(names.slice(-6)).toEqual(['temperature', 'top_p', 'top_k', 'max_tokens', 'seed', 'batch_size']);
  });

  it('follows $ref into $defs and reads enums and nullable refs there', () => {
    const fields = fieldsOf({
      type: 'custom',
      params_schema: {
        $defs: { Mode: { enum: ['a', 'b'], type: 'string', title: 'Mode' } },
        properties: {
          mode: { $ref: '#/$defs/Mode', default: 'a' },
          other: { anyOf: [{ $ref: '#/$defs/Mode' }, { type: 'null' }], default: null, title: 'Other' },
        },
        type: 'object',
      },
    });
    expect(fields[0]).toMatchObject({ name: 'mode', kind: 'enum', options: ['a', 'b'], default: 'a' });
    expect(fields[1]).toMatchObject({ name: 'other', kind: 'enum', nullable: true, options: ['a', 'b'] });
    expect(resolveSchema({ $ref: '#/$defs/Missing' }, {})).toEqual({ $ref: '#/$defs/Missing' });
  });

  it("follows refs to an OpenAPI document's component schemas", () => {
    const root = { components: { schemas: { Lora: { type: 'object', title: 'Lora' } } } };
    expect(resolveSchema({ $ref: '#/components/schemas/Lora', description: 'The adapter.' }, root)).toEqual({
      type: 'object',
      title: 'Lora',
      description: 'The adapter.',
    });
  });

  it('labels fields in sentence case', () => {
    expect(sentenceCase('Num Perm')).toBe('Num perm');
    expect(sentenceCase('eval_fraction')).toBe('Eval fraction');
    expect(sentenceCase('Node ID')).toBe('Node ID');
    expect(sentenceCase('Use DoRA on GPUs')).toBe('Use DoRA on GPUs');
  });
});

describe('constraint checks', () => {
  it('checks number bounds, whole numbers and exclusive bounds', () => {
    const threshold = field('dedupe', 'threshold');
    expect(checkValue(threshold, 0.5)).toBeNull();
    expect(checkValue(threshold, 0)).toBe('Must be greater than 0.');
    expect(checkValue(threshold, 1.5)).toBe('Must be at most 1.');
    const perm = field('dedupe', 'num_perm');
    expect(checkValue(perm, 8)).toBe('Must be at least 16.');
    expect(checkValue(perm, 20.5)).toBe('Must be a whole number.');
    expect(checkValue(field('split', 'eval_fraction'), 1)).toBe('Must be less than 1.');
  });

  it('lets nullable and defaulted fields be empty, but not required ones', () => {
    expect(checkValue(field('sample', 'limit'), null)).toBeNull();
    expect(checkValue(field('sample', 'limit'), undefined)).toBeNull();
    expect(checkValue(field('sample', 'limit'), 0)).toBe('Must be at least 1.');
    expect(checkValue(field('filter', 'expression'), undefined)).toBe('Required.');
    expect(checkValue(field('dedupe', 'threshold'), undefined)).toBeNull();
  });

  it('checks string lengths and patterns, list and map sizes', () => {
    expect(checkValue(field('template', 'column'), '')).toBeNull(); // empty: the default applies
    expect(checkValue(field('output', 'dataset'), 'my data')).toMatch(/^Must match the pattern/);
    expect(checkValue(field('output', 'dataset'), 'my-data')).toBeNull();
    expect(checkValue(field('output', 'description'), 'x'.repeat(2001))).toBe('Must have at most 2000 characters (has 2001).');
    expect(checkValue(field('select', 'columns'), [])).toBe('Add at least 1 item.');
    expect(checkValue(field('select', 'columns'), ['a', 'a'])).toBe('Each value only once.');
    expect(checkValue(field('rename', 'columns'), {})).toBe('Add at least 1 entry.');
    expect(checkValue(field('mix', 'weights'), { a: 1, b: 2 })).toBeNull();
  });
});

describe('problems', () => {
  const problems = [
    { node_id: 'f', field: 'nodes.f.params.expression', message: "node f: expression: unknown name 'foo'", type: 'invalid_expression', offset: 4 },
    { node_id: 'f', field: 'nodes.f.params.expression', message: "node f: expression: unknown name 'foo'", type: 'invalid_expression', offset: 4 },
    { node_id: 'f', field: 'nodes.f', message: 'node f: not connected', type: 'unconnected' },
    { node_id: 'f', field: 'nodes.f.params.bogus', message: 'node f: params.bogus: Extra inputs are not permitted', type: 'invalid_params' },
    { node_id: 'g', field: 'nodes.g.params.expression', message: 'node g: expression: bad', type: 'invalid_expression' },
    { node_id: null, field: 'nodes', message: 'the recipe has no output node', type: 'no_output' },
  ];

  it('finds the parameter a problem names, nested or not', () => {
    expect(problemParam({ field: 'nodes.m.params.weights.a' }, 'm')).toBe('weights');
    expect(problemParam({ field: 'nodes.m.params' }, 'm')).toBeNull();
    expect(problemParam({ field: 'nodes.m' }, 'm')).toBeNull();
    expect(problemParam({ field: 'nodes.mm.params.x' }, 'm')).toBeNull();
  });

  it("sorts this node's problems under their fields, the rest on top, once each", () => {
    const sorted = sortProblems(problems, 'f', ['expression']);
    expect(sorted.byField.get('expression')).toHaveLength(1);
    expect(sorted.general.map((problem) => problem.field)).toEqual(['nodes.f', 'nodes.f.params.bogus']);
  });

  it('drops the node and parameter from a message shown under its field', () => {
    expect(problemText(problems[0]!, 'f', 'expression')).toBe("unknown name 'foo'");
    expect(problemText({ message: 'node f: params.expression: Field required' }, 'f', 'expression')).toBe('Field required');
    expect(problemText({ message: 'node m: params.weights.a: Input should be a valid number' }, 'm', 'weights')).toBe(
      'weights.a: Input should be a valid number',
    );
    expect(problemText(problems[2]!, 'f', null)).toBe('not connected');
  });
});
