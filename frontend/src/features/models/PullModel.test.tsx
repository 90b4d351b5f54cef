import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { http, HttpResponse } from 'msw';
import { describe, expect, it } from 'vitest';
import type { JobOut, ModelOut } from '../../api/types.gen';
import { builtinEntry, errorBody, smollm } from '../../test/fixtures';
import { controlledEvents, finishedJob, makeJob, pageOf, runningJob } from '../../test/jobs';
import { renderApp } from '../../test/render';
import { server } from '../../test/server';

const KEY = 'smollm2-135m-instruct';
const PULL_PARAMS = { key: KEY };

/** The pull job (id 21): POST /api/models/pull creates it, GET /api/jobs/21 reads `state.job`. */
function pullJob() {
  const state = { job: makeJob({ id: 21, kind: 'model.pull', params: PULL_PARAMS }), requests: [] as unknown[] };
  const handlers = [
    http.post('*/api/models/pull', async ({ request }) => {
      state.requests.push(await request.json());
      return HttpResponse.json(state.job, { status: 202 });
    }),
    http.get('*/api/jobs/21', () => HttpResponse.json(state.job)),
  ];
  return { handlers, state };
}

/** The registry before and after the pull. */
function registry() {
  const state = { models: [] as ModelOut[], pulled: false };
  const handlers = [
    http.get('*/api/models', () => HttpResponse.json({ items: state.models, next_cursor: null })),
    http.get('*/api/models/builtin', () =>
      HttpResponse.json([{ ...builtinEntry, pulled: state.pulled, model_id: state.pulled ? smollm.id : null }]),
    ),
  ];
  return { handlers, state };
}

async function startPull() {
  const user = userEvent.setup();
  const card = await screen.findByTestId(`builtin-${KEY}`);
  await user.click(within(card).getByRole('button', { name: 'Pull SmolLM2 135M Instruct' }));
  return { user, card };
}

describe('Pulling a built-in model', () => {
  it('starts a job, shows its live progress with a link, then refreshes the registry', async () => {
    const pull = pullJob();
    const models = registry();
    const events = controlledEvents(21);
    server.use(...pull.handlers, ...models.handlers, events.handler);
    renderApp('/models');

    const { card } = await startPull();
    await waitFor(() => expect(pull.state.requests).toEqual([{ key: KEY }]));
    expect(await within(card).findByText('Queued')).toBeInTheDocument();
    expect(within(card).getByRole('link', { name: 'View job #21' })).toHaveAttribute('href', '/jobs/21');
    expect(within(card).getByRole('progressbar', { name: 'Pulling SmolLM2 135M Instruct: Waiting for a worker…' })).toBeInTheDocument();

    pull.state.job = runningJob({ id: 21, kind: 'model.pull', params: PULL_PARAMS });
    events.send('status', { status: 'running', from: 'queued' });
    expect(await within(card).findByText('Running')).toBeInTheDocument();
    events.send('progress', { completed: 12_300_000, total: 92_900_000, message: 'download 12.3 MB of 92.9 MB' });
    const bar = await within(card).findByRole('progressbar', {
      name: 'Pulling SmolLM2 135M Instruct: download 12.3 MB of 92.9 MB',
    });
    expect(Number(bar.getAttribute('aria-valuenow'))).toBeCloseTo((12.3 / 92.9) * 100, 5);
    events.send('progress', { completed: 0, total: null, message: 'converting' });
    expect(await within(card).findByText('converting')).toBeInTheDocument();
    expect(within(card).getByRole('progressbar')).not.toHaveAttribute('aria-valuenow', '0');

    models.state.models = [smollm];
    models.state.pulled = true;
    pull.state.job = finishedJob('succeeded', { id: 21, kind: 'model.pull', params: PULL_PARAMS, result: { model_id: 1 } });
    events.send('status', { status: 'succeeded', from: 'running' });
    events.close();

    expect(await screen.findByTestId('model-row-smollm2-135m-instruct')).toBeInTheDocument();
    await waitFor(() => expect(within(card).queryByRole('progressbar')).not.toBeInTheDocument());
    expect(await within(card).findByText('Pulled')).toBeInTheDocument();
    expect(within(card).getByRole('button', { name: 'Show details of SmolLM2 135M Instruct' })).toBeInTheDocument();
  });

  it("shows the failed job's error inline and can try again", async () => {
    const pull = pullJob();
    const events = controlledEvents(21);
    server.use(...pull.handlers, ...registry().handlers, events.handler);
    renderApp('/models');
    const { user, card } = await startPull();
    await within(card).findByText('Queued');

    pull.state.job = finishedJob('failed', {
      id: 21,
      kind: 'model.pull',
      params: PULL_PARAMS,
      error: { code: 'upstream_unavailable', message: 'PyPI is unreachable: timed out after 10 s' },
    });
    events.send('status', { status: 'failed', from: 'running' });
    events.close();

    const alert = await within(card).findByRole('alert');
    expect(alert).toHaveTextContent('Pulling SmolLM2 135M Instruct failed');
    expect(alert).toHaveTextContent('PyPI is unreachable: timed out after 10 s');
    expect(within(alert).getByRole('link', { name: 'View job #21 and its log' })).toHaveAttribute('href', '/jobs/21');
    expect(within(card).queryByRole('progressbar')).not.toBeInTheDocument();

    pull.state.job = makeJob({ id: 21, kind: 'model.pull', params: PULL_PARAMS, attempts: 1 });
    await user.click(within(alert).getByRole('button', { name: 'Try again' }));
    await waitFor(() => expect(pull.state.requests).toHaveLength(2));
    expect(await within(card).findByText('Queued')).toBeInTheDocument();
    expect(within(card).queryByRole('alert')).not.toBeInTheDocument();
  });

  it('finds a pull that is still running when the page opens', async () => {
    const running: JobOut = runningJob({
      id: 21,
      kind: 'model.pull',
      params: PULL_PARAMS,
      progress: { completed: 50, total: 100, message: 'download 46.5 MB of 92.9 MB' },
    });
    const asked: string[] = [];
    server.use(
      http.get('*/api/jobs', ({ request }) => {
        const query = new URL(request.url).searchParams;
        asked.push(`${query.getAll('kind').join(',')}:${query.getAll('status').join(',')}`);
        const match = query.get('kind') === 'model.pull' && query.getAll('status').includes('running');
        return HttpResponse.json(pageOf(match ? [running] : []));
      }),
      http.get('*/api/jobs/21', () => HttpResponse.json(running)),
      controlledEvents(21).handler,
    );
    renderApp('/models');
    const card = await screen.findByTestId(`builtin-${KEY}`);
    const bar = await within(card).findByRole('progressbar', {
      name: 'Pulling SmolLM2 135M Instruct: download 46.5 MB of 92.9 MB',
    });
    expect(bar).toHaveAttribute('aria-valuenow', '50');
    expect(within(card).getByRole('button', { name: 'Pull SmolLM2 135M Instruct' })).toHaveAttribute('data-loading', 'true');
    expect(asked).toEqual(expect.arrayContaining(['model.pull:queued,running']));
  });

  it("shows a refused start with the API's message", async () => {
    server.use(
      http.post('*/api/models/pull', () =>
        HttpResponse.json(errorBody('not_found', 'no built-in model named smollm2-135m-instruct'), { status: 404 }),
      ),
    );
    renderApp('/models');
    const { card } = await startPull();
    const alert = await within(card).findByRole('alert');
    expect(alert).toHaveTextContent('Pulling SmolLM2 135M Instruct failed');
    expect(alert).toHaveTextContent('no built-in model named smollm2-135m-instruct');
    expect(within(card).getByRole('button', { name: 'Pull SmolLM2 135M Instruct' })).toBeEnabled();
  });
});
