import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { http, HttpResponse } from 'msw';
import { describe, expect, it } from 'vitest';
import type { ExportOut, JobOut, ModelOut } from '../../api/types.gen';
import { tinyLlama } from '../../test/fixtures';
import { controlledEvents } from '../../test/jobs';
import { renderApp } from '../../test/render';
import { server } from '../../test/server';
import { ADAPTER, exportJob, makeExport } from './testData';

const adapter: ModelOut = { ...tinyLlama, id: ADAPTER.id, name: ADAPTER.name, kind: 'adapter', parent_id: tinyLlama.id };

const merged = makeExport({
  id: 4,
  format: 'merged',
  quant: null,
  dtype: 'bf16',
  name: 'chat-lora-merged-bf16',
  primary: 'chat-lora-merged-bf16',
  primary_is_folder: true,
  size_bytes: 270_000_000,
  passed: false,
  registered_model_id: 12,
  download_path: '/api/exports/4/download',
});
const gguf = makeExport();

/** The model details drawer of `model`, with `state.items` as its exports. */
function modelWithExports(model: ModelOut, items: ExportOut[]) {
  const state = { items, queries: [] as string[] };
  server.use(
    http.get('*/api/models', () => HttpResponse.json({ items: [tinyLlama, adapter], next_cursor: null })),
    http.get(`*/api/models/${model.id}`, () => HttpResponse.json(model)),
    http.get('*/api/exports', ({ request }) => {
      state.queries.push(new URL(request.url).search);
      return HttpResponse.json({ items: state.items, next_cursor: null });
    }),
  );
  return state;
}

async function exportsOf(model: ModelOut) {
  renderApp(`/models?model=${model.id}`);
  const drawer = await screen.findByRole('dialog', { name: model.name });
  return within(drawer).findByRole('region', { name: 'Exports' });
}

describe('Exports list', () => {
  it("lists an adapter's exports: format, quant or dtype, size, verification, created and actions", async () => {
    const state = modelWithExports(adapter, [merged, gguf]);
    const card = await exportsOf(adapter);
    const table = await within(card).findByRole('table', { name: 'Exports' });
    expect(state.queries[0]).toContain(`model_id=${ADAPTER.id}`);
    expect(within(table).getAllByRole('columnheader').map((cell) => cell.textContent)).toEqual([
      'Name',
      'Format',
      'Quant / dtype',
      'Size',
      'Verification',
      'Created',
      'Actions',
    ]);

    const ggufRow = within(table).getByTestId('export-row-3');
    const cells = within(ggufRow).getAllByRole('cell').map((cell) => cell.textContent);
    expect(cells.slice(0, 6)).toEqual(['chat-lora', 'GGUF', 'Q8_0', '145 MB', 'Verified', '4 minutes ago']);
    expect(within(ggufRow).getByRole('link', { name: 'Open export chat-lora (#3)' })).toHaveAttribute('href', '/exports/3');
    expect(within(ggufRow).getByRole('link', { name: 'Download chat-lora.Q8_0.gguf' })).toHaveAttribute('href', '/api/exports/3/download');
    expect(within(ggufRow).getByRole('button', { name: 'Register chat-lora as a model' })).toBeInTheDocument();

    const mergedRow = within(table).getByTestId('export-row-4');
    expect(within(mergedRow).getAllByRole('cell').map((cell) => cell.textContent).slice(1, 5)).toEqual([
      'Merged model',
      'bf16',
      '270 MB',
      'Verification failed',
    ]);
    expect(within(mergedRow).getByRole('link', { name: 'Download chat-lora-merged-bf16.tar' })).toBeInTheDocument();
    // Registered already: the action opens that model instead.
    expect(within(mergedRow).getByRole('link', { name: 'Open the model registered from chat-lora-merged-bf16' })).toHaveAttribute(
      'href',
      '/models?model=12',
    );
  });

  it('registers an export from its row under its own name, then opens that model', async () => {
    const state = modelWithExports(adapter, [gguf]);
    const job: { current: JobOut } = {
      current: exportJob({ id: 31, kind: 'export.register', params: { export_id: 3, name: 'chat-lora.Q8_0' } }),
    };
    const events = controlledEvents(31);
    const bodies: string[] = [];
    server.use(
      http.post('*/api/exports/3/register', async ({ request }) => {
        bodies.push(await request.text());
        return HttpResponse.json(job.current, { status: 202 });
      }),
      http.get('*/api/jobs/31', () => HttpResponse.json(job.current)),
      events.handler,
    );
    const user = userEvent.setup();
    const card = await exportsOf(adapter);
    await user.click(await within(card).findByRole('button', { name: 'Register chat-lora as a model' }));
    expect(await within(card).findByLabelText('Registering chat-lora as a model')).toBeInTheDocument();
    expect(bodies).toEqual(['']);

    job.current = { ...job.current, status: 'succeeded', result: { model_id: 12, name: 'chat-lora.Q8_0', export_id: 3 } };
    state.items = [{ ...gguf, registered_model_id: 12 }];
    events.send('status', { status: 'succeeded', from: 'queued' });
    events.close();
    expect(await within(card).findByRole('link', { name: 'Open the model registered from chat-lora' })).toHaveAttribute(
      'href',
      '/models?model=12',
    );
  });

  it('deletes an export after confirming and reads the list again', async () => {
    const state = modelWithExports(adapter, [gguf]);
    const deleted: number[] = [];
    server.use(
      http.delete('*/api/exports/:id', ({ params }) => {
        deleted.push(Number(params.id));
        state.items = [];
        return new HttpResponse(null, { status: 204 });
      }),
    );
    const user = userEvent.setup();
    const card = await exportsOf(adapter);
    await user.click(await within(card).findByRole('button', { name: 'Delete export chat-lora' }));
    const confirm = await screen.findByRole('dialog', { name: 'Delete export chat-lora?' });
    await user.click(within(confirm).getByRole('button', { name: 'Delete' }));
    expect(await within(card).findByRole('status')).toHaveTextContent(/^No exports yet\. Export this adapter/);
    expect(deleted).toEqual([3]);
  });

  it("lists a base model's exports with their adapters, and offers no export of its own", async () => {
    modelWithExports(tinyLlama, [gguf]);
    const card = await exportsOf(tinyLlama);
    const table = await within(card).findByRole('table', { name: 'Exports' });
    expect(within(table).getByRole('columnheader', { name: 'Adapter' })).toBeInTheDocument();
    expect(within(table).getByTestId('export-row-3')).toHaveTextContent(ADAPTER.name);
    expect(within(card).queryByRole('button', { name: 'Export adapter' })).not.toBeInTheDocument();
  });

  it('says how to get exports when there are none', async () => {
    modelWithExports(tinyLlama, []);
    const card = await exportsOf(tinyLlama);
    expect(await within(card).findByRole('status')).toHaveTextContent(
      'No exports yet. Export one of its adapters from the adapter or from its training run.',
    );
  });

  it('follows an export under way and reads the list again when it is done', async () => {
    const state = modelWithExports(adapter, []);
    const job: { current: JobOut } = {
      current: exportJob({ status: 'running', progress: { completed: 20, total: 100, message: 'merging', details: null } }),
    };
    const events = controlledEvents(30);
    server.use(
      http.get('*/api/jobs', ({ request }) => {
        const url = new URL(request.url);
        const wanted = url.searchParams.getAll('kind').includes('export') && job.current.status === 'running';
        return HttpResponse.json({ items: wanted ? [job.current] : [], next_cursor: null });
      }),
      http.get('*/api/jobs/30', () => HttpResponse.json(job.current)),
      events.handler,
    );
    const card = await exportsOf(adapter);
    expect(await within(card).findByRole('progressbar', { name: 'Exporting as gguf Q8_0: merging' })).toBeInTheDocument();
    events.send('progress', { completed: 60, total: 100, message: 'quantising' });
    expect(await within(card).findByRole('progressbar', { name: 'Exporting as gguf Q8_0: quantising' })).toBeInTheDocument();

    job.current = { ...job.current, status: 'succeeded', result: { export_id: 3 } };
    state.items = [gguf];
    events.send('status', { status: 'succeeded', from: 'running' });
    events.close();
    expect(await within(card).findByTestId('export-row-3')).toBeInTheDocument();
    await waitFor(() => expect(within(card).queryByRole('progressbar')).not.toBeInTheDocument());
  });
});
