import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { http, HttpResponse } from 'msw';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DatasetDetail, DatasetVersionOut } from '../../api/types.gen';
import { errorBody } from '../../test/fixtures';
import { controlledEvents, finishedJob, makeJob, runningJob } from '../../test/jobs';
import { renderApp } from '../../test/render';
import { server } from '../../test/server';
import { chatDataset, chatStats, chatVersion, datasetHandlers, detailOf, versionDetail, withLayout } from './testData';

const importParams = { dataset_id: 7, filename: 'chat.jsonl', format: 'auto', strict: false };
const succeededImport = finishedJob('succeeded', {
  id: 40,
  kind: 'dataset.import',
  params: importParams,
  result: { dataset_id: 7, version: 1, rows: 120 },
});

const version2: DatasetVersionOut = {
  ...chatVersion,
  id: 12,
  version: 2,
  row_count: 80,
  source: 'upload chat-v2.jsonl',
  content_hash: 'bbbbbbbbbbbbcccc',
  job_id: 41,
};

let restoreLayout: () => void;
beforeEach(() => {
  restoreLayout = withLayout();
});
afterEach(() => restoreLayout());

function serve(detail: () => DatasetDetail, job = succeededImport) {
  server.use(...datasetHandlers(detail), http.get(`*/api/jobs/${job.id}`, () => HttpResponse.json(job)));
}

describe('Dataset page', () => {
  it('shows the rows of the newest version as chat bubbles and loads more on request', async () => {
    serve(() => detailOf(chatDataset, [chatVersion]));
    const user = userEvent.setup();
    renderApp('/datasets/7');
    expect(await screen.findByRole('heading', { name: 'chat', level: 1 })).toBeInTheDocument();
    expect(screen.getByText('Support conversations')).toBeInTheDocument();
    expect(screen.getByTestId('version-summary')).toHaveTextContent('120 rows · 48.2 KB · upload chat.jsonl');

    const feed = await screen.findByRole('feed', { name: 'Rows' });
    const first = await within(feed).findByRole('article', { name: 'Row 1' });
    expect(first).toHaveAttribute('aria-setsize', '120');
    const bubbles = within(first).getAllByTestId('chat-message');
    expect(bubbles.map((bubble) => bubble.getAttribute('data-role'))).toEqual(['user', 'assistant']);
    expect(bubbles[1]).toHaveTextContent('Answer 1');
    // Virtualised: only the rows in view (and a few more) are rendered.
    expect(within(feed).getAllByRole('article').length).toBeLessThan(20);
    expect(screen.getByTestId('rows-loaded')).toHaveTextContent('Showing 50 of 120 rows');

    await user.click(screen.getByRole('button', { name: 'Load more rows' }));
    await waitFor(() => expect(screen.getByTestId('rows-loaded')).toHaveTextContent('Showing 100 of 120 rows'));
    await user.click(screen.getByRole('button', { name: 'Load more rows' }));
    await waitFor(() => expect(screen.getByTestId('rows-loaded')).toHaveTextContent('Showing 120 of 120 rows'));
    expect(screen.queryByRole('button', { name: 'Load more rows' })).not.toBeInTheDocument();
    expect(screen.getByText('All rows loaded')).toBeInTheDocument();
  });

  it('shows the detection report with every problem and its line on the Report tab', async () => {
    serve(() => detailOf(chatDataset, [chatVersion]));
    const user = userEvent.setup();
    const { router } = renderApp('/datasets/7');
    await user.click(await screen.findByRole('tab', { name: /Report/ }));
    expect(router.state.location.search).toEqual({ tab: 'report' });
    const problems = await screen.findByRole('table', { name: 'Problems' });
    expect(within(problems).getAllByTestId('problem-row')).toHaveLength(3);
    expect(within(problems).getAllByTestId('problem-row')[0]).toHaveTextContent("2line 2: invalid JSON at column 43");
    expect(screen.getByRole('tab', { name: /Report/ })).toHaveTextContent('3');
  });

  it('shows the stats with the token-length histogram and recomputes them as a job', async () => {
    let detail = versionDetail(chatVersion);
    const bodies: unknown[] = [];
    const params = { dataset_id: 7, version: 1, stats_model: 'tiny', max_length: 32 };
    let job = makeJob({ id: 55, kind: 'dataset.stats', params });
    const events = controlledEvents(55);
    server.use(
      ...datasetHandlers(
        () => detailOf(chatDataset, [chatVersion]),
        () => detail,
      ),
      http.get('*/api/jobs/40', () => HttpResponse.json(succeededImport)),
      http.get('*/api/jobs/55', () => HttpResponse.json(job)),
      http.post('*/api/datasets/7/versions/1/stats', async ({ request }) => {
        bodies.push(await request.json());
        return HttpResponse.json(job, { status: 202 });
      }),
      http.get('*/api/models', () => HttpResponse.json({ items: [], next_cursor: null })),
      events.handler,
    );
    const user = userEvent.setup();
    renderApp('/datasets/7?tab=stats');
    const stats = await screen.findByRole('table', { name: 'Statistics' });
    expect(within(stats).getByRole('row', { name: /Turns per conversation/ })).toHaveTextContent('2 to 3, 2.5 on average');
    expect(screen.getByRole('table', { name: 'Messages per role' })).toHaveTextContent('Assistant12040%');
    expect(screen.getByRole('figure', { name: /Token length per row/ })).toBeInTheDocument();
    expect(screen.getByTestId('over-max-length')).toHaveTextContent('10% of rows (12) are longer than 64 tokens');
    expect(screen.getByRole('figure', { name: 'Messages per conversation' })).toBeInTheDocument();

    const form = screen.getByRole('region', { name: 'Recompute statistics' });
    const maxLength = within(form).getByRole('textbox', { name: /Max length/ });
    await user.clear(maxLength);
    await user.type(maxLength, '32');
    await user.click(within(form).getByRole('button', { name: 'Recompute stats' }));
    await waitFor(() => expect(bodies).toEqual([{ stats_model: 'smollm2-135m-instruct', max_length: 32 }]));

    job = runningJob({ id: 55, kind: 'dataset.stats', params });
    events.send('status', { status: 'running', from: 'queued' });
    expect(await within(form).findByText('Running')).toBeInTheDocument();
    events.send('progress', { completed: 0, total: 120, message: 'computing stats' });
    expect(await within(form).findByRole('progressbar', { name: 'Computing statistics: computing stats' })).toBeInTheDocument();

    detail = versionDetail(chatVersion, {
      stats: { ...chatStats, tokens: { ...chatStats.tokens!, max_length: 32, over_max_length: 72, over_max_length_share: 0.6 } },
    });
    job = finishedJob('succeeded', { id: 55, kind: 'dataset.stats', params, result: { dataset_id: 7, version: 1 } });
    events.send('status', { status: 'succeeded', from: 'running' });
    events.close();
    await waitFor(() =>
      expect(screen.getByTestId('over-max-length')).toHaveTextContent('60% of rows (72) are longer than 32 tokens'),
    );
    expect(within(form).queryByRole('progressbar')).not.toBeInTheDocument();
  });

  it('lists the versions and shows the one clicked', async () => {
    serve(() => detailOf(chatDataset, [chatVersion, version2]));
    const user = userEvent.setup();
    const { router } = renderApp('/datasets/7?tab=versions');
    const table = await screen.findByRole('table', { name: 'Versions' });
    const rows = within(table).getAllByRole('row').slice(1);
    expect(rows.map((row) => within(row).getAllByRole('cell')[0]?.textContent)).toEqual(['v2newestshown', 'v1']);
    expect(rows[0]).toHaveTextContent('bbbbbbbbbbbb');
    expect(rows[1]).toHaveTextContent('a79b527c9cf0');
    expect(rows[1]).toHaveTextContent('upload chat.jsonl');
    expect(screen.getByRole('combobox', { name: 'Version' })).toHaveValue('v2 · 80 rows (newest)');

    await user.click(within(rows[1]!).getByRole('button', { name: 'Show version 1' }));
    await waitFor(() => expect(router.state.location.search).toEqual({ version: 1, tab: 'versions' }));
    expect(screen.getByTestId('version-row-1')).toHaveAttribute('aria-selected', 'true');
    expect(screen.getByRole('combobox', { name: 'Version' })).toHaveValue('v1 · 120 rows');
    expect(screen.getByTestId('version-summary')).toHaveTextContent('120 rows');
  });

  it("shows the import job's error when it failed, with a way on", async () => {
    const failed = finishedJob('failed', {
      id: 40,
      kind: 'dataset.import',
      params: importParams,
      error: { code: 'invalid_input', message: 'file: line 2: invalid JSON (strict mode refuses the file at its first problem)' },
    });
    serve(() => detailOf({ ...chatDataset, latest: null }, []), failed);
    renderApp('/datasets/7');
    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('The import failed');
    expect(alert).toHaveTextContent('file: line 2: invalid JSON (strict mode refuses the file at its first problem)');
    expect(within(alert).getByRole('link', { name: 'View job #40 and its log' })).toHaveAttribute('href', '/jobs/40');
    const empty = screen.getByRole('status', { name: 'No versions' });
    expect(within(empty).getByRole('button', { name: 'Upload a file' })).toBeInTheDocument();
    expect(within(empty).getByRole('button', { name: 'Delete dataset' })).toBeInTheDocument();
  });

  it('deletes the dataset after confirming, then goes back to the list', async () => {
    let deleted = false;
    serve(() => detailOf(chatDataset, [chatVersion]));
    server.use(
      http.delete('*/api/datasets/7', () => {
        deleted = true;
        return new HttpResponse(null, { status: 204 });
      }),
      http.get('*/api/datasets', () => HttpResponse.json({ items: [], next_cursor: null })),
      http.get('*/api/datasets/samples', () => HttpResponse.json([])),
    );
    const user = userEvent.setup();
    const { router } = renderApp('/datasets/7');
    await user.click(await screen.findByRole('button', { name: 'Delete' }));
    const confirm = await screen.findByRole('dialog', { name: 'Delete chat?' });
    expect(confirm).toHaveTextContent('This deletes chat, its 1 version and their files under LATHE_HOME');
    expect(deleted).toBe(false);
    await user.click(within(confirm).getByRole('button', { name: 'Delete dataset' }));
    await waitFor(() => expect(router.state.location.pathname).toBe('/datasets'));
    expect(deleted).toBe(true);
    expect(await screen.findByText('chat was deleted.')).toBeInTheDocument();
  });

  it('says why a delete was refused', async () => {
    serve(() => detailOf(chatDataset, [chatVersion]));
    server.use(
      http.delete('*/api/datasets/7', () =>
        HttpResponse.json(errorBody('conflict', 'dataset chat is being written by job 41 (dataset.import); cancel it first'), {
          status: 409,
        }),
      ),
    );
    const user = userEvent.setup();
    renderApp('/datasets/7');
    await user.click(await screen.findByRole('button', { name: 'Delete' }));
    await user.click(within(await screen.findByRole('dialog', { name: 'Delete chat?' })).getByRole('button', { name: 'Delete dataset' }));
    expect(await screen.findByText('dataset chat is being written by job 41 (dataset.import); cancel it first')).toBeInTheDocument();
  });

  it('says when there is no such dataset', async () => {
    server.use(
      http.get('*/api/datasets/99', () => HttpResponse.json(errorBody('not_found', 'dataset 99 not found'), { status: 404 })),
    );
    renderApp('/datasets/99');
    expect(await screen.findByRole('status', { name: 'No such dataset' })).toBeInTheDocument();
  });
});
