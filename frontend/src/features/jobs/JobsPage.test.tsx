import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { delay, http, HttpResponse } from 'msw';
import { describe, expect, it } from 'vitest';
import { errorBody } from '../../test/fixtures';
import { finishedJob, makeJob, pageOf, runningJob } from '../../test/jobs';
import { renderApp } from '../../test/render';
import { server } from '../../test/server';

const pulled = finishedJob('succeeded', {
  id: 3,
  kind: 'model.pull',
  params: { key: 'smollm2-135m-instruct' },
  result: { model_id: 1 },
});
const broken = finishedJob('failed', {
  id: 2,
  kind: 'model.import',
  params: { source: '/nope' },
  error: { code: 'invalid_model', message: 'no config.json in /nope' },
});
const sleeping = runningJob({ id: 4, progress: { completed: 3, total: 10, message: 'step 3 of 10' } });

/** Serves the job list, recording each request's query string. */
function listing(respond: (query: URLSearchParams) => ReturnType<typeof pageOf>) {
  const queries: URLSearchParams[] = [];
  const handler = http.get('*/api/jobs', ({ request }) => {
    const query = new URL(request.url).searchParams;
    queries.push(query);
    return HttpResponse.json(respond(query));
  });
  return { handler, queries };
}

describe('Jobs page', () => {
  it('is in the navigation and shows a loading state', async () => {
    server.use(
      http.get('*/api/jobs', async () => {
        await delay('infinite');
        return HttpResponse.json(pageOf([]));
      }),
    );
    renderApp('/jobs');
    expect(await screen.findByText('Loading jobs…')).toBeInTheDocument();
    const nav = screen.getByRole('navigation', { name: 'Main navigation' });
    expect(within(nav).getByRole('link', { name: 'Jobs' })).toHaveAttribute('aria-current', 'page');
  });

  it('says what to do when there are no jobs', async () => {
    renderApp('/jobs');
    const empty = await screen.findByRole('status', { name: 'No jobs yet' });
    expect(empty).toHaveTextContent(/Pull the built-in model on the Models page/);
    expect(within(empty).getByRole('link', { name: 'Go to Models' })).toHaveAttribute('href', '/models');
  });

  it('lists jobs with status, kind, timing, attempts and live progress', async () => {
    server.use(listing(() => pageOf([sleeping, pulled, broken])).handler);
    renderApp('/jobs');

    const running = await screen.findByTestId('job-row-4');
    const cells = within(running).getAllByRole('cell');
    expect(cells[0]).toHaveTextContent('#4');
    expect(cells[1]).toHaveTextContent('Sleep');
    expect(cells[2]).toHaveTextContent('Running');
    expect(within(cells[3]!).getByRole('progressbar', { name: 'Job 4: step 3 of 10' })).toHaveAttribute(
      'aria-valuenow',
      '30',
    );
    expect(cells[4]).toHaveTextContent('3 minutes ago');
    expect(cells[5]).toHaveTextContent(/^2 min \d\d s$/);
    expect(cells[6]).toHaveTextContent('1 / 3');

    const done = within(screen.getByTestId('job-row-3')).getAllByRole('cell');
    expect(done[1]).toHaveTextContent('Model pull');
    expect(done[2]).toHaveTextContent('Succeeded');
    expect(done[5]).toHaveTextContent('42 s');
    expect(within(done[3]!).queryByRole('progressbar')).not.toBeInTheDocument();

    const failed = screen.getByTestId('job-row-2');
    expect(failed).toHaveTextContent('Failed');
    expect(failed).toHaveTextContent('no config.json in /nope');
  });

  it('opens a job from its row', async () => {
    server.use(
      listing(() => pageOf([pulled])).handler,
      http.get('*/api/jobs/3', () => HttpResponse.json(pulled)),
      http.get('*/api/jobs/3/logs', () => HttpResponse.json({ content: '', offset: 0, next_offset: 0, complete: true })),
    );
    const user = userEvent.setup();
    const { router } = renderApp('/jobs');
    await user.click(await screen.findByRole('link', { name: 'Open job 3' }));
    expect(await screen.findByRole('heading', { name: 'Job #3', level: 1 })).toBeInTheDocument();
    expect(router.state.location.pathname).toBe('/jobs/3');
  });

  it('filters by status and kind through the address', async () => {
    const list = listing((query) => {
      if (query.get('status') === 'failed') return pageOf([broken]);
      if (query.get('kind') === 'model.pull') return pageOf([]);
      return pageOf([sleeping, pulled, broken]);
    });
    server.use(list.handler);
    const user = userEvent.setup();
    const { router } = renderApp('/jobs');
    await screen.findByTestId('job-row-4');

    await user.selectOptions(screen.getByRole('combobox', { name: 'Status' }), 'failed');
    await waitFor(() => expect(screen.queryByTestId('job-row-4')).not.toBeInTheDocument());
    expect(screen.getByTestId('job-row-2')).toBeInTheDocument();
    expect(router.state.location.search).toEqual({ status: 'failed' });
    expect(list.queries.at(-1)?.get('status')).toBe('failed');

    await user.selectOptions(screen.getByRole('combobox', { name: 'Status' }), '');
    await user.selectOptions(screen.getByRole('combobox', { name: 'Kind' }), 'model.pull');
    const empty = await screen.findByRole('status', { name: 'No matching jobs' });
    expect(empty).toHaveTextContent('There is no Model pull job.');
    expect(router.state.location.search).toEqual({ kind: 'model.pull' });
    expect(list.queries.at(-1)?.get('kind')).toBe('model.pull');
    expect(list.queries.at(-1)?.has('status')).toBe(false);

    await user.click(within(empty).getByRole('button', { name: 'Clear filters' }));
    expect(await screen.findByTestId('job-row-4')).toBeInTheDocument();
    expect(router.state.location.search).toEqual({});
  });

  it('loads more jobs with the cursor of the previous page', async () => {
    const list = listing((query) =>
      query.get('cursor') === 'page-2' ? pageOf([broken]) : pageOf([pulled], 'page-2'),
    );
    server.use(list.handler);
    const user = userEvent.setup();
    renderApp('/jobs');
    await screen.findByTestId('job-row-3');
    expect(screen.queryByTestId('job-row-2')).not.toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'Load more' }));
    expect(await screen.findByTestId('job-row-2')).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Load more' })).not.toBeInTheDocument();
  });

  it('asks again every few seconds while a job is active', async () => {
    let current = runningJob({ id: 4 });
    const list = listing(() => pageOf([current]));
    server.use(list.handler);
    renderApp('/jobs');
    expect(await screen.findByTestId('job-row-4')).toHaveTextContent('Running');
    current = finishedJob('succeeded', { id: 4 });
    await waitFor(() => expect(screen.getByTestId('job-row-4')).toHaveTextContent('Succeeded'), { timeout: 5000 });
    const asked = list.queries.length;
    await new Promise((resolve) => setTimeout(resolve, 3200));
    expect(list.queries.length).toBe(asked);
  });

  it("shows the API's message when the list fails", async () => {
    server.use(
      http.get('*/api/jobs', () =>
        HttpResponse.json(errorBody('internal_error', 'internal error: database is locked'), { status: 500 }),
      ),
    );
    renderApp('/jobs');
    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('Could not load jobs');
    expect(alert).toHaveTextContent('internal error: database is locked');
  });

  it('ignores an unknown status in the address', async () => {
    const list = listing(() => pageOf([makeJob({ id: 9 })]));
    server.use(list.handler);
    renderApp('/jobs?status=exploded&kind=sleep');
    expect(await screen.findByTestId('job-row-9')).toHaveTextContent('Queued');
    expect(screen.getByRole('combobox', { name: 'Status' })).toHaveValue('');
    expect(screen.getByRole('combobox', { name: 'Kind' })).toHaveValue('sleep');
    expect(list.queries[0]?.has('status')).toBe(false);
  });
});
