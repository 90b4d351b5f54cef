import { describe, expect, it } from 'vitest';
import { formatSeconds, messagesColumnOf, nodePreviewOf } from './previewData';
import { PREVIEW } from './testing';

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
