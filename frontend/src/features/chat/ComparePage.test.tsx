import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { HttpResponse, http } from 'msw';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ChatCompletionRequest } from '../../api/types.gen';
import { renderApp } from '../../test/render';
import { server } from '../../test/server';
import { adapterModel, baseModel, chatBackend, completions, otherBase, pickOption } from './testData';

const pane = (position: number, name: string) => screen.getByRole('region', { name: `Pane ${position}: ${name}` });
const paneConversation = (name: string) => screen.getByRole('region', { name: `Conversation with ${name}` });

async function openCompare(path: string, models = [baseModel, adapterModel, otherBase]) {
  const api = completions();
  server.use(api.handler, ...chatBackend({ models }).handlers);
  const user = userEvent.setup();
  const result = renderApp(path);
  const box = await screen.findByRole('textbox', { name: 'Message' });
  return { ...result, api, user, box };
}

/** The call that asked for `name`'s reply (an adapter is asked for on its base). */
function callFor(calls: ReturnType<typeof completions>['calls'], name: string) {
  return calls.find((call) => (call.body.adapter ?? call.body.model) === name);
}

describe('Compare page', () => {
  beforeAll(() => import('./ComparePage'));

  it('opens with the models the address names, one pane each, and streams every reply side by side', async () => {
    const { api, user, box } = await openCompare('/chat/compare?models=tiny-llama,tiny-lora');
    expect(within(pane(1, 'tiny-llama')).getByRole('combobox', { name: 'Model 1' })).toHaveValue('tiny-llama');
    expect(within(pane(2, 'tiny-lora')).getByRole('combobox', { name: 'Model 2' })).toHaveValue('tiny-lora (on tiny-llama)');

    await user.type(box, 'Who are you?{Enter}');
    await waitFor(() => expect(api.calls).toHaveLength(2));
    const base = callFor(api.calls, 'tiny-llama');
    const adapter = callFor(api.calls, 'tiny-lora');
    expect(base?.body).toMatchObject({ model: 'tiny-llama', adapter: null, messages: [{ role: 'user', content: 'Who are you?' }] });
    expect(adapter?.body).toMatchObject({ model: 'tiny-llama', adapter: 'tiny-lora' });
    for (const name of ['tiny-llama', 'tiny-lora']) {
      expect(paneConversation(name)).toHaveTextContent('Who are you?');
    }

    base?.delta('I am a ');
    adapter?.delta('Lathe');
    await waitFor(() => expect(paneConversation('tiny-lora')).toHaveTextContent('Lathe'));
    base?.delta('model');
    adapter?.delta(' Assistant');
    await waitFor(() => expect(paneConversation('tiny-llama')).toHaveTextContent('I am a model'));
    await waitFor(() => expect(paneConversation('tiny-lora')).toHaveTextContent('Lathe Assistant'));
    expect(screen.getAllByText('Writing')).toHaveLength(2);
    base?.finish();
    adapter?.finish('length', 2);
    await waitFor(() => expect(screen.queryByText('Writing')).not.toBeInTheDocument());
    expect(paneConversation('tiny-lora')).toHaveTextContent('tiny-lora · 2 tokens · cut at the token limit');

    // The next turn sends each model its own earlier reply.
    await user.type(box, 'And?{Enter}');
    await waitFor(() => expect(api.calls).toHaveLength(4));
    const messagesOf = (body: ChatCompletionRequest | undefined) => body?.messages.map((message) => message.content);
    expect(messagesOf(callFor(api.calls.slice(2), 'tiny-llama')?.body)).toEqual(['Who are you?', 'I am a model', 'And?']);
    expect(messagesOf(callFor(api.calls.slice(2), 'tiny-lora')?.body)).toEqual(['Who are you?', 'Lathe Assistant', 'And?']);
  });

  it('stop aborts every pane, and regenerate answers the last message again in each', async () => {
    const { api, user, box } = await openCompare('/chat/compare?models=tiny-llama,tiny-lora');
    await user.type(box, 'Go{Enter}');
    await waitFor(() => expect(api.calls).toHaveLength(2));
    api.calls[0]?.delta('partial');
    await waitFor(() => expect(screen.getAllByText('partial').length).toBeGreaterThan(0));
    await user.click(screen.getByRole('button', { name: 'Stop' }));
    await waitFor(() => expect(api.calls.every((call) => call.aborted())).toBe(true));
    await waitFor(() => expect(screen.getByRole('button', { name: 'Send' })).toBeInTheDocument());

    await user.click(screen.getByRole('button', { name: 'Regenerate' }));
    await waitFor(() => expect(api.calls).toHaveLength(4));
    for (const call of api.calls.slice(2)) expect(call.body.messages).toEqual([{ role: 'user', content: 'Go' }]);
    await waitFor(() => expect(screen.queryByText('partial')).not.toBeInTheDocument());
    for (const call of api.calls.slice(2)) {
      call.delta('again');
      call.finish();
    }
    await waitFor(() => expect(screen.getAllByText('again')).toHaveLength(2));
  });

  it('adds and removes panes, keeping the address in step', async () => {
    const { router, user } = await openCompare('/chat/compare?models=tiny-llama,tiny-lora');
    expect(screen.getByRole('button', { name: 'Remove pane 1' })).toBeDisabled();
    await user.click(screen.getByRole('button', { name: 'Add model' }));
    const third = pane(3, 'pane 3');
    expect(within(third).getByText('Choose a model for this pane.')).toBeInTheDocument();
    await pickOption(user, within(third).getByRole('combobox', { name: 'Model 3' }), 'smollm2-135m-instruct');
    await waitFor(() =>
      expect(router.state.location.search).toEqual({ models: 'tiny-llama,tiny-lora,smollm2-135m-instruct' }),
    );
    await user.click(screen.getByRole('button', { name: 'Remove pane 1' }));
    await waitFor(() => expect(router.state.location.search).toEqual({ models: 'tiny-lora,smollm2-135m-instruct' }));
    expect(screen.getAllByRole('region', { name: /^Pane \d/ })).toHaveLength(2);
  });

  it('starts with the first two base models when the address names none', async () => {
    await openCompare('/chat/compare', [adapterModel, baseModel, otherBase]);
    expect(pane(1, 'tiny-llama')).toBeInTheDocument();
    expect(pane(2, 'smollm2-135m-instruct')).toBeInTheDocument();
  });

  it("shows a pane's refusal in that pane while the others answer", async () => {
    const { api, user, box } = await openCompare('/chat/compare?models=tiny-llama,gone-adapter');
    server.use(
      http.post('*/v1/chat/completions', async ({ request }) => {
        const body = (await request.clone().json()) as ChatCompletionRequest;
        if (body.model !== 'gone-adapter') return undefined;
        return HttpResponse.json(
          { error: { message: 'model gone-adapter not found', type: 'invalid_request_error', param: 'model', code: 'not_found' } },
          { status: 404 },
        );
      }),
    );
    await user.type(box, 'Hi{Enter}');
    const failed = pane(2, 'gone-adapter');
    expect(await within(failed).findByRole('alert')).toHaveTextContent('model gone-adapter not found');
    expect(within(failed).getByText('Failed')).toBeInTheDocument();
    expect(within(failed).getByRole('combobox', { name: 'Model 2' })).toHaveAccessibleDescription(/not found/);
    await waitFor(() => expect(api.calls).toHaveLength(1));
    api.calls[0]?.delta('hello');
    api.calls[0]?.finish();
    await waitFor(() => expect(paneConversation('tiny-llama')).toHaveTextContent('hello'));
  });

  it('says to pull or import a model when there is none', async () => {
    server.use(...chatBackend({ models: [] }).handlers);
    renderApp('/chat/compare?models=a,b');
    const empty = await screen.findByRole('status', { name: 'No models to compare' });
    expect(within(empty).getByRole('link', { name: 'Pull the built-in model or import one' })).toBeInTheDocument();
  });
});
