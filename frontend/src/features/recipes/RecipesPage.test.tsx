import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { delay, http, HttpResponse } from 'msw';
import { describe, expect, it } from 'vitest';
import { errorBody } from '../../test/fixtures';
import { renderApp } from '../../test/render';
import { server } from '../../test/server';
import { editorHandlers, recipeDetail, recipeOut } from './testHandlers';

describe('Recipes page', () => {
  it('is in the navigation', async () => {
    server.use(...editorHandlers());
    const user = userEvent.setup();
    const { router } = renderApp('/models');
    const nav = await screen.findByRole('navigation', { name: 'Main navigation' });
    await user.click(within(nav).getByRole('link', { name: 'Recipes' }));
    expect(await screen.findByRole('heading', { name: 'Recipes', level: 1 })).toBeInTheDocument();
    expect(router.state.location.pathname).toBe('/recipes');
  });

  it('shows a loading state, then the recipes with their version, nodes and update time', async () => {
    server.use(
      http.get('*/api/recipes', async () => {
        await delay(50);
        return HttpResponse.json({ items: [recipeOut()], next_cursor: null });
      }),
      ...editorHandlers(),
    );
    renderApp('/recipes');
    expect(await screen.findByText('Loading recipes…')).toBeInTheDocument();
    const table = await screen.findByRole('table', { name: 'Recipes' });
    const row = within(table).getByTestId('recipe-row-alpaca-chat');
    expect(row).toHaveTextContent('Chats from Alpaca rows');
    expect(row).toHaveTextContent('v2');
    expect(row).toHaveTextContent('6');
    expect(within(row).getByRole('link', { name: 'Open recipe alpaca-chat' })).toHaveAttribute('href', '/recipes/7');
  });

  it('says what to do when there are none, with the templates one click away', async () => {
    server.use(...editorHandlers());
    const user = userEvent.setup();
    const { router } = renderApp('/recipes');
    const empty = await screen.findByRole('status', { name: 'No recipes yet' });
    const start = await within(empty).findByRole('button', { name: 'Start from the template teach-a-persona' });
    await user.click(start);
    await waitFor(() => expect(router.state.location.pathname).toBe('/recipes/new'));
    expect(router.state.location.search).toEqual({ template: 'persona' });
  });

  it('shows why the list could not be loaded', async () => {
    server.use(
      http.get('*/api/recipes', () => HttpResponse.json(errorBody('internal', 'database is locked'), { status: 500 })),
      ...editorHandlers(),
    );
    renderApp('/recipes');
    expect(await screen.findByRole('alert')).toHaveTextContent('database is locked');
  });

  it('imports a YAML file (named after the file when the document has no name) and opens it', async () => {
    const sent: unknown[] = [];
    server.use(
      ...editorHandlers(),
      http.post('*/api/recipes/import', async ({ request }) => {
        sent.push(await request.json());
        return HttpResponse.json(recipeDetail(undefined, { id: 12, name: 'my-recipe' }), { status: 201 });
      }),
      http.get('*/api/recipes/12', () => HttpResponse.json(recipeDetail(undefined, { id: 12, name: 'my-recipe' }))),
      http.get('*/api/jobs', () => HttpResponse.json({ items: [], next_cursor: null })),
    );
    const user = userEvent.setup();
    const { router } = renderApp('/recipes');
    await screen.findByRole('status', { name: 'No recipes yet' });
    const yaml = 'nodes:\n  - {id: a, type: samples, params: {key: identity}}\n';
    await user.upload(screen.getByTestId('recipe-import-input'), new File([yaml], 'My recipe.yaml', { type: 'application/yaml' }));
    await waitFor(() => expect(router.state.location.pathname).toBe('/recipes/12'));
    expect(sent).toEqual([{ yaml, name: 'My-recipe' }]);
  });

  it('deletes a recipe after asking', async () => {
    const deleted: string[] = [];
    server.use(
      ...editorHandlers([recipeOut()]),
      http.delete('*/api/recipes/:id', ({ params }) => {
        deleted.push(String(params.id));
        return new HttpResponse(null, { status: 204 });
      }),
    );
    const user = userEvent.setup();
    renderApp('/recipes');
    await user.click(await screen.findByRole('button', { name: 'Delete recipe alpaca-chat' }));
    const dialog = await screen.findByRole('dialog');
    expect(dialog).toHaveTextContent('The datasets it wrote stay.');
    await user.click(within(dialog).getByRole('button', { name: 'Delete recipe' }));
    await waitFor(() => expect(deleted).toEqual(['7']));
  });
});
