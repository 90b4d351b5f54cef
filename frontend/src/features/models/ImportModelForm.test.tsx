import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { http, HttpResponse } from 'msw';
import { describe, expect, it } from 'vitest';
import type { ModelOut } from '../../api/types.gen';
import { errorBody, tinyLlama } from '../../test/fixtures';
import { controlledEvents, finishedJob, makeJob, runningJob } from '../../test/jobs';
import { renderApp } from '../../test/render';
import { server } from '../../test/server';

async function fillAndSubmit(source: string, name?: string) {
  const user = userEvent.setup();
  const form = await screen.findByRole('region', { name: 'Import model' });
  await user.type(within(form).getByRole('textbox', { name: /Path or hub id/ }), source);
  if (name) await user.type(within(form).getByRole('textbox', { name: /^Name/ }), name);
  await user.click(within(form).getByRole('button', { name: 'Import' }));
  return { user, form };
}

describe('Import model form', () => {
  it("shows the API's error next to the source field", async () => {
    const bodies: unknown[] = [];
    server.use(
      http.post('*/api/models/import', async ({ request }) => {
        bodies.push(await request.json());
        return HttpResponse.json(
          errorBody('invalid_input', 'no model folder, GGUF file or hub id at /nope', { field: 'source' }),
          { status: 422 },
        );
      }),
    );
    renderApp('/models');
    const { form } = await fillAndSubmit('/nope');

    const source = within(form).getByRole('textbox', { name: /Path or hub id/ });
    await waitFor(() => expect(source).toHaveAttribute('aria-invalid', 'true'));
    expect(source).toHaveAccessibleDescription(/no model folder, GGUF file or hub id at \/nope/);
    expect(within(form).getByRole('textbox', { name: /^Name/ })).not.toHaveAttribute('aria-invalid', 'true');
    expect(bodies).toEqual([{ source: '/nope', name: null }]);
  });

  it('puts a validation error on the field the API names', async () => {
    server.use(
      http.post('*/api/models/import', () =>
        HttpResponse.json(
          errorBody('invalid_input', "name: String should match pattern '^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$'", [
            { field: 'name', message: "String should match pattern '^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$'" },
          ]),
          { status: 422 },
        ),
      ),
    );
    renderApp('/models');
    const { form } = await fillAndSubmit('/models/tiny', 'bad name!');
    const name = within(form).getByRole('textbox', { name: /^Name/ });
    await waitFor(() => expect(name).toHaveAttribute('aria-invalid', 'true'));
    expect(name).toHaveAccessibleDescription(/should match pattern/);
  });

  it('puts a duplicate name on the name field', async () => {
    server.use(
      http.post('*/api/models/import', () =>
        HttpResponse.json(errorBody('conflict', 'a model named tiny-llama already exists'), { status: 409 }),
      ),
    );
    renderApp('/models');
    const { form } = await fillAndSubmit('/models/tiny', 'tiny-llama');
    const name = within(form).getByRole('textbox', { name: /^Name/ });
    await waitFor(() => expect(name).toHaveAccessibleDescription(/a model named tiny-llama already exists/));
  });

  it('imports as a job with live progress, then adds the model and opens its details', async () => {
    let models: ModelOut[] = [];
    const bodies: unknown[] = [];
    const params = { source: '/tmp/tiny-llama', name: null };
    let job = makeJob({ id: 31, kind: 'model.import', params });
    const events = controlledEvents(31);
    server.use(
      http.get('*/api/models', () => HttpResponse.json({ items: models, next_cursor: null })),
      http.get('*/api/models/2', () => HttpResponse.json(tinyLlama)),
      http.get('*/api/jobs/31', () => HttpResponse.json(job)),
      http.post('*/api/models/import', async ({ request }) => {
        bodies.push(await request.json());
        return HttpResponse.json(job, { status: 202 });
      }),
      events.handler,
    );
    const { router } = renderApp('/models');
    const { form } = await fillAndSubmit('/tmp/tiny-llama');
    await waitFor(() => expect(bodies).toEqual([params]));

    job = runningJob({ id: 31, kind: 'model.import', params });
    events.send('status', { status: 'running', from: 'queued' });
    expect(await within(form).findByText('Running')).toBeInTheDocument();
    events.send('progress', { completed: null, total: null, message: 'reading the config' });
    expect(
      await within(form).findByRole('progressbar', { name: 'Importing /tmp/tiny-llama: reading the config' }),
    ).toBeInTheDocument();
    expect(within(form).getByRole('link', { name: 'View job #31' })).toHaveAttribute('href', '/jobs/31');
    expect(within(form).getByRole('button', { name: 'Import' })).toHaveAttribute('data-loading', 'true');

    models = [tinyLlama];
    job = finishedJob('succeeded', { id: 31, kind: 'model.import', params, result: { model_id: 2 } });
    events.send('status', { status: 'succeeded', from: 'running' });
    events.close();

    expect(await screen.findByTestId('model-row-tiny-llama')).toBeInTheDocument();
    expect(await screen.findByRole('dialog', { name: 'tiny-llama' })).toBeInTheDocument();
    expect(router.state.location.search).toEqual({ model: 2 });
    expect(within(form).getByRole('textbox', { name: /Path or hub id/ })).toHaveValue('');
    expect(within(form).queryByRole('progressbar')).not.toBeInTheDocument();
  });

  it("shows the job's error when the import fails after it started", async () => {
    const params = { source: '/tmp/broken', name: 'broken' };
    let job = makeJob({ id: 32, kind: 'model.import', params });
    const events = controlledEvents(32);
    server.use(
      http.get('*/api/jobs/32', () => HttpResponse.json(job)),
      http.post('*/api/models/import', () => HttpResponse.json(job, { status: 202 })),
      events.handler,
    );
    renderApp('/models');
    const { form } = await fillAndSubmit('/tmp/broken', 'broken');
    await within(form).findByRole('progressbar');

    job = finishedJob('failed', {
      id: 32,
      kind: 'model.import',
      params,
      error: { code: 'invalid_model', message: 'config.json names no architecture' },
    });
    events.send('status', { status: 'failed', from: 'running' });
    events.close();

    const alert = await within(form).findByRole('alert');
    expect(alert).toHaveTextContent('Import failed');
    expect(alert).toHaveTextContent('config.json names no architecture');
    expect(within(alert).getByRole('link', { name: 'View job #32 and its log' })).toHaveAttribute('href', '/jobs/32');
    expect(within(form).getByRole('textbox', { name: /Path or hub id/ })).toHaveValue('/tmp/broken');
  });
});
