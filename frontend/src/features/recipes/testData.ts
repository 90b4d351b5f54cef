import type { NodeTypeInfo, PortInfo, RecipeGraph } from './graph/types';

const port = (name: string, kinds: PortInfo['kinds'], multiple = false): PortInfo => ({
  name,
  kinds,
  multiple,
  required: true,
  description: `${name} port`,
});

const schema = (properties: Record<string, unknown>, required: string[] = []) => ({
  type: 'object',
  additionalProperties: false,
  properties,
  required,
});

function type(
  name: string,
  group: NodeTypeInfo['group'],
  title: string,
  inputs: PortInfo[],
  outputs: PortInfo[],
  params_schema: Record<string, unknown>,
): NodeTypeInfo {
  return { type: name, group, title, description: `${title} node`, inputs, outputs, params_schema };
}

const IN = [port('in', ['any'])];
const OUT = [port('out', ['any'])];

/** A subset of GET /api/recipes/node-types, as the server describes it. */
export const nodeTypes: NodeTypeInfo[] = [
  type('inline', 'source', 'Typed rows', [], OUT, schema({ rows: { type: 'array', items: { type: 'object' } } }, ['rows'])),
  type('samples', 'source', 'Sample dataset', [], OUT, schema({ key: { type: 'string', examples: ['identity'] } }, ['key'])),
  type(
    'to_messages',
    'transform',
    'Convert format',
    IN,
    [port('out', ['messages', 'string'])],
    schema({ source_format: { type: 'string', default: 'auto' }, user_column: { default: null } }),
  ),
  type('filter', 'transform', 'Filter', IN, OUT, schema({ expression: { type: 'string', minLength: 1 } }, ['expression'])),
  type(
    'system_prompt',
    'transform',
    'System prompt',
    [port('in', ['messages'])],
    [port('out', ['messages'])],
    schema({ prompt: { type: 'string' }, mode: { type: 'string', default: 'add' } }, ['prompt']),
  ),
  type(
    'split',
    'transform',
    'Train / eval split',
    IN,
    [port('train', ['any']), port('eval', ['any'])],
    schema({ eval_fraction: { default: null }, eval_rows: { default: null }, seed: { type: 'integer', default: 0 } }),
  ),
  type('mix', 'transform', 'Mix', [port('inputs', ['any'], true)], OUT, schema({ weights: { type: 'object', default: {} } })),
  type(
    'generate',
    'generate',
    'Generate',
    IN,
    OUT,
    schema({ model: { type: 'string' }, prompt: { type: 'string' }, n: { type: 'integer', default: 1 } }, ['model', 'prompt']),
  ),
  type(
    'output',
    'output',
    'Output dataset',
    [port('in', ['messages', 'string', 'any'])],
    [],
    schema({ dataset: { type: 'string' }, format: { type: 'string', default: 'messages' } }, ['dataset']),
  ),
];

/** inline → to_messages → filter → split → two outputs. */
export const alpacaGraph: RecipeGraph = {
  schema_version: 1,
  nodes: [
    {
      id: 'rows',
      type: 'inline',
      params: { rows: [{ instruction: 'Say hi', input: '', output: 'Hello there' }] },
      position: { x: 0, y: 0 },
    },
    { id: 'chat', type: 'to_messages', params: { source_format: 'alpaca' }, position: { x: 260, y: 0 } },
    { id: 'keep', type: 'filter', params: { expression: 'turns(messages) >= 2' }, position: { x: 520, y: 0 }, label: 'Keep' },
    { id: 'split', type: 'split', params: { eval_rows: 1 }, position: { x: 780, y: 0 } },
    { id: 'train', type: 'output', params: { dataset: 'chat-train' }, position: { x: 1040, y: -80 } },
    { id: 'eval', type: 'output', params: { dataset: 'chat-eval' }, position: { x: 1040, y: 80 } },
  ],
  edges: [
    { source: 'rows', source_port: 'out', target: 'chat', target_port: 'in' },
    { source: 'chat', source_port: 'out', target: 'keep', target_port: 'in' },
    { source: 'keep', source_port: 'out', target: 'split', target_port: 'in' },
    { source: 'split', source_port: 'train', target: 'train', target_port: 'in' },
    { source: 'split', source_port: 'eval', target: 'eval', target_port: 'in' },
  ],
};
