import { describe, expect, it } from 'vitest';
import { streamOf } from '../test/streams';
import { readSse, type SseMessage } from './sse';

async function collect(chunks: Array<string | Uint8Array>): Promise<SseMessage[]> {
  const messages: SseMessage[] = [];
  for await (const message of readSse(streamOf(chunks))) messages.push(message);
  return messages;
}

describe('readSse', () => {
  it('reads id, event and data of each event', async () => {
    expect(await collect(['id: 1\nevent: status\ndata: {"a":1}\n\nid: 2\nevent: log\ndata: x\n\n'])).toEqual([
      { id: '1', event: 'status', data: '{"a":1}' },
      { id: '2', event: 'log', data: 'x' },
    ]);
  });

  it('reassembles events split at any chunk boundary', async () => {
    const text = 'id: 7\nevent: progress\ndata: {"completed":3,"total":10}\n\n';
    for (let cut = 1; cut < text.length; cut += 1) {
      expect(await collect([text.slice(0, cut), text.slice(cut)])).toEqual([
        { id: '7', event: 'progress', data: '{"completed":3,"total":10}' },
      ]);
    }
  });

  it('treats a CRLF split between chunks as one line end', async () => {
    expect(await collect(['id: 1\r', '\ndata: a\r\n\r', '\n'])).toEqual([{ id: '1', event: 'message', data: 'a' }]);
  });

  it('accepts CR-only line ends', async () => {
    expect(await collect(['data: a\rdata: b\r\r'])).toEqual([{ id: null, event: 'message', data: 'a\nb' }]);
  });

  it('joins multi-line data with newlines and keeps extra spaces', async () => {
    expect(await collect(['data: first\ndata:second\ndata:   indented\ndata\n\n'])).toEqual([
      { id: null, event: 'message', data: 'first\nsecond\n  indented\n' },
    ]);
  });

  it('skips comments and keep-alives, and does not dispatch events without data', async () => {
    const messages = await collect([': ping\n\n', ':\n\n', 'id: 4\nevent: log\n\n', ': keep-alive\ndata: z\n\n']);
    expect(messages).toEqual([{ id: '4', event: 'message', data: 'z' }]);
  });

  it('keeps the last event id for later events and ignores unknown fields', async () => {
    expect(await collect(['id: 9\ndata: a\n\nretry: 500\nfoo: bar\ndata: b\n\n'])).toEqual([
      { id: '9', event: 'message', data: 'a' },
      { id: '9', event: 'message', data: 'b' },
    ]);
  });

  it('discards an event cut off by the end of the stream', async () => {
    expect(await collect(['data: done\n\ndata: half'])).toEqual([{ id: null, event: 'message', data: 'done' }]);
  });

  it('decodes a multi-byte character split between chunks and drops a leading BOM', async () => {
    const bytes = new TextEncoder().encode('\uFEFFdata: héllo ✓\n\n');
    const cut = bytes.indexOf(0xc3) + 1;
    expect(await collect([bytes.slice(0, cut), bytes.slice(cut)])).toEqual([
      { id: null, event: 'message', data: 'héllo ✓' },
    ]);
  });
});
