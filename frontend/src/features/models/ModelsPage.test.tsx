import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { delay, http, HttpResponse } from 'msw';
import { describe, expect, it } from 'vitest';
import type { ModelOut } from '../../api/types.gen';
import { errorBody, smollm, tinyLlama } from '../../test/fixtures';
import { renderApp } from '../../test/render';
import { server } from '../../test/server';

function listing(models: ModelOut[]) {
  return http.get('*/api/models', () => HttpResponse.json({ items: models, next_cursor: null }));
}

describe('Models page', () => {
  it('shows a loading state while the list is on its way', async () => {
    server.use(
      http.get('*/api/models', async () => {
        await delay('infinite');
        return HttpResponse.json({ items: [], next_cursor: null });
      }),
    );
    renderApp('/models');
    expect(await screen.findByText('Loading models…')).toBeInTheDocument();
  });

  it('tells the user what to do when there are no models', async () => {
    renderApp('/models');
    const empty = await screen.findByRole('status', { name: 'No models yet' });
    expect(empty).toHaveTextContent(/Pull the built-in SmolLM2 model/);
    expect(empty).toHaveTextContent(/import a Hugging Face model folder/);
  });

  it('lists models with humanised metadata', async () => {
    server.use(listing([smollm, tinyLlama]));
    renderApp('/models');
    const row = await screen.findByTestId('model-row-smollm2-135m-instruct');
    const cells = within(row).getAllByRole('cell').map((cell) => cell.textContent);
    expect(cells).toEqual([
      'smollm2-135m-instruct',
      'base',
      'LlamaForCausalLM',
      '134.5M',
      '30',
      '576',
      '49,152',
      '8,192',
      'float32',
      'Yes',
      '538.1 MB',
      '5 minutes ago',
      '',
    ]);
    expect(screen.getByTestId('model-row-tiny-llama')).toHaveTextContent('26.7K');
  });

  it('opens the details drawer with source and path', async () => {
    server.use(
      listing([smollm]),
      http.get('*/api/models/1', () => HttpResponse.json(smollm)),
    );
    const user = userEvent.setup();
    const { router } = renderApp('/models');
    await user.click(await screen.findByRole('button', { name: 'Show details of smollm2-135m-instruct' }));
    const drawer = await screen.findByRole('dialog', { name: 'smollm2-135m-instruct' });
    const facts = await within(drawer).findByRole('table', { name: 'Metadata of smollm2-135m-instruct' });
    expect(facts).toHaveTextContent('builtin:smollm2-135m-instruct');
    await waitFor(() => expect(facts).toHaveTextContent('/home/user/.lathe/models/smollm2-135m-instruct'));
    expect(facts).toHaveTextContent('134.5M (134,515,008)');
    expect(router.state.location.search).toEqual({ model: 1 });
  });

  it("shows the API's message when the list fails", async () => {
    server.use(
      http.get('*/api/models', () =>
        HttpResponse.json(errorBody('internal_error', 'internal error: database is locked'), { status: 500 }),
      ),
    );
    renderApp('/models');
    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('Could not load models');
    expect(alert).toHaveTextContent('internal error: database is locked');
    expect(within(alert).getByRole('button', { name: 'Try again' })).toBeInTheDocument();
  });

  it('points to Settings when the server wants a token', async () => {
    server.use(
      http.get('*/api/models', () =>
        HttpResponse.json(errorBody('unauthorized', 'missing or wrong API token'), { status: 401 }),
      ),
    );
    renderApp('/models');
    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('missing or wrong API token');
    expect(within(alert).getByRole('link', { name: 'Enter it on the Settings page' })).toHaveAttribute(
      'href',
      '/settings',
    );
  });

  it('deletes a model only after confirmation', async () => {
    let models = [smollm, tinyLlama];
    const deleted: string[] = [];
    server.use(
      http.get('*/api/models', () => HttpResponse.json({ items: models, next_cursor: null })),
      http.delete('*/api/models/:id', ({ params }) => {
        deleted.push(String(params.id));
        models = models.filter((m) => String(m.id) !== params.id);
        return new HttpResponse(null, { status: 204 });
      }),
    );
    const user = userEvent.setup();
    renderApp('/models');

    await user.click(await screen.findByRole('button', { name: 'Delete tiny-llama' }));
    const modal = await screen.findByRole('dialog', { name: 'Delete tiny-llama?' });
    expect(modal).toHaveTextContent('This removes tiny-llama from the registry');
    await user.click(within(modal).getByRole('button', { name: 'Cancel' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).not.toBeInTheDocument());
    expect(deleted).toEqual([]);

    await user.click(screen.getByRole('button', { name: 'Delete tiny-llama' }));
    const again = await screen.findByRole('dialog', { name: 'Delete tiny-llama?' });
    await user.click(within(again).getByRole('button', { name: 'Delete' }));
    await waitFor(() => expect(screen.queryByTestId('model-row-tiny-llama')).not.toBeInTheDocument());
    expect(deleted).toEqual(['2']);
    expect(screen.getByTestId('model-row-smollm2-135m-instruct')).toBeInTheDocument();
  });

  it("reports a refused delete with the API's message", async () => {
    server.use(
      listing([smollm]),
      http.delete('*/api/models/:id', () =>
        HttpResponse.json(errorBody('conflict', '2 adapters depend on smollm2-135m-instruct'), { status: 409 }),
      ),
    );
    const user = userEvent.setup();
    renderApp('/models');
    await user.click(await screen.findByRole('button', { name: 'Delete smollm2-135m-instruct' }));
    const modal = await screen.findByRole('dialog', { name: 'Delete smollm2-135m-instruct?' });
    await user.click(within(modal).getByRole('button', { name: 'Delete' }));
    expect(await screen.findByText('2 adapters depend on smollm2-135m-instruct')).toBeInTheDocument();
    expect(screen.getByTestId('model-row-smollm2-135m-instruct')).toBeInTheDocument();
  });
});
