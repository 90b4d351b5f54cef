import { ApiError } from './apiError';
import { readSse, type SseMessage } from './sse';

export type StreamState = 'connecting' | 'live' | 'reconnecting';

export interface FollowOptions {
  /** Opens the stream, resuming after `lastEventId` (null: from the start). */
  open: (lastEventId: string | null, signal: AbortSignal) => Promise<ReadableStream<Uint8Array>>;
  onMessage: (message: SseMessage) => void;
  /** Asked when a stream ends cleanly: true when nothing more will come, so no reconnect. */
  isComplete: () => boolean | Promise<boolean>;
  signal: AbortSignal;
  onStateChange?: (state: StreamState) => void;
  /** Milliseconds to wait before reconnect number `attempt` (0-based) after a failure. */
  retryDelay?: (attempt: number) => number;
}

const defaultRetryDelay = (attempt: number) => Math.min(1000 * 2 ** attempt, 15_000);

/** A refusal (bad id, missing token) will not change by asking again; a dropped connection,
 * a timeout or a server error may. */
function isPermanent(error: unknown): boolean {
  return error instanceof ApiError && error.status >= 400 && error.status < 500 && ![408, 429].includes(error.status);
}

/** Follows an event stream like EventSource does, but over any transport (so requests can carry
 * an Authorization header): on a dropped connection, or a stream that ends before
 * `isComplete()`, it reconnects with the last event id it saw, backing off while attempts keep
 * failing. Resolves when complete or aborted; rejects on a permanent (4xx) refusal. */
export async function followEventStream(options: FollowOptions): Promise<void> {
  const { open, onMessage, isComplete, signal, onStateChange } = options;
  const retryDelay = options.retryDelay ?? defaultRetryDelay;
  let lastEventId: string | null = null;
  let failures = 0;
  onStateChange?.('connecting');
  while (!signal.aborted) {
    let received = false;
    try {
      const stream = await open(lastEventId, signal);
      onStateChange?.('live');
      for await (const message of readSse(stream)) {
        received = true;
        if (message.id !== null) lastEventId = message.id;
        onMessage(message);
      }
      if (await isComplete()) return;
    } catch (error) {
      if (signal.aborted) return;
      if (isPermanent(error)) throw error;
    }
    failures = received ? 0 : failures + 1;
    onStateChange?.('reconnecting');
    await sleep(retryDelay(Math.max(0, failures - 1)), signal);
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
  });
}
