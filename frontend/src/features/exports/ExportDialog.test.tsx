import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { http, HttpResponse } from 'msw';
import { describe, expect, it } from 'vitest';
import type { JobOut, ModelOut } from '../../api/types.gen';
import { errorBody, tinyLlama } from '../../test/fixtures';
import { controlledEvents, logEndpoint } from '../../test/jobs';
import { renderApp } from '../../test/render';
import { server } from '../../test/server';
import { ADAPTER, exportJob, ggufDetail } from './testData';

const adapter: ModelOut = { ...tinyLlama, id: ADAPTER.id, name: ADAPTER.name, kind: 'adapter', parent_id: tinyLlama.id };

/** The model details of the adapter, where the dialog opens from; `bodies` records each POST. */
function adapterEndpoints(onCreate: (body: unknown) => Response | Promise<Response>) {
  const bodies: unknown[] = [];
  server.use(
    http.get('*/api/models', () => HttpResponse.json({ items: [tinyLlama, adapter], next_cursor: null })),
    http.get(`*/api/models/${ADAPTER.id}`, () => HttpResponse.json(adapter)),
    http.post('*/api/exports', async ({ request }) => {
      const body = await request.json();
      bodies.push(body);
      return onCreate(body);
    }),
  );
  return { bodies };
}

async function openDialog() {
  const user = userEvent.setup();
  renderApp(`/models?model=${ADAPTER.id}`);
  const drawer = await screen.findByRole('dialog', { name: ADAPTER.name });
  await user.click(await within(drawer).findByRole('button', { name: 'Export adapter' }));
  const dialog = await screen.findByRole('dialog', { name: `Export ${ADAPTER.name}` });
  return { user, dialog };
}

describe('Export dialog', () => {
  it('asks for the quantisation only for GGUF and the dtype only for a merged model', async () => {
    adapterEndpoints(() => HttpResponse.json(exportJob(), { status: 202 }));
    const { user, dialog } = await openDialog();

    // GGUF Q8_0 is the default; every quantisation says what it trades.
    expect(within(dialog).getByRole('radio', { name: /^GGUF/ })).toBeChecked();
    const quant = within(dialog).getByRole('radiogroup', { name: 'Quantisation' });
    const options = within(quant).getAllByRole('radio');
    expect(options.map((option) => option.getAttribute('value'))).toEqual(['F32', 'BF16', 'F16', 'Q8_0', 'Q5_1', 'Q5_0', 'Q4_1', 'Q4_0']);
    expect(within(quant).getByRole('radio', { name: /^Q8_0/ })).toBeChecked();
    expect(within(quant).getByRole('radio', { name: /^Q4_0/ })).toHaveAccessibleDescription(/4\.5 bits per weight/);
    expect(within(dialog).queryByRole('radiogroup', { name: 'Weights dtype' })).not.toBeInTheDocument();

    await user.click(within(dialog).getByRole('radio', { name: /^Merged model/ }));
    expect(within(dialog).queryByRole('radiogroup', { name: 'Quantisation' })).not.toBeInTheDocument();
    const dtype = within(dialog).getByRole('radiogroup', { name: 'Weights dtype' });
    expect(within(dtype).getByRole('radio', { name: /^fp16/ })).toBeChecked();

    await user.click(within(dialog).getByRole('radio', { name: /^PEFT adapter/ }));
    expect(within(dialog).queryByRole('radiogroup', { name: 'Quantisation' })).not.toBeInTheDocument();
    expect(within(dialog).queryByRole('radiogroup', { name: 'Weights dtype' })).not.toBeInTheDocument();
  });

  it("shows a 422 under the field it names and sends only the options the format uses", async () => {
    const message = "name: '../x' contains a path separator; a name is a file or folder stem, not a path";
    const endpoints = adapterEndpoints(() =>
      HttpResponse.json(errorBody('invalid_input', message, [{ field: 'name', message, type: 'value_error' }]), { status: 422 }),
    );
    const { user, dialog } = await openDialog();

    await user.click(within(dialog).getByRole('radio', { name: /^Merged model/ }));
    await user.click(within(dialog).getByRole('radio', { name: /^bf16/ }));
    const name = within(dialog).getByRole('textbox', { name: 'Name' });
    await user.type(name, '../x');
    await user.click(within(dialog).getByRole('button', { name: 'Export' }));

    await waitFor(() => expect(name).toHaveAccessibleDescription(/'\.\.\/x' contains a path separator/));
    expect(name).toHaveAttribute('aria-invalid', 'true');
    expect(within(dialog).queryByRole('alert')).not.toBeInTheDocument();
    expect(endpoints.bodies).toEqual([{ source: ADAPTER.name, format: 'merged', dtype: 'bf16', name: '../x' }]);

    // Editing the field clears what the server said about it.
    await user.clear(name);
    await user.type(name, 'ok-name');
    expect(name).not.toHaveAttribute('aria-invalid', 'true');
  });

  it('shows a refusal about the adapter itself above the button', async () => {
    const message = 'source: the base model tiny-llama of adapter chat-lora is not on disk any more';
    adapterEndpoints(() =>
      HttpResponse.json(errorBody('conflict', message, [{ field: 'source', message }]), { status: 409 }),
    );
    const { user, dialog } = await openDialog();
    await user.click(within(dialog).getByRole('button', { name: 'Export' }));
    const alert = await within(dialog).findByRole('alert');
    expect(alert).toHaveTextContent('Could not start the export');
    expect(alert).toHaveTextContent('is not on disk any more');
  });

  it('follows the export live, then shows its verification report, files and Modelfile', async () => {
    const state: { job: JobOut } = { job: exportJob() };
    const endpoints = adapterEndpoints(() => HttpResponse.json(state.job, { status: 202 }));
    const events = controlledEvents(30);
    server.use(
      http.get('*/api/jobs/30', () => HttpResponse.json(state.job)),
      http.get('*/api/exports/3', () => HttpResponse.json(ggufDetail())),
      events.handler,
      logEndpoint(30).handler,
    );
    const { user, dialog } = await openDialog();
    await user.click(within(dialog).getByRole('radio', { name: /^Q4_0/ }));
    await user.click(within(dialog).getByRole('button', { name: 'Export' }));
    expect(endpoints.bodies).toEqual([{ source: ADAPTER.name, format: 'gguf', quant: 'Q4_0' }]);

    expect(await within(dialog).findByRole('progressbar', { name: 'Export job 30: Waiting for a worker…' })).toBeInTheDocument();
    state.job = { ...state.job, status: 'running', started_at: new Date().toISOString() };
    events.send('status', { status: 'running', from: 'queued' });
    expect(await within(dialog).findByText('Running')).toBeInTheDocument();
    events.send('progress', { completed: 45, total: 100, message: 'quantising tensors' });
    const bar = await within(dialog).findByRole('progressbar', { name: 'Export job 30: quantising tensors' });
    expect(bar).toHaveAttribute('aria-valuenow', '45');

    state.job = { ...state.job, status: 'succeeded', finished_at: new Date().toISOString(), result: { export_id: 3, passed: true } };
    events.send('status', { status: 'succeeded', from: 'running' });
    events.close();

    const report = await within(dialog).findByRole('table', { name: 'Verification' });
    expect(within(report).getByTestId('check-gguf_top1')).toHaveTextContent('98.8% (490 of 496)≥ 97%Passed');
    expect(within(dialog).getByRole('table', { name: 'Files' })).toHaveTextContent('chat-lora.Q8_0.gguf');
    expect(within(dialog).getByLabelText('Modelfile')).toHaveTextContent('FROM ./chat-lora.Q8_0.gguf');
    expect(within(dialog).getByRole('link', { name: 'Download chat-lora.Q8_0.gguf (145 MB)' })).toHaveAttribute(
      'href',
      '/api/exports/3/download',
    );
    expect(within(dialog).queryByRole('progressbar')).not.toBeInTheDocument();
  });

  it('says why an export failed and goes back to the options', async () => {
    const failed = exportJob({
      status: 'failed',
      error: { code: 'no_space', message: 'not enough free space for this export' },
      finished_at: new Date().toISOString(),
    });
    adapterEndpoints(() => HttpResponse.json(exportJob(), { status: 202 }));
    // The stream ends at once: the job is read again and has failed.
    const events = controlledEvents(30);
    events.close();
    server.use(http.get('*/api/jobs/30', () => HttpResponse.json(failed)), events.handler);
    const { user, dialog } = await openDialog();
    await user.click(within(dialog).getByRole('button', { name: 'Export' }));
    const alert = await within(dialog).findByRole('alert');
    expect(alert).toHaveTextContent('The export failed');
    expect(alert).toHaveTextContent('not enough free space for this export');
    await user.click(within(dialog).getByRole('button', { name: 'Change the options' }));
    expect(within(dialog).getByRole('radiogroup', { name: 'Format' })).toBeInTheDocument();
  });
});
