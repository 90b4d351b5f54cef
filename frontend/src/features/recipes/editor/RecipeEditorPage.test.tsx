import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { http, HttpResponse } from 'msw';
import { describe, expect, it } from 'vitest';
import type { RecipeCreate, RecipeUpdate } from '../../../api/types.gen';
import { errorBody } from '../../../test/fixtures';
import { controlledEvents, finishedJob, runningJob } from '../../../test/jobs';
import { renderApp } from '../../../test/render';
import { server } from '../../../test/server';
import { alpacaGraph } from '../testData';
import { alpacaTemplate, editorHandlers, recipeDetail } from '../testHandlers';

const node = (id: string) => screen.getByTestId(`rf__node-${id}`);

describe('Recipe editor', () => {
  it('opens a template, saves it as a new recipe and moves to its address', async () => {
    const created: RecipeCreate[] = [];
    server.use(
      http.post('*/api/recipes', async ({ request }) => {
        const body = (await request.json()) as RecipeCreate;
        created.push(body);
        return HttpResponse.json(recipeDetail(body.graph, { id: 9, name: body.name, latest_version: 1 }), { status: 201 });
      }),
      http.get('*/api/recipes/9', () => HttpResponse.json(recipeDetail(created[0]?.graph, { id: 9, latest_version: 1 }))),
      ...editorHandlers(),
    );
    const user = userEvent.setup();
    const { router } = renderApp('/recipes/new?template=alpaca-to-chat');
    expect(await screen.findByRole('textbox', { name: 'Recipe name' })).toHaveValue('alpaca-to-chat');
    expect(screen.getByTestId('save-state')).toHaveTextContent('Not saved yet');
    await waitFor(() => expect(node('keep')).toHaveTextContent('turns(messages) >= 2'));
    expect(node('keep')).toHaveTextContent('Keep');
    // Row counts from the preview.
    await waitFor(() => expect(within(node('split')).getByTestId('node-rows')).toHaveTextContent('1 row'));
    // Ports are labelled handles.
    expect(within(node('split')).getByLabelText('Output train of split')).toBeInTheDocument();

    await user.click(screen.getByRole('button', { name: 'Save' }));
    await waitFor(() => expect(router.state.location.pathname).toBe('/recipes/9'));
    expect(created).toHaveLength(1);
    expect(created[0]).toMatchObject({ name: 'alpaca-to-chat', description: alpacaTemplate.description });
    expect(created[0]?.graph).toEqual(alpacaGraph);
    expect(await screen.findByTestId('save-state')).toHaveTextContent('Saved · v1');
    // The canvas came along: no second load.
    expect(node('keep')).toBeInTheDocument();
  });

  it('marks changes, deletes and restores with the keyboard, and saves with Ctrl+S as a new version', async () => {
    const saved: RecipeUpdate[] = [];
    server.use(
      http.get('*/api/recipes/7', () => HttpResponse.json(recipeDetail())),
      http.put('*/api/recipes/7', async ({ request }) => {
        const body = (await request.json()) as RecipeUpdate;
        saved.push(body);
        return HttpResponse.json(recipeDetail(body.graph, { latest_version: 3 }));
      }),
      http.get('*/api/jobs', () => HttpResponse.json({ items: [], next_cursor: null })),
      ...editorHandlers(),
    );
    renderApp('/recipes/7');
    await waitFor(() => expect(node('keep')).toBeInTheDocument());
    expect(screen.getByTestId('save-state')).toHaveTextContent('Saved · v2');

    fireEvent.click(node('keep'));
    await waitFor(() => expect(screen.getByTestId('inspector-dock')).toBeInTheDocument());
    fireEvent.keyDown(document.body, { key: 'Delete' });
    await waitFor(() => expect(screen.queryByTestId('rf__node-keep')).not.toBeInTheDocument());
    expect(screen.getByTestId('save-state')).toHaveTextContent('Unsaved changes');
    fireEvent.keyDown(document.body, { key: 'z', ctrlKey: true });
    await waitFor(() => expect(node('keep')).toBeInTheDocument());
    expect(screen.getByTestId('save-state')).toHaveTextContent('Saved · v2');
    fireEvent.keyDown(document.body, { key: 'z', ctrlKey: true, shiftKey: true });
    await waitFor(() => expect(screen.queryByTestId('rf__node-keep')).not.toBeInTheDocument());

    fireEvent.keyDown(document.body, { key: 's', ctrlKey: true });
    await waitFor(() => expect(saved).toHaveLength(1));
    expect(saved[0]?.graph.nodes.map((n) => n.id)).toEqual(['rows', 'chat', 'split', 'train', 'eval']);
    expect(await screen.findByTestId('save-state')).toHaveTextContent('Saved · v3');
  });

  it('shows the API message when a save is refused', async () => {
    server.use(
      http.get('*/api/recipes/7', () => HttpResponse.json(recipeDetail())),
      http.put('*/api/recipes/7', () =>
        HttpResponse.json(errorBody('conflict', 'a recipe named taken already exists'), { status: 409 }),
      ),
      http.get('*/api/jobs', () => HttpResponse.json({ items: [], next_cursor: null })),
      ...editorHandlers(),
    );
    const user = userEvent.setup();
    renderApp('/recipes/7');
    const name = await screen.findByRole('textbox', { name: 'Recipe name' });
    await user.clear(name);
    await user.type(name, 'taken');
    await user.click(screen.getByRole('button', { name: 'Save' }));
    expect(await screen.findByText('a recipe named taken already exists')).toBeInTheDocument();
    expect(screen.getByTestId('save-state')).toHaveTextContent('Unsaved changes');
  });

  it('runs a saved recipe and links to the datasets it wrote', async () => {
    const job = finishedJob('succeeded', {
      id: 31,
      kind: 'recipe.run',
      params: { recipe_id: 7, version: 2 },
      result: {
        outputs: [
          { node_id: 'train', dataset_id: 4, dataset: 'chat-train', version: 1, rows: 9 },
          { node_id: 'eval', dataset_id: 5, dataset: 'chat-eval', version: 1, rows: 1 },
        ],
        nodes: { split: { rows_in: 10, rows_out: 10 } },
      },
    });
    const runs: unknown[] = [];
    const events = controlledEvents(31);
    const state = { job: runningJob({ ...job, status: 'running', result: null, finished_at: null }) };
    server.use(
      http.get('*/api/recipes/7', () => HttpResponse.json(recipeDetail())),
      http.post('*/api/recipes/7/runs', async ({ request }) => {
        runs.push(await request.json());
        return HttpResponse.json({ ...job, status: 'queued' }, { status: 202 });
      }),
      http.get('*/api/jobs/31', () => HttpResponse.json(state.job)),
      events.handler,
      http.get('*/api/jobs', () => HttpResponse.json({ items: [], next_cursor: null })),
      ...editorHandlers(),
    );
    const user = userEvent.setup();
    renderApp('/recipes/7');
    await waitFor(() => expect(node('split')).toBeInTheDocument());
    await user.click(screen.getByRole('button', { name: 'Run' }));
    const panel = await screen.findByTestId('run-panel');
    expect(runs).toEqual([{ version: 2 }]);
    // Progress per node, from the events' details.
    events.send('progress', {
      completed: 4,
      total: null,
      message: '4 rows read',
      details: { nodes: { split: { rows_in: 4, rows_out: 4 } } },
    });
    await waitFor(() => expect(within(node('split')).getByTestId('node-run')).toHaveTextContent('Run: 4 in → 4 out'));
    state.job = job;
    events.send('status', { status: 'succeeded', from: 'running' });
    events.close();
    expect(await within(panel).findByRole('link', { name: 'chat-train v1' })).toHaveAttribute('href', '/datasets/4?version=1');
    expect(within(panel).getByRole('link', { name: 'chat-eval v1' })).toHaveAttribute('href', '/datasets/5?version=1');
    await waitFor(() => expect(within(node('split')).getByTestId('node-run')).toHaveTextContent('Run: 10 in → 10 out'));
  });

  it('asks before leaving with unsaved changes', async () => {
    server.use(
      http.get('*/api/recipes/7', () => HttpResponse.json(recipeDetail())),
      http.get('*/api/datasets/samples', () => HttpResponse.json([])),
      http.get('*/api/jobs', () => HttpResponse.json({ items: [], next_cursor: null })),
      ...editorHandlers(),
    );
    const user = userEvent.setup();
    const { router } = renderApp('/recipes/7');
    await waitFor(() => expect(node('keep')).toBeInTheDocument());
    const nav = screen.getByRole('navigation', { name: 'Main navigation' });
    fireEvent.click(node('keep'));
    fireEvent.keyDown(document.body, { key: 'Delete' });
    await waitFor(() => expect(screen.getByTestId('save-state')).toHaveTextContent('Unsaved changes'));
    await user.click(within(nav).getByRole('link', { name: 'Datasets' }));
    const dialog = await screen.findByRole('dialog', { name: 'Leave without saving?' });
    await user.click(within(dialog).getByRole('button', { name: 'Stay' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).not.toBeInTheDocument());
    expect(router.state.location.pathname).toBe('/recipes/7');
    await user.click(within(nav).getByRole('link', { name: 'Datasets' }));
    await user.click(within(await screen.findByRole('dialog')).getByRole('button', { name: 'Leave without saving' }));
    await waitFor(() => expect(router.state.location.pathname).toBe('/datasets'));
  });

  it('cancels a run after asking', async () => {
    const job = runningJob({ id: 32, kind: 'recipe.run', params: { recipe_id: 7, version: 2 } });
    const events = controlledEvents(32);
    let cancelled = 0;
    server.use(
      http.get('*/api/recipes/7', () => HttpResponse.json(recipeDetail())),
      // A run started elsewhere is found and followed.
      http.get('*/api/jobs', () => HttpResponse.json({ items: [job], next_cursor: null })),
      http.get('*/api/jobs/32', () => HttpResponse.json(job)),
      events.handler,
      http.post('*/api/jobs/32/cancel', () => {
        cancelled += 1;
        return HttpResponse.json({ ...job, cancel_requested: true });
      }),
      ...editorHandlers(),
    );
    const user = userEvent.setup();
    renderApp('/recipes/7');
    const panel = await screen.findByTestId('run-panel');
    expect(screen.getByRole('button', { name: 'Run' })).toBeDisabled();
    await user.click(within(panel).getByRole('button', { name: 'Cancel run' }));
    const dialog = await screen.findByRole('dialog', { name: 'Cancel job #32?' });
    await user.click(within(dialog).getByRole('button', { name: 'Cancel job' }));
    await waitFor(() => expect(cancelled).toBe(1));
    expect(await within(panel).findByText('Cancelling')).toBeInTheDocument();
    events.close();
  });
});
