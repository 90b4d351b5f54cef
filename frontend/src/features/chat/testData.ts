/** A fake of the chat API for the tests: threads and messages kept in memory, /v1/models, and
 * /v1/chat/completions answering with streams the test writes to. */
import { within } from '@testing-library/react';
import type { UserEvent } from '@testing-library/user-event';
import { http, HttpResponse } from 'msw';
import type { ChatCompletionRequest, ChatMessageOut, ChatThreadOut, OpenAiModel } from '../../api/types.gen';
import { errorBody } from '../../test/fixtures';
import { sseResponse } from '../../test/server';
import { controlledStream } from '../../test/streams';

const CREATED = '2026-01-01T10:00:00Z';

export const baseModel: OpenAiModel = { id: 'tiny-llama', object: 'model', created: 1_767_261_600, owned_by: 'lathe', parent: null };
export const otherBase: OpenAiModel = { ...baseModel, id: 'smollm2-135m-instruct' };
export const adapterModel: OpenAiModel = { ...baseModel, id: 'tiny-lora', parent: 'tiny-llama' };

export function makeThread(overrides: Partial<ChatThreadOut> = {}): ChatThreadOut {
  return {
    id: 1,
    title: 'Greetings',
    model: baseModel.id,
    adapter: null,
    system_prompt: '',
    params: { temperature: 1, top_p: 1, top_k: 0, min_p: 0, max_tokens: null, stop: [], seed: null },
    created_at: CREATED,
    updated_at: CREATED,
    ...overrides,
  };
}

export function makeMessage(overrides: Partial<ChatMessageOut> & Pick<ChatMessageOut, 'id' | 'role' | 'content'>): ChatMessageOut {
  return {
    thread_id: 1,
    model: null,
    adapter: null,
    params: null,
    finish_reason: null,
    prompt_tokens: null,
    completion_tokens: null,
    created_at: CREATED,
    ...overrides,
  };
}

interface Store {
  models: OpenAiModel[];
  threads: ChatThreadOut[];
  messages: ChatMessageOut[];
}

/** The playground API over an in-memory store the test can read. */
export function chatBackend(initial: Partial<Store> = {}) {
  const store: Store = {
    models: initial.models ?? [baseModel, adapterModel],
    threads: initial.threads ?? [],
    messages: initial.messages ?? [],
  };
  let nextId = 100;
  const thread = (id: unknown) => store.threads.find((item) => item.id === Number(id));
  const missing = (id: unknown) => HttpResponse.json(errorBody('not_found', `chat thread ${String(id)} not found`), { status: 404 });

  const handlers = [
    http.get('*/v1/models', () => HttpResponse.json({ object: 'list', data: store.models })),
    http.get('*/api/chat/threads', () => HttpResponse.json({ items: [...store.threads].reverse(), next_cursor: null })),
    http.post('*/api/chat/threads', async ({ request }) => {
      const body = (await request.json()) as Partial<ChatThreadOut>;
      nextId += 1;
      const created = makeThread({ title: '', model: null, adapter: null, params: {}, ...body, id: nextId });
      store.threads.push(created);
      return HttpResponse.json(created, { status: 201 });
    }),
    http.get('*/api/chat/threads/:id', ({ params }) => {
      const found = thread(params.id);
      return found ? HttpResponse.json(found) : missing(params.id);
    }),
    http.patch('*/api/chat/threads/:id', async ({ params, request }) => {
      const found = thread(params.id);
      if (!found) return missing(params.id);
      Object.assign(found, (await request.json()) as Partial<ChatThreadOut>);
      return HttpResponse.json(found);
    }),
    http.delete('*/api/chat/threads/:id', ({ params }) => {
      if (!thread(params.id)) return missing(params.id);
      store.threads = store.threads.filter((item) => item.id !== Number(params.id));
      return new HttpResponse(null, { status: 204 });
    }),
    http.get('*/api/chat/threads/:id/messages', ({ params }) => {
      if (!thread(params.id)) return missing(params.id);
      const items = store.messages.filter((message) => message.thread_id === Number(params.id));
      return HttpResponse.json({ items, next_cursor: null });
    }),
    http.post('*/api/chat/threads/:id/messages', async ({ params, request }) => {
      if (!thread(params.id)) return missing(params.id);
      nextId += 1;
      const body = (await request.json()) as Partial<ChatMessageOut> & Pick<ChatMessageOut, 'role' | 'content'>;
      const message = makeMessage({ ...body, id: nextId, thread_id: Number(params.id) });
      store.messages.push(message);
      return HttpResponse.json(message, { status: 201 });
    }),
    http.delete('*/api/chat/threads/:id/messages/:messageId', ({ params }) => {
      store.messages = store.messages.filter((message) => message.id !== Number(params.messageId));
      return new HttpResponse(null, { status: 204 });
    }),
  ];
  return { handlers, store };
}

/** A chat.completion.chunk frame carrying `text`. */
export function deltaFrame(text: string): string {
  return `data: ${JSON.stringify({ id: 'c', object: 'chat.completion.chunk', created: 1, model: 'm', choices: [{ index: 0, delta: { content: text }, finish_reason: null }] })}\n\n`;
}

/** The last frames of a reply: its finish reason, its token counts, then [DONE]. */
export function endFrames(reason: 'stop' | 'length' = 'stop', completionTokens = 3): string {
  const finish = { id: 'c', object: 'chat.completion.chunk', created: 1, model: 'm', choices: [{ index: 0, delta: {}, finish_reason: reason }] };
  const usage = { ...finish, choices: [], usage: { prompt_tokens: 7, completion_tokens: completionTokens, total_tokens: 7 + completionTokens } };
  return `data: ${JSON.stringify(finish)}\n\ndata: ${JSON.stringify(usage)}\n\ndata: [DONE]\n\n`;
}

export interface CompletionCall {
  body: ChatCompletionRequest;
  send: (text: string) => void;
  /** Sends `text` as one delta. */
  delta: (text: string) => void;
  finish: (reason?: 'stop' | 'length', completionTokens?: number) => void;
  aborted: () => boolean;
}

/** POST /v1/chat/completions: every request gets a stream the test writes to, in `calls`. */
export function completions() {
  const calls: CompletionCall[] = [];
  const handler = http.post('*/v1/chat/completions', async ({ request }) => {
    const body = (await request.json()) as ChatCompletionRequest;
    const stream = controlledStream();
    let aborted = false;
    request.signal.addEventListener('abort', () => {
      aborted = true;
    });
    calls.push({
      body,
      send: stream.send,
      delta: (text) => stream.send(deltaFrame(text)),
      finish: (reason, tokens) => {
        stream.send(endFrames(reason, tokens));
        stream.close();
      },
      aborted: () => aborted,
    });
    return sseResponse(stream.stream);
  });
  return { handler, calls };
}

/** POST /v1/chat/completions refusing every request with an OpenAI-shaped error. */
export function refusedCompletion(status: number, message: string, param: string | null, code = 'invalid_input') {
  return http.post('*/v1/chat/completions', () =>
    HttpResponse.json({ error: { message, type: 'invalid_request_error', param, code } }, { status }),
  );
}

/** Chooses `option` in a Mantine select. jsdom has no layout, so the floating dropdown counts as
 * hidden; its options are found in the listbox this combobox controls. */
export async function pickOption(user: UserEvent, combobox: HTMLElement, option: string): Promise<void> {
  await user.click(combobox);
  const listbox = document.getElementById(combobox.getAttribute('aria-controls') ?? '');
  if (!listbox) throw new Error('the select opened no listbox');
  await user.click(within(listbox).getByRole('option', { name: option, hidden: true }));
}
