import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { beforeAll, describe, expect, it } from 'vitest';
import { renderApp } from '../../test/render';
import { server } from '../../test/server';
import { chatBackend, completions, makeMessage, makeThread, pickOption, refusedCompletion } from './testData';

const conversation = () => screen.getByRole('region', { name: 'Conversation' });
const liveReply = () => within(conversation()).getByTestId('chat-live-reply');
const storedMessages = () => within(conversation()).queryAllByTestId('chat-message');

/** A thread with `messages`, open, with /v1 answering from streams the test writes. */
async function openThread(options: Parameters<typeof chatBackend>[0] = {}) {
  const backend = chatBackend({ threads: [makeThread({ id: 1, title: '', system_prompt: 'Be brief.' })], ...options });
  const api = completions();
  server.use(api.handler, ...backend.handlers);
  const user = userEvent.setup();
  renderApp('/chat/1');
  const box = await screen.findByRole('textbox', { name: 'Message' });
  return { backend, api, user, box };
}

describe('Thread conversation', () => {
  beforeAll(() => import('./ChatPage'));

  it('streams a reply token by token, then stores both messages and names the thread', async () => {
    const { backend, api, user, box } = await openThread();
    // Shift+Enter is a new line; Enter sends.
    await user.type(box, 'Hello{Shift>}{Enter}{/Shift}there{Enter}');
    await waitFor(() => expect(api.calls).toHaveLength(1));
    expect(box).toHaveValue('');
    const [call] = api.calls;
    expect(call?.body).toMatchObject({
      model: 'tiny-llama',
      stream: true,
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'Hello\nthere' },
      ],
    });
    expect(await within(conversation()).findByText('Waiting for the model…')).toBeInTheDocument();

    call?.delta('One');
    await waitFor(() => expect(liveReply()).toHaveTextContent('One'));
    expect(screen.getByRole('button', { name: 'Stop' })).toBeInTheDocument();
    call?.delta(', two');
    await waitFor(() => expect(liveReply()).toHaveTextContent('One, two'));
    call?.delta(' and **three**');
    await waitFor(() => expect(liveReply()).toHaveTextContent('One, two and three'));
    call?.finish('stop', 5);

    await waitFor(() => expect(storedMessages()).toHaveLength(2));
    expect(within(conversation()).queryByTestId('chat-live-reply')).not.toBeInTheDocument();
    const reply = storedMessages()[1];
    expect(reply?.querySelector('strong')).toHaveTextContent('three');
    expect(reply).toHaveTextContent('tiny-llama · 5 tokens');
    expect(backend.store.messages.map(({ role, content }) => [role, content])).toEqual([
      ['user', 'Hello\nthere'],
      ['assistant', 'One, two and **three**'],
    ]);
    expect(backend.store.messages[1]).toMatchObject({
      model: 'tiny-llama',
      adapter: null,
      finish_reason: 'stop',
      prompt_tokens: 7,
      completion_tokens: 5,
    });
    await waitFor(() => expect(backend.store.threads[0]?.title).toBe('Hello'));
    expect(await screen.findByRole('heading', { name: 'Hello', level: 2 })).toBeInTheDocument();
  });

  it('stop aborts the request and keeps what was written, marked as stopped', async () => {
    const { backend, api, user, box } = await openThread();
    await user.type(box, 'Count to ten{Enter}');
    await waitFor(() => expect(api.calls).toHaveLength(1));
    api.calls[0]?.delta('1 2 3');
    await waitFor(() => expect(liveReply()).toHaveTextContent('1 2 3'));

    await user.click(screen.getByRole('button', { name: 'Stop' }));
    await waitFor(() => expect(api.calls[0]?.aborted()).toBe(true));
    await waitFor(() => expect(storedMessages()).toHaveLength(2));
    expect(storedMessages()[1]).toHaveTextContent('stopped');
    expect(backend.store.messages[1]).toMatchObject({ content: '1 2 3', finish_reason: 'cancelled', completion_tokens: null });
    expect(screen.getByRole('button', { name: 'Send' })).toBeInTheDocument();
  });

  it('regenerate replaces the last reply', async () => {
    const { backend, api, user } = await openThread({
      messages: [
        makeMessage({ id: 1, role: 'user', content: 'Name a colour' }),
        makeMessage({ id: 2, role: 'assistant', content: 'Mauve', model: 'tiny-llama', finish_reason: 'stop' }),
      ],
    });
    await waitFor(() => expect(storedMessages()).toHaveLength(2));
    await user.click(screen.getByRole('button', { name: 'Regenerate' }));
    await waitFor(() => expect(api.calls).toHaveLength(1));
    // The reply is asked for again without the one it replaces, which is hidden meanwhile.
    expect(api.calls[0]?.body.messages).toEqual([
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: 'Name a colour' },
    ]);
    expect(conversation()).not.toHaveTextContent('Mauve');
    api.calls[0]?.delta('Teal');
    api.calls[0]?.finish();

    await waitFor(() => expect(backend.store.messages.map((message) => message.content)).toEqual(['Name a colour', 'Teal']));
    await waitFor(() => expect(storedMessages()).toHaveLength(2));
    expect(storedMessages()[1]).toHaveTextContent('Teal');
    expect(conversation()).not.toHaveTextContent('Mauve');
  });

  it("shows a refusal's message, on the field it names", async () => {
    const { backend, user, box } = await openThread();
    server.use(refusedCompletion(422, 'temperature: Input should be less than or equal to 2', 'temperature'));
    await user.type(box, 'Hi{Enter}');

    const alert = await within(conversation()).findByRole('alert');
    expect(alert).toHaveTextContent('The model could not answer');
    expect(alert).toHaveTextContent('temperature: Input should be less than or equal to 2');
    // The sampling panel unfolds with the message under the control it is about.
    const temperature = await screen.findByRole('textbox', { name: 'Temperature' });
    expect(temperature).toHaveAttribute('aria-invalid', 'true');
    expect(temperature).toHaveAccessibleDescription(/Input should be less than or equal to 2/);
    // The message stays; nothing was written for it.
    expect(backend.store.messages.map((message) => message.role)).toEqual(['user']);
  });

  it('puts an unknown model refusal on the model picker', async () => {
    const { user, box } = await openThread();
    server.use(refusedCompletion(404, 'model tiny-llama not found', 'model', 'not_found'));
    await user.type(box, 'Hi{Enter}');
    await within(conversation()).findByRole('alert');
    expect(screen.getByRole('combobox', { name: 'Model' })).toHaveAccessibleDescription(/model tiny-llama not found/);
  });

  it('saves the model and sampling on the thread, and sends them', async () => {
    const { backend, api, user, box } = await openThread();
    await pickOption(user, screen.getByRole('combobox', { name: 'Model' }), 'tiny-lora (on tiny-llama)');
    await user.click(screen.getByRole('button', { name: /Sampling/ }));
    const temperature = await screen.findByRole('textbox', { name: 'Temperature' });
    await user.type(temperature, '0.3');
    await waitFor(() => expect(backend.store.threads[0]).toMatchObject({ model: 'tiny-llama', adapter: 'tiny-lora' }));
    await waitFor(() => expect(backend.store.threads[0]?.params).toEqual({ temperature: 0.3 }));

    await user.type(box, 'Hi{Enter}');
    await waitFor(() => expect(api.calls).toHaveLength(1));
    expect(api.calls[0]?.body).toMatchObject({ model: 'tiny-llama', adapter: 'tiny-lora', temperature: 0.3 });
    expect(screen.getByRole('link', { name: 'Compare with the base model' })).toHaveAttribute(
      'href',
      '/chat/compare?models=tiny-llama%2Ctiny-lora',
    );
  });

  it('takes stop strings with commas in them: only Enter ends one', async () => {
    const { backend, user } = await openThread();
    await user.click(screen.getByRole('button', { name: /Sampling/ }));
    const stop = await screen.findByLabelText('Stop', { selector: 'input' });
    await user.type(stop, 'Q: a, b{Enter}END{Enter}');
    await waitFor(() => expect(backend.store.threads[0]?.params.stop).toEqual(['Q: a, b', 'END']));
  });

  it('keeps out-of-bounds sampling values off the server and says why', async () => {
    const { backend, user } = await openThread();
    await user.click(screen.getByRole('button', { name: /Sampling/ }));
    const topP = await screen.findByRole('textbox', { name: 'Top p' });
    await user.type(topP, '5');
    expect(await screen.findByText('Must be at most 1.')).toBeInTheDocument();
    await new Promise((resolve) => setTimeout(resolve, 800));
    expect(backend.store.threads[0]?.params.top_p).toBe(1);
  });
});
