import { HttpResponse, http } from 'msw';
import { describe, expect, it } from 'vitest';
import { ApiError, errorField } from '../../lib/apiError';
import { server, sseResponse } from '../../test/server';
import { streamOf } from '../../test/streams';
import { streamChatReply } from './chatStream';
import { completions, deltaFrame, endFrames, refusedCompletion } from './testData';

const request = {
  target: { model: 'tiny-llama', adapter: 'tiny-lora' },
  messages: [{ role: 'user' as const, content: 'hi' }],
  sampling: { temperature: 0.5, stop: ['###'] },
};

describe('streamChatReply', () => {
  it('asks /v1 for a stream with the target and sampling, and hands on each delta in order', async () => {
    const api = completions();
    server.use(api.handler);
    const deltas: string[] = [];
    const done = streamChatReply(request, new AbortController().signal, (text) => deltas.push(text));
    await expect.poll(() => api.calls.length).toBe(1);
    const [call] = api.calls;
    expect(call?.body).toMatchObject({
      model: 'tiny-llama',
      adapter: 'tiny-lora',
      temperature: 0.5,
      stop: ['###'],
      stream: true,
      stream_options: { include_usage: true },
      messages: [{ role: 'user', content: 'hi' }],
    });
    // The first chunk only names the role; a frame split across writes still reads whole.
    call?.send('data: {"choices":[{"delta":{"role":"assistant","content":""},"finish_reason":null}]}\n\n');
    call?.delta('Hel');
    const frame = deltaFrame('lo');
    call?.send(frame.slice(0, 20));
    call?.send(frame.slice(20));
    call?.delta(' world');
    call?.finish('length', 3);
    expect(await done).toEqual({
      text: 'Hello world',
      finishReason: 'length',
      usage: { prompt_tokens: 7, completion_tokens: 3, total_tokens: 10 },
    });
    expect(deltas).toEqual(['Hel', 'lo', ' world']);
  });

  it("reads a refusal's message and the field it names", async () => {
    server.use(refusedCompletion(422, 'temperature: Input should be less than or equal to 2', 'temperature'));
    const error = await streamChatReply(request, new AbortController().signal, () => undefined).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ status: 422, message: 'temperature: Input should be less than or equal to 2' });
    expect(errorField(error)).toBe('temperature');
  });

  it('fails with the error a generation sends after the stream started', async () => {
    const failure = { error: { message: 'the decode thread died', type: 'server_error', param: null, code: 'internal_error' } };
    server.use(
      http.post('*/v1/chat/completions', () =>
        sseResponse(streamOf([deltaFrame('par'), `data: ${JSON.stringify(failure)}\n\n`, 'data: [DONE]\n\n'])),
      ),
    );
    const deltas: string[] = [];
    const error = await streamChatReply(request, new AbortController().signal, (text) => deltas.push(text)).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'internal_error', message: 'the decode thread died' });
    expect(deltas).toEqual(['par']);
  });

  it('fails when the stream ends before the reply finished', async () => {
    server.use(http.post('*/v1/chat/completions', () => sseResponse(streamOf([deltaFrame('cut')]))));
    await expect(streamChatReply(request, new AbortController().signal, () => undefined)).rejects.toMatchObject({
      code: 'stream_cut',
    });
  });

  it('stops reading and closes the request when aborted', async () => {
    const api = completions();
    server.use(api.handler);
    const controller = new AbortController();
    const deltas: string[] = [];
    const done = streamChatReply(request, controller.signal, (text) => deltas.push(text)).catch((e: unknown) => e);
    await expect.poll(() => api.calls.length).toBe(1);
    api.calls[0]?.delta('one');
    await expect.poll(() => deltas).toEqual(['one']);
    controller.abort();
    expect(await done).toMatchObject({ name: 'AbortError' });
    expect(api.calls[0]?.aborted()).toBe(true);
  });

  it('reads a whole reply sent at once', async () => {
    server.use(http.post('*/v1/chat/completions', () => sseResponse(streamOf([deltaFrame('a'), deltaFrame('b'), endFrames()]))));
    const outcome = await streamChatReply(request, new AbortController().signal, () => undefined);
    expect(outcome).toMatchObject({ text: 'ab', finishReason: 'stop' });
  });

  it('refuses a 200 that is not a stream of chunks', async () => {
    server.use(http.post('*/v1/chat/completions', () => HttpResponse.text('data: not json\n\n')));
    await expect(streamChatReply(request, new AbortController().signal, () => undefined)).rejects.toBeInstanceOf(SyntaxError);
  });
});
