import { describe, expect, it } from 'vitest';
import { nodeTypes } from '../testData';
import { makeNode } from './convert';
import { defaultParams } from './defaults';
import { paramSummary } from './summary';

const info = (type: string) => {
  const found = nodeTypes.find((entry) => entry.type === type);
  if (!found) throw new Error(type);
  return found;
};

describe('new nodes', () => {
  it('start with the schema defaults and a starter value for each required param', () => {
    expect(defaultParams(info('to_messages'))).toEqual({ source_format: 'auto', user_column: null });
    expect(defaultParams(info('samples'))).toEqual({ key: 'identity' });
    expect(defaultParams(info('inline'))).toEqual({ rows: [] });
    expect(defaultParams(info('generate'))).toEqual({ model: '', prompt: '', n: 1 });
  });

  it('summarise their params in a line, by type', () => {
    const summary = (node: ReturnType<typeof makeNode>) => paramSummary(node.data);
    const at = { x: 0, y: 0 };
    expect(summary(makeNode('filter', 'f', { expression: 'len(output)   >\n 20' }, at))).toBe('len(output) > 20');
    expect(summary(makeNode('filter', 'f', { expression: '' }, at))).toBe('Write an expression');
    expect(summary(makeNode('split', 's', { eval_fraction: 0.05 }, at))).toBe('eval: 5%');
    expect(summary(makeNode('split', 's', { eval_rows: 1 }, at))).toBe('eval: 1 row');
    expect(summary(makeNode('inline', 'i', { rows: [{}, {}] }, at))).toBe('2 rows');
    expect(summary(makeNode('output', 'o', { dataset: 'chat-train', format: 'messages' }, at))).toBe('→ chat-train (messages)');
    expect(summary(makeNode('rename', 'r', { columns: { q: 'question' } }, at))).toBe('q → question');
    expect(summary(makeNode('dataset', 'd', { dataset: 'alpaca', version: 2 }, at))).toBe('alpaca v2');
  });
});
