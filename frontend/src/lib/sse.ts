/** One dispatched Server-Sent Event. `id` is the stream's last event id when it was dispatched
 * (the spec's "last event ID"), `event` defaults to "message", `data` joins its data lines. */
export interface SseMessage {
  id: string | null;
  event: string;
  data: string;
}

/** Reads a `text/event-stream` body as the HTML spec parses it: lines end in LF, CRLF or CR
 * (also split across chunks), comment lines (keep-alives) are skipped, several `data:` lines
 * join with "\n", one space after the colon is dropped, and an event without data is not
 * dispatched. An event cut off by the end of the stream is discarded. */
export async function* readSse(stream: ReadableStream<Uint8Array>): AsyncGenerator<SseMessage> {
  const reader = stream.getReader();
  const decoder = new TextDecoder();
  const state: ParserState = { lastId: null, event: '', data: [] };
  let buffer = '';
  let first = true;
  let finished = false;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) {
        finished = true;
        // A CR at the very end was a line end after all.
        if (buffer.endsWith('\r')) {
          const message = feedLine(state, buffer.slice(0, -1));
          if (message) yield message;
        }
        break;
      }
      buffer += decoder.decode(value, { stream: true });
      if (first && buffer.length > 0) {
        if (buffer.charCodeAt(0) === 0xfeff) buffer = buffer.slice(1);
        first = false;
      }
      let end = lineEnd(buffer);
      while (end !== null) {
        const message = feedLine(state, buffer.slice(0, end.index));
        buffer = buffer.slice(end.index + end.length);
        if (message) yield message;
        end = lineEnd(buffer);
      }
    }
  } finally {
    // A consumer that stops early (or a failed read) cancels the rest of the stream.
    if (!finished) await reader.cancel().catch(() => undefined);
    reader.releaseLock();
  }
}

interface ParserState {
  lastId: string | null;
  event: string;
  data: string[];
}

/** Where the first complete line ends. A trailing CR waits for the next chunk: it may be the
 * first half of a CRLF. */
function lineEnd(buffer: string): { index: number; length: number } | null {
  for (let i = 0; i < buffer.length; i += 1) {
    const char = buffer[i];
    if (char === '\n') return { index: i, length: 1 };
    if (char === '\r') {
      if (i + 1 === buffer.length) return null;
      return { index: i, length: buffer[i + 1] === '\n' ? 2 : 1 };
    }
  }
  return null;
}

function feedLine(state: ParserState, line: string): SseMessage | null {
  if (line === '') return dispatch(state);
  if (line.startsWith(':')) return null;
  const colon = line.indexOf(':');
  const field = colon < 0 ? line : line.slice(0, colon);
  let value = colon < 0 ? '' : line.slice(colon + 1);
  if (value.startsWith(' ')) value = value.slice(1);
  if (field === 'data') state.data.push(value);
  else if (field === 'event') state.event = value;
  else if (field === 'id' && !value.includes('\0')) state.lastId = value;
  return null;
}

function dispatch(state: ParserState): SseMessage | null {
  const { data, event } = state;
  state.data = [];
  state.event = '';
  if (data.length === 0) return null;
  return { id: state.lastId, event: event || 'message', data: data.join('\n') };
}
