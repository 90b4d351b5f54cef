import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { HttpResponse, http } from 'msw';
import { beforeAll, describe, expect, it } from 'vitest';
import { errorBody } from '../../test/fixtures';
import { renderApp } from '../../test/render';
import { server } from '../../test/server';
import { adapterModel, baseModel, chatBackend, makeThread } from './testData';

describe('Chat page', () => {
  // The route loads the page lazily: load it up front, so the waits below time the page, not the
  // module transform.
  beforeAll(() => import('./ChatPage'));

  it('says to pull or import a model when there is none', async () => {
    server.use(...chatBackend({ models: [] }).handlers);
    renderApp('/chat');
    const empty = await screen.findByRole('status', { name: 'No models to chat with' });
    expect(within(empty).getByRole('link', { name: 'Pull the built-in model or import one' })).toHaveAttribute(
      'href',
      '/models',
    );
  });

  it('starts a new chat with the first base model and opens it', async () => {
    const backend = chatBackend({ models: [adapterModel, baseModel] });
    server.use(...backend.handlers);
    const user = userEvent.setup();
    const { router } = renderApp('/chat');
    expect(await screen.findByText(/No chats yet/)).toBeInTheDocument();
    const empty = await screen.findByRole('status', { name: 'Pick a chat or start a new one' });
    await user.click(within(empty).getByRole('button', { name: 'New chat' }));

    expect(await screen.findByRole('heading', { name: 'New chat', level: 2 })).toBeInTheDocument();
    expect(router.state.location.pathname).toBe(`/chat/${backend.store.threads[0]?.id}`);
    expect(backend.store.threads[0]).toMatchObject({ model: 'tiny-llama', adapter: null });
    expect(screen.getByRole('combobox', { name: 'Model' })).toHaveValue('tiny-llama');
    expect(screen.getByRole('region', { name: 'Conversation' })).toHaveTextContent('No messages yet');
    const nav = screen.getByRole('navigation', { name: 'Chats' });
    expect(within(nav).getByRole('link', { name: /New chat/ })).toHaveAttribute('aria-current', 'page');
  });

  it('renames a thread in place', async () => {
    const backend = chatBackend({ threads: [makeThread({ id: 1, title: 'Old title' })] });
    server.use(...backend.handlers);
    const user = userEvent.setup();
    renderApp('/chat');
    await user.click(await screen.findByRole('button', { name: 'Rename “Old title”' }));
    const input = screen.getByRole('textbox', { name: 'New title of “Old title”' });
    await user.clear(input);
    await user.type(input, 'Poems about lathes{Enter}');
    const nav = screen.getByRole('navigation', { name: 'Chats' });
    expect(await within(nav).findByRole('link', { name: /Poems about lathes/ })).toBeInTheDocument();
    expect(backend.store.threads[0]?.title).toBe('Poems about lathes');
  });

  it('deletes the open thread after confirming and goes back to the list', async () => {
    const backend = chatBackend({
      threads: [makeThread({ id: 1, title: 'Keep me' }), makeThread({ id: 2, title: 'Remove me' })],
    });
    server.use(...backend.handlers);
    const user = userEvent.setup();
    const { router } = renderApp('/chat/2');
    expect(await screen.findByRole('heading', { name: 'Remove me', level: 2 })).toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'Delete “Remove me”' }));
    const dialog = await screen.findByRole('dialog', { name: 'Delete “Remove me”?' });
    await user.click(within(dialog).getByRole('button', { name: 'Delete' }));

    await waitFor(() => expect(router.state.location.pathname).toBe('/chat'));
    const nav = screen.getByRole('navigation', { name: 'Chats' });
    await waitFor(() => expect(within(nav).queryByText('Remove me')).not.toBeInTheDocument());
    expect(within(nav).getByText('Keep me')).toBeInTheDocument();
    expect(backend.store.threads.map((thread) => thread.id)).toEqual([1]);
  });

  it('says when a thread does not exist', async () => {
    server.use(...chatBackend().handlers);
    renderApp('/chat/42');
    expect(await screen.findByRole('status', { name: 'No such chat' })).toHaveTextContent('Chat #42 does not exist');
  });

  it("shows the API's message when the chats cannot be listed", async () => {
    server.use(
      http.get('*/api/chat/threads', () => HttpResponse.json(errorBody('unauthorized', 'missing API token'), { status: 401 })),
      ...chatBackend().handlers,
    );
    renderApp('/chat');
    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('Could not load chats');
    expect(alert).toHaveTextContent('missing API token');
    expect(within(alert).getByRole('link', { name: 'Enter it on the Settings page' })).toBeInTheDocument();
  });

  it('is in the main navigation', async () => {
    server.use(...chatBackend().handlers);
    renderApp('/chat');
    const nav = await screen.findByRole('navigation', { name: 'Main navigation' });
    expect(within(nav).getByRole('link', { name: 'Chat' })).toHaveAttribute('aria-current', 'page');
  });
});
