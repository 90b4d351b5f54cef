import { describe, expect, it } from 'vitest';
import { readNdjson } from './ndjson';

function streamOf(chunks: Array<string | Uint8Array>): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  return new ReadableStream<Uint8Array>({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(typeof chunk === 'string' ? encoder.encode(chunk) : chunk);
      controller.close();
    },
  });
}

async function collect<T>(stream: ReadableStream<Uint8Array>): Promise<T[]> {
  const items: T[] = [];
  for await (const item of readNdjson<T>(stream)) items.push(item);
  return items;
}

describe('readNdjson', () => {
  it('reassembles lines split across chunks', async () => {
    const items = await collect(streamOf(['{"a":', '1}\n{"a"', ':2}\n', '{"a":3}\n']));
    expect(items).toEqual([{ a: 1 }, { a: 2 }, { a: 3 }]);
  });

  it('keeps several lines of one chunk apart and skips blank lines', async () => {
    const items = await collect(streamOf(['{"a":1}\n\n{"a":2}\r\n', '\n']));
    expect(items).toEqual([{ a: 1 }, { a: 2 }]);
  });

  it('reads a last line without a trailing newline', async () => {
    expect(await collect(streamOf(['{"a":1}\n{"a":', '2}']))).toEqual([{ a: 1 }, { a: 2 }]);
  });

  it('decodes a multi-byte character split between chunks', async () => {
    const bytes = new TextEncoder().encode('{"m":"héllo ✓"}\n');
    const cut = bytes.indexOf(0xc3) + 1; // inside "é"
    const items = await collect<{ m: string }>(streamOf([bytes.slice(0, cut), bytes.slice(cut)]));
    expect(items).toEqual([{ m: 'héllo ✓' }]);
  });

  it('passes an error event through as a value', async () => {
    const items = await collect(
      streamOf([
        '{"type":"progress","progress":{"stage":"download","message":"x"}}\n',
        '{"type":"error","error":{"code":"upstream_unavailable","message":"PyPI is unreachable"}}\n',
      ]),
    );
    expect(items[1]).toEqual({
      type: 'error',
      error: { code: 'upstream_unavailable', message: 'PyPI is unreachable' },
    });
  });

  it('fails clearly on a malformed line', async () => {
    await expect(collect(streamOf(['{"a":1}\nnot json\n']))).rejects.toThrow(/malformed progress line: not json/);
  });
});
