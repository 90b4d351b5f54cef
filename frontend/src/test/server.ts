import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { builtinEntry, health, systemInfo } from './fixtures';

/** Handlers every page needs; tests override the ones they exercise with server.use(...). */
export const defaultHandlers = [
  http.get('*/api/health', () => HttpResponse.json(health)),
  http.get('*/api/system', () => HttpResponse.json(systemInfo)),
  http.get('*/api/models/builtin', () => HttpResponse.json([builtinEntry])),
  http.get('*/api/models', () => HttpResponse.json({ items: [], next_cursor: null })),
  http.get('*/api/jobs', () => HttpResponse.json({ items: [], next_cursor: null })),
  http.get('*/api/exports', () => HttpResponse.json({ items: [], next_cursor: null })),
];

export const server = setupServer(...defaultHandlers);

/** A `text/event-stream` response over the given byte stream. */
export function sseResponse(stream: ReadableStream<Uint8Array>): HttpResponse<ReadableStream> {
  return new HttpResponse(stream, { headers: { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache' } });
}
