import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { delay, http, HttpResponse } from 'msw';
import { describe, expect, it } from 'vitest';
import type { DatasetOut } from '../../api/types.gen';
import { errorBody } from '../../test/fixtures';
import { makeJob } from '../../test/jobs';
import { renderApp } from '../../test/render';
import { server } from '../../test/server';
import { chatDataset, datasetHandlers, detailOf, samples } from './testData';

function listing(items: DatasetOut[]) {
  return http.get('*/api/datasets', () => HttpResponse.json({ items, next_cursor: null }));
}
const sampleList = http.get('*/api/datasets/samples', () => HttpResponse.json(samples));

describe('Datasets page', () => {
  it('is in the navigation', async () => {
    server.use(listing([]), sampleList);
    const user = userEvent.setup();
    const { router } = renderApp('/models');
    const nav = await screen.findByRole('navigation', { name: 'Main navigation' });
    await user.click(within(nav).getByRole('link', { name: 'Datasets' }));
    expect(await screen.findByRole('heading', { name: 'Datasets', level: 1 })).toBeInTheDocument();
    expect(router.state.location.pathname).toBe('/datasets');
  });

  it('shows a loading state while the list is on its way', async () => {
    server.use(
      http.get('*/api/datasets', async () => {
        await delay('infinite');
        return HttpResponse.json({ items: [], next_cursor: null });
      }),
      sampleList,
    );
    renderApp('/datasets');
    expect(await screen.findByText('Loading datasets…')).toBeInTheDocument();
  });

  it('says what to do when there are no datasets, and adds a sample with one click', async () => {
    const imported: string[] = [];
    const queued = {
      dataset: { ...chatDataset, id: 8, name: 'sample-identity', latest: null, job_id: 60 },
      job: makeJob({ id: 60, kind: 'dataset.import', params: { dataset_id: 8, filename: 'identity.jsonl' } }),
      detected_format: 'messages',
    };
    server.use(
      listing([]),
      sampleList,
      http.post('*/api/datasets/samples/:key', ({ params }) => {
        imported.push(String(params.key));
        return HttpResponse.json(queued, { status: 202 });
      }),
      ...datasetHandlers(() => detailOf(queued.dataset, [])),
      http.get('*/api/jobs/60', () => HttpResponse.json(queued.job)),
      http.get('*/api/jobs/60/events', async () => {
        await delay('infinite');
        return new HttpResponse(null);
      }),
    );
    const user = userEvent.setup();
    const { router } = renderApp('/datasets');
    const empty = await screen.findByRole('status', { name: 'No datasets yet' });
    expect(empty).toHaveTextContent(/Upload a file above/);
    expect(empty).toHaveTextContent(/built-in samples/);
    const identity = await within(empty).findByTestId('sample-identity');
    expect(identity).toHaveTextContent('Lathe identity');
    expect(identity).toHaveTextContent('114 rows');
    expect(within(empty).getByTestId('sample-preferences')).toHaveTextContent('preference');

    await user.click(within(identity).getByRole('button', { name: 'Add the sample Lathe identity' }));
    await waitFor(() => expect(router.state.location.pathname).toBe('/datasets/8'));
    expect(imported).toEqual(['identity']);
    expect(await screen.findByRole('heading', { name: 'sample-identity', level: 1 })).toBeInTheDocument();
    expect(await screen.findByTestId('import-progress')).toHaveTextContent('Importing identity.jsonl');
  });

  it('shows why a sample could not be added', async () => {
    server.use(
      listing([]),
      sampleList,
      http.post('*/api/datasets/samples/:key', () =>
        HttpResponse.json(errorBody('conflict', 'a dataset named sample-identity already exists'), { status: 409 }),
      ),
    );
    const user = userEvent.setup();
    renderApp('/datasets');
    const identity = await screen.findByTestId('sample-identity');
    await user.click(within(identity).getByRole('button', { name: 'Add the sample Lathe identity' }));
    expect(await within(identity).findByRole('alert')).toHaveTextContent('a dataset named sample-identity already exists');
  });

  it('lists datasets with their newest version, format, rows, size and update time', async () => {
    const importing: DatasetOut = {
      ...chatDataset,
      id: 9,
      name: 'incoming',
      description: '',
      latest: null,
      job_id: 61,
    };
    server.use(
      listing([chatDataset, importing]),
      sampleList,
      http.get('*/api/jobs', ({ request }) => {
        const kinds = new URL(request.url).searchParams.getAll('kind');
        const items = kinds.includes('dataset.import')
          ? [makeJob({ id: 61, kind: 'dataset.import', status: 'running', params: { dataset_id: 9 } })]
          : [];
        return HttpResponse.json({ items, next_cursor: null });
      }),
    );
    renderApp('/datasets');
    const row = await screen.findByTestId('dataset-row-chat');
    expect(within(row).getAllByRole('cell').map((cell) => cell.textContent)).toEqual([
      'chatSupport conversations',
      'v1',
      'messages',
      '120',
      '48.2 KB',
      '10 minutes ago',
    ]);
    expect(within(row).getByRole('link', { name: 'Open dataset chat' })).toHaveAttribute('href', '/datasets/7');
    const other = screen.getByTestId('dataset-row-incoming');
    expect(await within(other).findByText('Importing')).toBeInTheDocument();
    expect(within(other).getAllByRole('cell')[1]).toHaveTextContent('—');
    // Once there are datasets, samples are offered from the header.
    expect(screen.getByRole('button', { name: 'Add a sample' })).toBeInTheDocument();
  });

  it('shows the error when the list cannot be read, with a retry', async () => {
    server.use(
      http.get('*/api/datasets', () => HttpResponse.json(errorBody('internal', 'database is locked'), { status: 500 })),
      sampleList,
    );
    renderApp('/datasets');
    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('Could not load datasets');
    expect(alert).toHaveTextContent('database is locked');
    expect(within(alert).getByRole('button', { name: 'Try again' })).toBeInTheDocument();
  });
});
