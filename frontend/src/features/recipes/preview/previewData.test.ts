import { describe, expect, it } from 'vitest';
import { columnsArriving, formatSeconds, messagesColumnOf, nodePreviewOf } from './previewData';
import { PREVIEW } from './testing';

const edges = [
  { source: 'src', target: 'chat' },
  { source: 'chat', target: 'split' },
  { source: 'split', source_port: 'train', target: 'short' },
  { source: 'short', target: 'train' },
  { source: 'split', source_port: 'eval', target: 'tpl' },
  { source: 'tpl', target: 'eval' },
];

describe('columnsArriving', () => {
  it('reads the columns of the port each incoming edge leaves from', () => {
    expect(columnsArriving(PREVIEW, 'chat', edges).map((column) => column.name)).toEqual(['instruction', 'input', 'output', 'topic']);
    expect(columnsArriving(PREVIEW, 'short', edges)).toEqual([
      { name: 'messages', type: 'messages' },
      { name: 'topic', type: 'int' },
    ]);
    expect(columnsArriving(PREVIEW, 'eval', edges).map((column) => column.name)).toEqual(['messages', 'topic', 'first']);
  });

  it('merges several inputs by name, and knows nothing before a preview or after a skipped node', () => {
    const mixEdges = [
      { source: 'tpl', target: 'mix', target_port: 'inputs' },
      { source: 'chat', target: 'mix', target_port: 'inputs' },
      { source: 'src', target: 'mix', target_port: 'inputs' },
    ];
    expect(columnsArriving(PREVIEW, 'mix', mixEdges).map((column) => column.name)).toEqual([
      'messages',
      'topic',
      'first',
      'instruction',
      'input',
      'output',
    ]);
    expect(columnsArriving(undefined, 'short', edges)).toEqual([]);
    // `short` has problems: the output after it has no columns yet.
    expect(columnsArriving(PREVIEW, 'train', edges)).toEqual([]);
    expect(columnsArriving(PREVIEW, 'src', edges)).toEqual([]);
  });
});

describe('preview helpers', () => {
  it('finds the conversation column of a node', () => {
    expect(messagesColumnOf(nodePreviewOf(PREVIEW, 'split'))).toEqual({ port: 'train', column: 'messages' });
    expect(messagesColumnOf(nodePreviewOf(PREVIEW, 'eval'))).toEqual({ port: 'dataset', column: 'messages' });
    expect(messagesColumnOf(nodePreviewOf(PREVIEW, 'src'))).toBeNull();
    expect(messagesColumnOf(nodePreviewOf(PREVIEW, 'short'))).toBeNull();
    expect(nodePreviewOf(PREVIEW, null)).toBeUndefined();
  });

  it('formats times', () => {
    expect(formatSeconds(0)).toBe('0 ms');
    expect(formatSeconds(0.000074)).toBe('0.1 ms');
    expect(formatSeconds(0.0029)).toBe('3 ms');
    expect(formatSeconds(0.238)).toBe('238 ms');
    expect(formatSeconds(1.234)).toBe('1.23 s');
    expect(formatSeconds(42.12)).toBe('42.1 s');
    expect(formatSeconds(undefined)).toBe('—');
  });
});
