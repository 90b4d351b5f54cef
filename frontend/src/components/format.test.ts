import { describe, expect, it } from 'vitest';
import {
  formatBytes,
  formatCount,
  formatDuration,
  formatInteger,
  formatRelativeTime,
  formatYesNo,
} from './format';

describe('formatCount', () => {
  it('humanises parameter counts', () => {
    expect(formatCount(134_515_008)).toBe('134.5M');
    expect(formatCount(1_711_376_384)).toBe('1.7B');
    expect(formatCount(26_720)).toBe('26.7K');
    expect(formatCount(7_000_000_000)).toBe('7B');
    expect(formatCount(950)).toBe('950');
    expect(formatCount(0)).toBe('0');
  });

  it('carries rounding into the next unit', () => {
    expect(formatCount(999_960)).toBe('1M');
    expect(formatCount(999_999)).toBe('1M');
  });

  it('shows a dash for missing values', () => {
    expect(formatCount(null)).toBe('—');
    expect(formatCount(undefined)).toBe('—');
  });
});

describe('formatBytes', () => {
  it('uses decimal units with one decimal', () => {
    expect(formatBytes(0)).toBe('0 B');
    expect(formatBytes(999)).toBe('999 B');
    expect(formatBytes(1_500)).toBe('1.5 KB');
    expect(formatBytes(538_090_408)).toBe('538.1 MB');
    expect(formatBytes(8_000_000_000)).toBe('8 GB');
    expect(formatBytes(999_999)).toBe('1 MB');
  });

  it('shows a dash for missing or negative sizes', () => {
    expect(formatBytes(null)).toBe('—');
    expect(formatBytes(-1)).toBe('—');
  });
});

describe('formatInteger and formatYesNo', () => {
  it('groups digits', () => {
    expect(formatInteger(49_152)).toBe('49,152');
    expect(formatInteger(null)).toBe('—');
  });

  it('says yes or no', () => {
    expect(formatYesNo(true)).toBe('Yes');
    expect(formatYesNo(false)).toBe('No');
    expect(formatYesNo(null)).toBe('—');
  });
});

describe('formatRelativeTime', () => {
  const now = new Date('2026-03-01T12:00:00Z');

  it('says just now for the last few seconds', () => {
    expect(formatRelativeTime('2026-03-01T11:59:30Z', now)).toBe('just now');
  });

  it('picks the largest fitting unit', () => {
    expect(formatRelativeTime('2026-03-01T11:55:00Z', now)).toBe('5 minutes ago');
    expect(formatRelativeTime('2026-03-01T09:00:00Z', now)).toBe('3 hours ago');
    expect(formatRelativeTime('2026-02-28T12:00:00Z', now)).toBe('yesterday');
    expect(formatRelativeTime('2025-12-01T12:00:00Z', now)).toBe('3 months ago');
    expect(formatRelativeTime(new Date('2026-03-01T14:00:00Z'), now)).toBe('in 2 hours');
  });

  it('shows a dash for an unparsable date', () => {
    expect(formatRelativeTime('not a date', now)).toBe('—');
  });
});

describe('formatDuration', () => {
  const start = '2026-01-01T10:00:00Z';
  const after = (ms: number) => new Date(Date.parse(start) + ms).toISOString();

  it('uses the largest sensible unit', () => {
    expect(formatDuration(start, after(400))).toBe('0.4 s');
    expect(formatDuration(start, after(42_300))).toBe('42 s');
    expect(formatDuration(start, after(59_600))).toBe('1 min 00 s');
    expect(formatDuration(start, after(185_000))).toBe('3 min 05 s');
    expect(formatDuration(start, after(7_620_000))).toBe('2 h 07 min');
  });

  it('shows a dash until both ends are known', () => {
    expect(formatDuration(null, after(1000))).toBe('—');
    expect(formatDuration(start, null)).toBe('—');
    expect(formatDuration('not a date', after(1000))).toBe('—');
  });
});
