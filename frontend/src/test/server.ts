import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { builtinEntry, health, systemInfo } from './fixtures';

/** Handlers every page needs; tests override the ones they exercise with server.use(...). */
export const defaultHandlers = [
  http.get('*/api/health', () => HttpResponse.json(health)),
  http.get('*/api/system', () => HttpResponse.json(systemInfo)),
  http.get('*/api/models/builtin', () => HttpResponse.json([builtinEntry])),
  http.get('*/api/models', () => HttpResponse.json({ items: [], next_cursor: null })),
];

export const server = setupServer(...defaultHandlers);

/** An NDJSON response that sends the given chunks one by one. */
export function ndjsonResponse(chunks: string[]): HttpResponse<ReadableStream> {
  const encoder = new TextEncoder();
  const stream = new ReadableStream<Uint8Array>({
    async start(controller) {
      for (const chunk of chunks) {
        controller.enqueue(encoder.encode(chunk));
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      controller.close();
    },
  });
  return new HttpResponse(stream, { headers: { 'Content-Type': 'application/x-ndjson' } });
}
