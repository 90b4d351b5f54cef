import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { http, HttpResponse } from 'msw';
import { describe, expect, it } from 'vitest';
import type { TrainingRunOut } from '../../api/types.gen';
import { errorBody } from '../../test/fixtures';
import { logEndpoint } from '../../test/jobs';
import { renderApp } from '../../test/render';
import { server } from '../../test/server';
import { makeRun, metricPoints, metricsEndpoint, runDetail, runJob, trainStep } from './testData';

const started = Date.now() - 10 * 60_000;
const done = makeRun({
  id: 20,
  status: 'succeeded',
  config: { model: 'smollm2-135m-instruct', dataset: 'identity', dataset_version: 1, name: 'identity-lora' },
  progress: { completed: 1, total: 1, message: 'done', details: null },
  final_metrics: { train_loss: 0.4 },
  adapter_model_id: 9,
  started_at: new Date(started).toISOString(),
  finished_at: new Date(started + 95_000).toISOString(),
});
const running = makeRun({ id: 21 });
const broken = makeRun({
  id: 19,
  status: 'failed',
  error: { code: 'handler_error', message: 'RuntimeError: out of memory' },
  finished_at: new Date().toISOString(),
});

function listing(runs: TrainingRunOut[]) {
  return http.get('*/api/training/runs', () => HttpResponse.json({ items: runs, next_cursor: null }));
}

describe('Training runs page', () => {
  it('is in the navigation', async () => {
    server.use(listing([]));
    renderApp('/training');
    expect(await screen.findByRole('heading', { name: 'Training', level: 1 })).toBeInTheDocument();
    const nav = screen.getByRole('navigation', { name: 'Main navigation' });
    expect(within(nav).getByRole('link', { name: 'Training' })).toHaveAttribute('aria-current', 'page');
  });

  it('says what to do when there are no runs', async () => {
    server.use(listing([]));
    renderApp('/training');
    const empty = await screen.findByRole('status', { name: 'No training runs yet' });
    expect(empty).toHaveTextContent(/quick CPU demo preset/);
    expect(within(empty).getByRole('link', { name: 'Start a run' })).toHaveAttribute('href', '/training/new');
  });

  it('lists runs with status, progress, a loss sparkline and duration', async () => {
    server.use(
      listing([running, done, broken]),
      metricsEndpoint(21, metricPoints([1, 2, 3], trainStep)).handler,
      metricsEndpoint(20, metricPoints([1, 2, 3, 4], (step) => ({ train_loss: 2 / step }))).handler,
      metricsEndpoint(19).handler,
    );
    renderApp('/training');

    const live = await screen.findByTestId('run-row-21');
    const cells = within(live).getAllByRole('cell');
    expect(cells[0]).toHaveTextContent(/^#21\s*$/);
    expect(cells[1]).toHaveTextContent('smollm2-135m-instruct');
    expect(cells[2]).toHaveTextContent('chat v1');
    expect(cells[3]).toHaveTextContent('Running');
    expect(within(cells[4]!).getByRole('progressbar', { name: 'Run 21: step 12' })).toHaveAttribute('aria-valuenow', '30');
    expect(await within(cells[5]!).findByRole('img', { name: 'Train loss of run 21 from 3 to 1, steps 1 to 3' })).toBeInTheDocument();
    expect(cells[6]).toHaveTextContent(/^4 min \d\d s$/);

    const finished = within(screen.getByTestId('run-row-20')).getAllByRole('cell');
    expect(finished[0]).toHaveTextContent('#20 identity-lora');
    expect(finished[3]).toHaveTextContent('Succeeded');
    expect(within(finished[4]!).getByRole('link', { name: 'Open the adapter of run 20' })).toHaveAttribute('href', '/models?model=9');
    expect(await within(finished[5]!).findByRole('img', { name: /from 2 to 0\.5/ })).toBeInTheDocument();
    expect(finished[6]).toHaveTextContent('1 min 35 s');

    const failed = within(screen.getByTestId('run-row-19')).getAllByRole('cell');
    expect(failed[4]).toHaveTextContent('RuntimeError: out of memory');
    await waitFor(() => expect(failed[5]).toHaveTextContent('—'));
  });

  it('opens a run from its row and a new run from the header', async () => {
    const detail = { ...runDetail(), ...done };
    server.use(
      listing([done]),
      metricsEndpoint(20).handler,
      http.get('*/api/training/runs/20', () => HttpResponse.json(detail)),
      http.get('*/api/training/runs/20/checkpoints', () => HttpResponse.json([])),
      http.get('*/api/jobs/20', () => HttpResponse.json(runJob(done))),
      logEndpoint(20).handler,
    );
    const user = userEvent.setup();
    const { router } = renderApp('/training');
    expect(await screen.findByRole('link', { name: 'New run' })).toHaveAttribute('href', '/training/new');
    await user.click(await screen.findByRole('link', { name: 'Open run 20' }));
    expect(await screen.findByRole('heading', { name: 'Run #20', level: 1 })).toBeInTheDocument();
    expect(router.state.location.pathname).toBe('/training/20');
  });

  it("shows the API's message when the list fails", async () => {
    server.use(
      http.get('*/api/training/runs', () => HttpResponse.json(errorBody('internal_error', 'database is locked'), { status: 500 })),
    );
    renderApp('/training');
    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('Could not load training runs');
    expect(alert).toHaveTextContent('database is locked');
  });
});
