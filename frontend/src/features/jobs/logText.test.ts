import { describe, expect, it } from 'vitest';
import { terminalText } from './logText';

describe('terminalText', () => {
  it('keeps the last frame of a line redrawn with carriage returns', () => {
    const log = 'start\nLoading:   0%| | 0/4\rLoading:  50%|█| 2/4\rLoading: 100%|██| 4/4\ndone\n';
    expect(terminalText(log)).toBe('start\nLoading: 100%|██| 4/4\ndone\n');
  });

  it('treats CRLF as a plain line end and a trailing CR as no redraw', () => {
    expect(terminalText('a\r\nb\r\n')).toBe('a\nb\n');
    expect(terminalText('frame 1\rframe 2\r')).toBe('frame 2');
  });

  it('leaves a log without carriage returns as it is', () => {
    const log = 'one\ntwo\n';
    expect(terminalText(log)).toBe(log);
  });
});
