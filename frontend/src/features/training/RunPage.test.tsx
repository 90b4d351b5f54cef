import { act, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { http, HttpResponse } from 'msw';
import { describe, expect, it } from 'vitest';
import type { JobOut, TrainingRunDetail } from '../../api/types.gen';
import { errorBody } from '../../test/fixtures';
import { controlledEvents, logEndpoint } from '../../test/jobs';
import { renderApp } from '../../test/render';
import { server } from '../../test/server';
import {
  checkpoints,
  controlledMetricEvents,
  metricPoints,
  metricsEndpoint,
  runDetail,
  runJob,
  trainStep,
} from './testData';

/** Every endpoint the run page reads, for one run; `state.job` is what /api/jobs/{id} answers. */
function runEndpoints(run: TrainingRunDetail, options: { job?: JobOut; points?: ReturnType<typeof metricPoints> } = {}) {
  const state = { job: options.job ?? runJob(run), run };
  const metrics = metricsEndpoint(run.id, options.points ?? []);
  const metricEvents = controlledMetricEvents(run.id);
  const events = controlledEvents(run.id);
  const calls: string[] = [];
  server.use(
    http.get(`*/api/training/runs/${run.id}`, () => HttpResponse.json(state.run)),
    http.get(`*/api/training/runs/${run.id}/checkpoints`, () => HttpResponse.json(checkpoints)),
    http.get(`*/api/jobs/${run.id}`, () => HttpResponse.json(state.job)),
    http.post(`*/api/jobs/${run.id}/cancel`, () => {
      calls.push('cancel');
      state.job = { ...state.job, cancel_requested: true };
      return HttpResponse.json(state.job);
    }),
    http.post(`*/api/jobs/${run.id}/retry`, () => {
      calls.push('retry');
      state.job = { ...state.job, status: 'queued', finished_at: null, error: null, attempts: 2 };
      return HttpResponse.json(state.job);
    }),
    metrics.handler,
    metricEvents.handler,
    events.handler,
    logEndpoint(run.id, 'data: 120 train rows\n').handler,
  );
  return { state, metrics, metricEvents, events, calls };
}

const lossChart = () => screen.getByRole('img', { name: 'Loss' });

describe('Run page', () => {
  it('fills the charts with the points so far, then live from the metrics stream', async () => {
    const run = runDetail();
    const points = metricPoints([1, 2, 3], trainStep);
    const endpoints = runEndpoints(run, { points });
    renderApp(`/training/${run.id}`);

    expect(await screen.findByRole('heading', { name: 'Run #21', level: 1 })).toBeInTheDocument();
    await waitFor(() => expect(lossChart()).toHaveAccessibleDescription(/^Train loss: 3 points, step 1 to 3, latest 1\. Eval loss: no points yet\.$/));
    expect(screen.getByRole('img', { name: 'Learning rate' })).toHaveAccessibleDescription(/3 points/);
    expect(screen.getByRole('img', { name: 'Tokens per second' })).toHaveAccessibleDescription(/latest 903/);
    await waitFor(() => expect(endpoints.metricEvents.requests).toEqual([String(points.at(-1)!.id)]));

    endpoints.metricEvents.send(metricPoints([4, 5], trainStep));
    endpoints.metricEvents.send(metricPoints([5], () => ({ eval_loss: 0.7, eval_perplexity: 2.01 })));
    await waitFor(() => expect(lossChart()).toHaveAccessibleDescription(/Train loss: 5 points, step 1 to 5, latest 0\.6\. Eval loss: 1 point/));
    expect(screen.getByTestId('latest-metrics')).toHaveTextContent('step 5 · epoch 0.125 · train loss 0.6 · eval loss 0.7 · eval perplexity 2.01 · tokens/s 905');
    expect(screen.getByRole('progressbar', { name: 'Run 21: step 12' })).toBeInTheDocument();
  });

  it('draws on a log scale and with smoothing on request', async () => {
    const run = runDetail({ status: 'succeeded', progress: null });
    runEndpoints(run, { job: runJob(run, { status: 'succeeded' }), points: metricPoints([1, 2, 3, 4], trainStep) });
    const user = userEvent.setup();
    renderApp(`/training/${run.id}`);
    await waitFor(() => expect(lossChart()).toHaveAccessibleDescription(/4 points/));
    const rawLines = () => lossChart().querySelectorAll('.line-chart-raw').length;
    expect(rawLines()).toBe(1); // smoothed by default: the raw curve stays faint behind

    const slider = screen.getByRole('slider', { name: 'Smoothing' });
    act(() => slider.focus());
    await user.keyboard('{Home}');
    await waitFor(() => expect(rawLines()).toBe(0));
    await user.click(screen.getByRole('switch', { name: 'Log scale' }));
    expect(screen.getByRole('switch', { name: 'Log scale' })).toBeChecked();
    expect(within(lossChart()).getAllByText(/^(0\.\d+|1|2|5|10)$/).length).toBeGreaterThan(0);
  });

  it('stops a running run after confirming', async () => {
    const run = runDetail();
    const endpoints = runEndpoints(run);
    const user = userEvent.setup();
    renderApp(`/training/${run.id}`);

    await user.click(await screen.findByRole('button', { name: 'Stop' }));
    const modal = await screen.findByRole('dialog', { name: 'Stop run #21?' });
    expect(modal).toHaveTextContent('saves a checkpoint; Resume continues from it');
    await user.click(within(modal).getByRole('button', { name: 'Stop run' }));
    expect(await screen.findByText('Cancelling')).toBeInTheDocument();
    expect(endpoints.calls).toEqual(['cancel']);
    expect(screen.queryByRole('button', { name: 'Stop' })).not.toBeInTheDocument();
  });

  it('resumes a stopped run and follows its metrics again from the last point', async () => {
    const run = runDetail({ status: 'cancelled', progress: { completed: 12, total: 40, message: 'step 12', details: null } });
    const points = metricPoints([1, 2], trainStep);
    const endpoints = runEndpoints(run, { job: runJob(run, { status: 'cancelled', progress: run.progress }), points });
    const user = userEvent.setup();
    renderApp(`/training/${run.id}`);

    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('This run was stopped at step 12');
    expect(alert).toHaveTextContent('Resume continues from the newest checkpoint below.');
    expect(await screen.findByTestId('checkpoint-10')).toHaveTextContent('Best');
    expect(screen.queryByRole('button', { name: 'Stop' })).not.toBeInTheDocument();
    expect(endpoints.metricEvents.requests).toEqual([]);

    await user.click(screen.getByRole('button', { name: 'Resume' }));
    expect(await screen.findByText('Queued')).toBeInTheDocument();
    expect(endpoints.calls).toEqual(['retry']);
    await waitFor(() => expect(endpoints.metricEvents.requests).toEqual([String(points.at(-1)!.id)]));
    endpoints.metricEvents.send(metricPoints([3], trainStep));
    await waitFor(() => expect(lossChart()).toHaveAccessibleDescription(/3 points/));
  });

  it('shows a finished run: the adapter, final metrics, samples, checkpoints and config', async () => {
    const run = runDetail({
      status: 'succeeded',
      progress: { completed: 1, total: 1, message: 'done', details: null },
      adapter_model_id: 9,
      final_metrics: { train_loss: 0.41, global_step: 40 },
      result: { adapter: { id: 9, name: 'chat-lora' }, model: { id: 1, name: 'smollm2-135m-instruct' } },
      sample_generations: [{ prompt: 'What is your name?', base: 'I am an AI.', adapter: 'My name is Lathe.' }],
    });
    runEndpoints(run, { job: runJob(run, { status: 'succeeded' }), points: metricPoints([1, 2], trainStep) });
    renderApp(`/training/${run.id}`);

    const adapter = await screen.findByRole('region', { name: 'Adapter' });
    expect(adapter).toHaveTextContent('Registered as chat-lora, an adapter of smollm2-135m-instruct.');
    expect(within(adapter).getByRole('link', { name: 'Open adapter' })).toHaveAttribute('href', '/models?model=9');
    const chat = within(adapter).getByRole('link', { name: 'Chat with this' });
    expect(chat).toHaveAttribute('href', '/chat/compare?models=smollm2-135m-instruct%2Cchat-lora');
    expect(within(adapter).getByRole('table', { name: 'Final metrics' })).toHaveTextContent('Train loss0.41');
    const samples = screen.getByRole('table', { name: 'Sample generations' });
    expect(within(samples).getAllByRole('row')[1]).toHaveTextContent('What is your name?I am an AI.My name is Lathe.');
    expect(await screen.findByRole('table', { name: 'Checkpoints' })).toHaveTextContent('checkpoint-20');
    expect(screen.getByLabelText('Run config')).toHaveTextContent('"max_steps": 40');
    expect(screen.getByRole('table', { name: 'Estimate' })).toHaveTextContent('about 27 min 20 s for 40 steps');
    expect(screen.getByRole('link', { name: 'Job details' })).toHaveAttribute('href', '/jobs/21');
    expect(screen.queryByRole('button', { name: 'Resume' })).not.toBeInTheDocument();
    // The adapter's exports, and the dialog to make one.
    const exports = screen.getByRole('region', { name: 'Exports' });
    expect(await within(exports).findByText(/^No exports yet\. Export this adapter/)).toBeInTheDocument();
    expect(within(exports).getByRole('button', { name: 'Export adapter' })).toBeInTheDocument();
  });

  it('says what comes while a queued run has no points, samples or checkpoints yet', async () => {
    const run = runDetail({ status: 'queued', progress: null, started_at: null });
    runEndpoints(run, { job: runJob(run, { status: 'queued' }) });
    server.use(http.get(`*/api/training/runs/${run.id}/checkpoints`, () => HttpResponse.json([])));
    renderApp(`/training/${run.id}`);
    expect(await screen.findByText('Train loss appears from the first step; eval loss at each evaluation.')).toBeInTheDocument();
    expect(screen.getByText(/its 1 sample prompt is answered by the base model and by the adapter/)).toBeInTheDocument();
    expect(await screen.findByText('None yet: the run saves one every 10 steps and when it is stopped.')).toBeInTheDocument();
    expect(screen.getByRole('progressbar', { name: 'Run 21: Waiting for a worker…' })).toBeInTheDocument();
  });

  it("shows the API's message for a job that is not a training run", async () => {
    server.use(
      http.get('*/api/training/runs/5', () =>
        HttpResponse.json(errorBody('not_found', 'job 5 is a sleep job, not a training run'), { status: 404 }),
      ),
      http.get('*/api/jobs/5', () => HttpResponse.json(errorBody('not_found', 'job 5 not found'), { status: 404 })),
    );
    renderApp('/training/5');
    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('Could not load run #5');
    expect(alert).toHaveTextContent('job 5 is a sleep job, not a training run');
  });
});
