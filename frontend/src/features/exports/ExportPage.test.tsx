import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { http, HttpResponse } from 'msw';
import { describe, expect, it, vi } from 'vitest';
import type { ExportDetail, JobOut } from '../../api/types.gen';
import { writeApiToken } from '../../lib/apiToken';
import { errorBody, tinyLlama } from '../../test/fixtures';
import { controlledEvents, makeJob } from '../../test/jobs';
import { renderApp } from '../../test/render';
import { server } from '../../test/server';
import { ADAPTER, ggufDetail, ggufVerification } from './testData';

function exportEndpoint(detail: ExportDetail) {
  const state = { detail };
  server.use(http.get(`*/api/exports/${detail.id}`, () => HttpResponse.json(state.detail)));
  return state;
}

const row = (key: string) => screen.getByTestId(`check-${key}`);

describe('Export page', () => {
  it("shows each verification check's number, limit and result, and the time per phase", async () => {
    exportEndpoint(ggufDetail());
    renderApp('/exports/3');

    expect(await screen.findByRole('heading', { name: 'Export chat-lora', level: 1 })).toBeInTheDocument();
    const report = screen.getByRole('table', { name: 'Verification' });
    expect(within(report).getAllByRole('row')).toHaveLength(6);
    expect(row('adapter_effect')).toHaveTextContent(
      'The adapter changes the base modeltop1 changed 240 · positions 496max |Δ logit| 0.52> 0Passed',
    );
    expect(row('merged_vs_adapter')).toHaveTextContent('max |Δ logit| 3.1e-6≤ 1e-4Passed');
    expect(row('merged_vs_adapter')).toHaveTextContent('top1 agreement 100%');
    expect(row('gguf_tokenizer')).toHaveTextContent('4 of 4 prompts encode alikeall, same templatePassed');
    expect(row('gguf_top1')).toHaveTextContent('98.8% (490 of 496)≥ 97%Passed');
    expect(row('gguf_top1')).toHaveTextContent('tensor types 14 Q8_0, 5 F32');
    expect(row('ollama_template')).toHaveTextContent('translated—Reported');
    expect(screen.getByText('Every check passed: the artifact, loaded back, reproduces the fine-tuned model.')).toBeInTheDocument();
    expect(screen.getByText(/^Time: merge 1\.2 s · quantise 3\.4 s · write 0\.5 s · verify 6\.1 s · total 12 s$/)).toBeInTheDocument();
    expect(screen.getAllByText('Verified')).not.toHaveLength(0);
  });

  it('marks a failed check and counts it', async () => {
    const verification = {
      ...ggufVerification,
      gguf_top1: { ...ggufVerification.gguf_top1, agreement: 0.9, passed: false },
    };
    const detail = ggufDetail({ passed: false });
    exportEndpoint({ ...detail, report: { ...detail.report, verification, passed: false } });
    renderApp('/exports/3');

    expect(await screen.findByText(/^1 of 5 checks failed/)).toBeInTheDocument();
    expect(row('gguf_top1')).toHaveTextContent('90% (446 of 496)≥ 97%Failed');
    expect(screen.getByText('Verification failed')).toBeInTheDocument();
  });

  it('lists every file with its size, checksum and download link, and the Modelfile', async () => {
    exportEndpoint(ggufDetail());
    renderApp('/exports/3');

    const files = await screen.findByRole('table', { name: 'Files' });
    const gguf = within(files).getByTestId('file-chat-lora.Q8_0.gguf');
    expect(within(gguf).getByRole('link', { name: 'chat-lora.Q8_0.gguf' })).toHaveAttribute(
      'href',
      '/api/exports/3/download?file=chat-lora.Q8_0.gguf',
    );
    expect(within(gguf).getByText('145 MB')).toHaveAttribute('title', '145,000,000 bytes');
    expect(within(gguf).getByText('ab12cd34ef56ab12…')).toHaveAttribute('title', ggufDetail().files[0]!.sha256);
    expect(within(gguf).getByRole('button', { name: 'Copy sha256 of chat-lora.Q8_0.gguf' })).toBeInTheDocument();
    expect(within(files).getByRole('link', { name: 'Modelfile' })).toHaveAttribute('href', '/api/exports/3/download?file=Modelfile');

    expect(screen.getByRole('link', { name: 'Download chat-lora.Q8_0.gguf (145 MB)' })).toHaveAttribute('href', '/api/exports/3/download');
    expect(screen.getByLabelText('Modelfile')).toHaveTextContent('PARAMETER stop "<|im_end|>"');
    expect(screen.getByRole('button', { name: 'Copy the Modelfile' })).toBeInTheDocument();
    expect(screen.getByText('ollama create chat-lora -f Modelfile')).toBeInTheDocument();
    expect(screen.getByRole('link', { name: 'Job details' })).toHaveAttribute('href', '/jobs/30');
  });

  it('downloads through the API client with the bearer token when the server needs one', async () => {
    exportEndpoint(ggufDetail());
    writeApiToken('s3cret');
    const seen: Array<string | null> = [];
    server.use(
      http.get('*/api/exports/3/download', ({ request }) => {
        seen.push(`${request.headers.get('Authorization')} ${new URL(request.url).searchParams.get('file')}`);
        return new HttpResponse('FROM ./chat-lora.Q8_0.gguf\n', { headers: { 'Content-Type': 'application/octet-stream' } });
      }),
    );
    const saved: string[] = [];
    // jsdom has no object URLs: stand-ins for the test, put back after it.
    const original = { createObjectURL: URL.createObjectURL, revokeObjectURL: URL.revokeObjectURL };
    const createObjectURL = vi.fn(() => 'blob:modelfile');
    Object.assign(URL, { createObjectURL, revokeObjectURL: vi.fn() });
    const click = vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) {
      saved.push(`${this.download} ${this.href}`);
    });
    const user = userEvent.setup();
    renderApp('/exports/3');
    try {
      const files = await screen.findByRole('table', { name: 'Files' });
      await user.click(within(files).getByRole('link', { name: 'Modelfile' }));
      await waitFor(() => expect(saved).toEqual(['Modelfile blob:modelfile']));
      expect(seen).toEqual(['Bearer s3cret Modelfile']);
      expect(createObjectURL).toHaveBeenCalledTimes(1);
    } finally {
      click.mockRestore();
      Object.assign(URL, original);
    }
  });

  it('offers no Modelfile or registering for an adapter export, and downloads its folder as a tar', async () => {
    exportEndpoint(
      ggufDetail({
        format: 'adapter',
        quant: null,
        name: 'chat-lora-adapter',
        primary: 'chat-lora-adapter',
        primary_is_folder: true,
        modelfile: null,
        files: [
          {
            path: 'chat-lora-adapter/adapter_model.safetensors',
            size_bytes: 2_400_000,
            sha256: 'c'.repeat(64),
            download_path: '/api/exports/3/download?file=chat-lora-adapter/adapter_model.safetensors',
          },
        ],
      }),
    );
    renderApp('/exports/3');
    expect(await screen.findByRole('link', { name: 'Download chat-lora-adapter.tar' })).toHaveAttribute('href', '/api/exports/3/download');
    expect(screen.queryByLabelText('Modelfile')).not.toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Register as a model' })).not.toBeInTheDocument();
  });

  it('registers a GGUF export as a model, then links to chat with it beside its adapter', async () => {
    const state = exportEndpoint(ggufDetail());
    const job: { current: JobOut } = {
      current: makeJob({ id: 31, kind: 'export.register', params: { export_id: 3, name: 'chat-q8' }, max_attempts: 2 }),
    };
    const events = controlledEvents(31);
    const bodies: unknown[] = [];
    server.use(
      http.post('*/api/exports/3/register', async ({ request }) => {
        bodies.push(await request.json());
        return HttpResponse.json(job.current, { status: 202 });
      }),
      http.get('*/api/jobs/31', () => HttpResponse.json(job.current)),
      http.get('*/api/models/12', () => HttpResponse.json({ ...tinyLlama, id: 12, name: 'chat-q8' })),
      events.handler,
    );
    const user = userEvent.setup();
    renderApp('/exports/3');

    const name = await screen.findByRole('textbox', { name: 'Model name' });
    expect(name).toHaveAttribute('placeholder', 'chat-lora.Q8_0 (default)');
    await user.type(name, 'chat-q8');
    await user.click(screen.getByRole('button', { name: 'Register as a model' }));
    expect(await screen.findByRole('progressbar', { name: /^Registering the export as a model/ })).toBeInTheDocument();
    expect(bodies).toEqual([{ name: 'chat-q8' }]);

    job.current = { ...job.current, status: 'succeeded', result: { model_id: 12, name: 'chat-q8', export_id: 3 } };
    state.detail = { ...state.detail, registered_model_id: 12 };
    events.send('status', { status: 'succeeded', from: 'running' });
    events.close();

    const chat = await screen.findByRole('link', { name: 'Chat with it' });
    expect(chat).toHaveAttribute('href', `/chat/compare?models=${ADAPTER.name}%2Cchat-q8`);
    expect(screen.getByRole('link', { name: 'Open model' })).toHaveAttribute('href', '/models?model=12');
  });

  it('shows a taken model name under the name field', async () => {
    exportEndpoint(ggufDetail());
    server.use(
      http.post('*/api/exports/3/register', () =>
        HttpResponse.json(errorBody('conflict', "a model named 'chat-lora.Q8_0' exists already"), { status: 409 }),
      ),
    );
    const user = userEvent.setup();
    renderApp('/exports/3');
    await user.click(await screen.findByRole('button', { name: 'Register as a model' }));
    await waitFor(() =>
      expect(screen.getByRole('textbox', { name: 'Model name' })).toHaveAccessibleDescription("a model named 'chat-lora.Q8_0' exists already"),
    );
  });

  it('deletes the export after confirming and goes back to its adapter', async () => {
    exportEndpoint(ggufDetail());
    const deleted: string[] = [];
    server.use(
      http.delete('*/api/exports/3', ({ request }) => {
        deleted.push(request.url);
        return new HttpResponse(null, { status: 204 });
      }),
      http.get(`*/api/models/${ADAPTER.id}`, () => HttpResponse.json({ ...tinyLlama, id: ADAPTER.id, name: ADAPTER.name, kind: 'adapter' })),
    );
    const user = userEvent.setup();
    const { router } = renderApp('/exports/3');
    await user.click(await screen.findByRole('button', { name: 'Delete export' }));
    const confirm = await screen.findByRole('dialog', { name: 'Delete export chat-lora?' });
    expect(confirm).toHaveTextContent('a model registered from the export keeps its own copy');
    await user.click(within(confirm).getByRole('button', { name: 'Delete' }));
    await waitFor(() => expect(router.state.location.pathname).toBe('/models'));
    expect(router.state.location.search).toEqual({ model: ADAPTER.id });
    expect(deleted).toHaveLength(1);
  });

  it("shows the API's message for an export that does not exist", async () => {
    server.use(http.get('*/api/exports/77', () => HttpResponse.json(errorBody('not_found', 'export 77 not found'), { status: 404 })));
    renderApp('/exports/77');
    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('Could not load export #77');
    expect(alert).toHaveTextContent('export 77 not found');
  });

  it('explains an address whose id is not a number', async () => {
    renderApp('/exports/abc');
    expect(await screen.findByRole('status', { name: 'No such export' })).toHaveTextContent('Export ids are whole numbers.');
  });
});
