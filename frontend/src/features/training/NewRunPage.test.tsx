import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { http, HttpResponse } from 'msw';
import { describe, expect, it } from 'vitest';
import type { Estimate } from '../../api/types.gen';
import { errorBody } from '../../test/fixtures';
import { controlledEvents, logEndpoint, makeJob } from '../../test/jobs';
import { renderApp } from '../../test/render';
import { server } from '../../test/server';
import { controlledMetricEvents, estimate, metricsEndpoint, registryHandlers, runDetail, runJob } from './testData';

type User = ReturnType<typeof userEvent.setup>;

async function choose(user: User, combobox: HTMLElement, name: string) {
  await user.click(combobox);
  const listbox = await waitFor(() => {
    const id = combobox.getAttribute('aria-controls');
    const found = id ? document.getElementById(id) : null;
    if (!found) throw new Error('no open list');
    return found;
  });
  await user.click(within(listbox).getByRole('option', { name, hidden: true }));
}

/** POST /api/training/estimate answering `answer(body)`; `bodies` records what was asked. */
function estimateEndpoint(answer: (body: Record<string, unknown>) => Response | Estimate = () => estimate) {
  const bodies: Array<Record<string, unknown>> = [];
  const handler = http.post('*/api/training/estimate', async ({ request }) => {
    const body = (await request.json()) as Record<string, unknown>;
    bodies.push(body);
    const answered = answer(body);
    return answered instanceof Response ? answered : HttpResponse.json(answered);
  });
  return { handler, bodies };
}

async function chooseModelAndDataset(user: User) {
  await choose(user, await screen.findByRole('combobox', { name: 'Base model' }), 'smollm2-135m-instruct');
  await choose(user, screen.getByRole('combobox', { name: 'Dataset' }), 'chat');
}

describe('New run page', () => {
  it('draws the config form from the schema: labels, help, defaults, basic and advanced groups', async () => {
    server.use(...registryHandlers);
    const user = userEvent.setup();
    renderApp('/training/new');

    const rank = await screen.findByRole('textbox', { name: 'LoRA rank' });
    expect(rank).toHaveAttribute('placeholder', '16 (default)');
    expect(rank).toHaveAccessibleDescription(/size of the low-rank update.*Default: 16\./);
    expect(screen.getByRole('combobox', { name: 'Base model' })).toBeRequired();
    expect(screen.getByRole('textbox', { name: 'Learning rate' })).toHaveAttribute('placeholder', '0.0002 (default)');
    expect(screen.getByRole('group', { name: 'What to train' })).toBeInTheDocument();

    const optimizer = screen.getByRole('button', { name: 'Optimizer and schedule' });
    expect(optimizer).toHaveAttribute('aria-expanded', 'false');
    await user.click(optimizer);
    expect(optimizer).toHaveAttribute('aria-expanded', 'true');
    expect(screen.getByRole('combobox', { name: 'LR schedule' })).toHaveValue('cosine');
    expect(screen.getByRole('textbox', { name: 'Warmup ratio' })).toHaveAttribute('placeholder', '0.03 (default)');
    expect(screen.getByText('Choose a base model and a dataset to see how much memory and time the run needs.')).toBeInTheDocument();
  });

  it('fills the fields from a preset, and takes them back when switching', async () => {
    server.use(...registryHandlers);
    const user = userEvent.setup();
    renderApp('/training/new');

    const preset = await screen.findByRole('combobox', { name: 'Preset' });
    await waitFor(() => expect(preset).toBeEnabled());
    await choose(user, preset, 'Quick CPU demo');
    expect(screen.getByRole('textbox', { name: 'LoRA rank' })).toHaveValue('8');
    expect(screen.getByRole('textbox', { name: 'Max length' })).toHaveValue('512');
    await user.click(screen.getByRole('button', { name: 'Hardware' }));
    await waitFor(() => expect(screen.getByRole('combobox', { name: 'Precision' })).toHaveValue('fp32'));

    await choose(user, preset, 'Balanced');
    expect(screen.getByRole('textbox', { name: 'LoRA rank' })).toHaveValue('16');
    expect(screen.getByRole('textbox', { name: 'Eval fraction' })).toHaveValue('0.05');
    // Set by the previous preset only: back to the default.
    await waitFor(() => expect(screen.getByRole('combobox', { name: 'Precision' })).toHaveValue('auto'));
    expect(screen.getByRole('textbox', { name: 'Epochs' })).toHaveValue('');
  });

  it('shows the memory and time estimate of the whole config once a model and a dataset are chosen', async () => {
    const endpoint = estimateEndpoint();
    server.use(...registryHandlers, endpoint.handler);
    const user = userEvent.setup();
    renderApp('/training/new');
    await chooseModelAndDataset(user);

    const panel = await screen.findByRole('region', { name: 'Estimate' });
    expect(await within(panel).findByText('Peak memory 1.5 GB of 4.5 GB usable')).toBeInTheDocument();
    expect(within(panel).getByText('Fits')).toBeInTheDocument();
    expect(within(panel).getByRole('table', { name: 'Estimated time and size' })).toHaveTextContent('about 27 min 20 s');
    expect(within(panel).getByRole('table', { name: 'Memory by part' })).toHaveTextContent('Activations300 MB');
    const body = endpoint.bodies.at(-1)!;
    expect(body).toMatchObject({ model: 'smollm2-135m-instruct', dataset: 'chat', max_length: 1024, eval_steps: null });
    expect(body.lora).toMatchObject({ r: 16, alpha: 32, target_modules: 'all-linear' });
  });

  it('applies a suggestion of an estimate that does not fit', async () => {
    const tooBig: Estimate = {
      ...estimate,
      fits: false,
      suggestions: [
        {
          field: 'batch_size',
          value: 1,
          message: 'lower batch_size to 1 (gradient_accumulation_steps 4 keeps the effective batch)',
          peak_bytes: 900_000_000,
          fits: true,
          changes: { batch_size: 1, gradient_accumulation_steps: 4 },
        },
      ],
    };
    const endpoint = estimateEndpoint((body) => (body.batch_size === 1 ? estimate : tooBig));
    server.use(...registryHandlers, endpoint.handler);
    const user = userEvent.setup();
    renderApp('/training/new');
    await chooseModelAndDataset(user);

    const panel = await screen.findByRole('region', { name: 'Estimate' });
    expect(await within(panel).findByText('Does not fit')).toBeInTheDocument();
    await user.click(within(panel).getByRole('button', { name: /^Apply: lower batch_size to 1/ }));
    expect(await within(panel).findByText('Fits')).toBeInTheDocument();
    expect(screen.getByRole('textbox', { name: 'Batch size' })).toHaveValue('1');
    expect(endpoint.bodies.at(-1)).toMatchObject({ batch_size: 1, gradient_accumulation_steps: 4 });
  });

  it("puts the API's 422 details on the fields they name, opening the section they are in", async () => {
    const starts: unknown[] = [];
    server.use(
      ...registryHandlers,
      estimateEndpoint().handler,
      http.post('*/api/training/runs', async ({ request }) => {
        starts.push(await request.json());
        return HttpResponse.json(
          errorBody('invalid_input', 'max_length: max_length 4096 is beyond the context of smollm2 (2048 tokens)', [
            { field: 'max_length', message: 'max_length 4096 is beyond the context of smollm2 (2048 tokens)' },
            { field: 'lora.dropout', message: 'Input should be less than or equal to 1' },
            { field: 'body', message: 'Value error, set either eval_dataset or eval_fraction, not both' },
          ]),
          { status: 422 },
        );
      }),
    );
    const user = userEvent.setup();
    renderApp('/training/new');
    await chooseModelAndDataset(user);
    await user.type(screen.getByRole('textbox', { name: 'Max length' }), '4096');
    await user.click(screen.getByRole('button', { name: 'Start training' }));

    const maxLength = screen.getByRole('textbox', { name: 'Max length' });
    await waitFor(() => expect(maxLength).toHaveAttribute('aria-invalid', 'true'));
    expect(maxLength).toHaveAccessibleDescription(/beyond the context of smollm2 \(2048 tokens\)/);
    expect(screen.getByRole('button', { name: /Adapter/ })).toHaveAttribute('aria-expanded', 'true');
    expect(screen.getByText('1 problem')).toBeInTheDocument();
    const dropout = screen.getByRole('textbox', { name: 'LoRA dropout' });
    expect(dropout).toHaveAttribute('aria-invalid', 'true');
    expect(dropout).toHaveAccessibleDescription(/less than or equal to 1/);
    expect(screen.getByRole('alert')).toHaveTextContent('set either eval_dataset or eval_fraction, not both');
    expect(screen.getByRole('textbox', { name: 'Epochs' })).not.toHaveAttribute('aria-invalid', 'true');
    expect(starts).toHaveLength(1);

    // Editing the field clears its error; the others stay.
    await user.clear(maxLength);
    await user.type(maxLength, '512');
    await waitFor(() => expect(maxLength).not.toHaveAttribute('aria-invalid', 'true'));
    expect(dropout).toHaveAttribute('aria-invalid', 'true');
  });

  it('says which fields are missing before asking the server', async () => {
    const starts: unknown[] = [];
    server.use(
      ...registryHandlers,
      http.post('*/api/training/runs', () => {
        starts.push(true);
        return HttpResponse.json(makeJob(), { status: 202 });
      }),
    );
    const user = userEvent.setup();
    renderApp('/training/new');
    await user.click(await screen.findByRole('button', { name: 'Start training' }));
    const model = screen.getByRole('combobox', { name: 'Base model' });
    await waitFor(() => expect(model).toHaveAttribute('aria-invalid', 'true'));
    expect(model).toHaveAccessibleDescription(/Required\./);
    expect(screen.getByText('Fix the fields marked in red first.')).toBeInTheDocument();
    expect(starts).toEqual([]);
  });

  it('starts the run with the whole config and opens its page', async () => {
    const run = runDetail({ status: 'queued', progress: null, started_at: null });
    const bodies: Array<Record<string, unknown>> = [];
    server.use(
      ...registryHandlers,
      estimateEndpoint().handler,
      http.post('*/api/training/runs', async ({ request }) => {
        bodies.push((await request.json()) as Record<string, unknown>);
        return HttpResponse.json(runJob(run), { status: 202 });
      }),
      http.get(`*/api/training/runs/${run.id}`, () => HttpResponse.json(run)),
      http.get(`*/api/training/runs/${run.id}/checkpoints`, () => HttpResponse.json([])),
      http.get(`*/api/jobs/${run.id}`, () => HttpResponse.json(runJob(run))),
      controlledEvents(run.id).handler,
      metricsEndpoint(run.id).handler,
      controlledMetricEvents(run.id).handler,
      logEndpoint(run.id).handler,
    );
    const user = userEvent.setup();
    const { router } = renderApp('/training/new');
    await choose(user, await screen.findByRole('combobox', { name: 'Preset' }), 'Quick CPU demo');
    await chooseModelAndDataset(user);
    await user.type(screen.getByRole('textbox', { name: 'Adapter name' }), 'chat-lora');
    await user.click(screen.getByRole('button', { name: 'Start training' }));

    expect(await screen.findByRole('heading', { name: `Run #${run.id}`, level: 1 })).toBeInTheDocument();
    expect(router.state.location.pathname).toBe(`/training/${run.id}`);
    expect(bodies).toHaveLength(1);
    expect(bodies[0]).toMatchObject({
      preset: 'quick-cpu-demo',
      model: 'smollm2-135m-instruct',
      dataset: 'chat',
      name: 'chat-lora',
      max_length: 512,
      batch_size: 4,
      sample_prompts: ['What is your name?', 'Explain in one sentence what a LoRA adapter is.', 'Write a haiku about the sea.'],
    });
    expect(bodies[0]!.lora).toEqual({
      r: 8,
      alpha: 16,
      dropout: 0,
      target_modules: 'all-linear',
      use_rslora: false,
      use_dora: false,
      init_lora_weights: 'default',
    });
  });

  it('says what to do when there is no base model or dataset yet', async () => {
    server.use(http.get('*/api/datasets', () => HttpResponse.json({ items: [], next_cursor: null })));
    renderApp('/training/new');
    const empty = await screen.findByRole('status', { name: 'Nothing to train on yet' });
    expect(empty).toHaveTextContent('A run needs a base model and a dataset.');
    expect(within(empty).getByRole('link', { name: 'Go to Models' })).toHaveAttribute('href', '/models');
    expect(within(empty).getByRole('link', { name: 'Go to Datasets' })).toHaveAttribute('href', '/datasets');
  });
});
