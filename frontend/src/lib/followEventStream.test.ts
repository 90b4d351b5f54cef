import { describe, expect, it } from 'vitest';
import { controlledStream, streamOf } from '../test/streams';
import { ApiError } from './apiError';
import { followEventStream, type StreamState } from './followEventStream';
import type { SseMessage } from './sse';

const noDelay = () => 0;

describe('followEventStream', () => {
  it('reconnects after a dropped connection with the last event id it saw', async () => {
    const first = controlledStream();
    const opened: Array<string | null> = [];
    const messages: SseMessage[] = [];
    let complete = false;
    const done = followEventStream({
      open: async (lastId) => {
        opened.push(lastId);
        return opened.length === 1 ? first.stream : streamOf(['id: 3\nevent: status\ndata: end\n\n']);
      },
      onMessage: (message) => {
        messages.push(message);
        if (message.data === 'end') complete = true;
      },
      isComplete: () => complete,
      signal: new AbortController().signal,
      retryDelay: noDelay,
    });
    first.send('id: 1\ndata: a\n\nid: 2\ndata: b\n\nid: 9\ndata: cut off');
    await new Promise((resolve) => setTimeout(resolve, 10));
    first.fail();
    await done;
    expect(opened).toEqual([null, '2']);
    expect(messages.map((m) => m.data)).toEqual(['a', 'b', 'end']);
  });

  it('reconnects when a stream ends before the work is complete', async () => {
    const opened: Array<string | null> = [];
    let complete = false;
    await followEventStream({
      open: async (lastId) => {
        opened.push(lastId);
        return opened.length === 1
          ? streamOf(['id: 5\ndata: early\n\n'])
          : streamOf([': keep-alive\n\nid: 6\ndata: last\n\n']);
      },
      onMessage: (message) => {
        complete = message.data === 'last';
      },
      isComplete: () => complete,
      signal: new AbortController().signal,
      retryDelay: noDelay,
    });
    expect(opened).toEqual([null, '5']);
  });

  it('keeps retrying server errors, with growing delays, and reports its state', async () => {
    const delays: number[] = [];
    const states: StreamState[] = [];
    let attempts = 0;
    await followEventStream({
      open: async () => {
        attempts += 1;
        if (attempts < 4) throw new ApiError(503, 'unavailable', 'busy');
        return streamOf(['data: ok\n\n']);
      },
      onMessage: () => undefined,
      isComplete: () => true,
      signal: new AbortController().signal,
      onStateChange: (state) => states.push(state),
      retryDelay: (attempt) => {
        delays.push(attempt);
        return 0;
      },
    });
    expect(attempts).toBe(4);
    expect(delays).toEqual([0, 1, 2]);
    expect(states).toEqual(['connecting', 'reconnecting', 'reconnecting', 'reconnecting', 'live']);
  });

  it('gives up on a refusal and passes the error on', async () => {
    const refusal = new ApiError(404, 'not_found', 'job 42 not found');
    await expect(
      followEventStream({
        open: async () => {
          throw refusal;
        },
        onMessage: () => undefined,
        isComplete: () => false,
        signal: new AbortController().signal,
        retryDelay: noDelay,
      }),
    ).rejects.toBe(refusal);
  });

  it('stops quietly when aborted while waiting to reconnect', async () => {
    const controller = new AbortController();
    let attempts = 0;
    const done = followEventStream({
      open: async () => {
        attempts += 1;
        throw new TypeError('network error');
      },
      onMessage: () => undefined,
      isComplete: () => false,
      signal: controller.signal,
      retryDelay: () => 60_000,
    });
    await new Promise((resolve) => setTimeout(resolve, 10));
    controller.abort();
    await expect(done).resolves.toBeUndefined();
    expect(attempts).toBe(1);
  });
});
