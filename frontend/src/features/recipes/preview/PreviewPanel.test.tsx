import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { http, HttpResponse } from 'msw';
import { describe, expect, it } from 'vitest';
import type { PreviewResult } from '../../../api/types.gen';
import { ApiError } from '../../../lib/apiError';
import { smollm, tinyLlama } from '../../../test/fixtures';
import { server } from '../../../test/server';
import { PREVIEW, renderPanel, trainingViewOf } from './testing';

const withModels = http.get('*/api/models', () => HttpResponse.json({ items: [smollm, tinyLlama], next_cursor: null }));

async function chooseModel(user: ReturnType<typeof userEvent.setup>, name: string) {
  const select = await screen.findByRole('combobox', { name: 'Model' });
  await user.click(select);
  // The models arrive from the server: wait for the option.
  const option = await waitFor(() => {
    const listbox = document.getElementById(select.getAttribute('aria-controls') ?? '');
    if (!listbox) throw new Error('no open list');
    const found = within(listbox)
      .queryAllByRole('option', { hidden: true })
      .find((item) => item.textContent === name);
    if (!found) throw new Error(`no option ${name}`);
    return found;
  });
  await user.click(option);
}

describe('PreviewPanel: rows', () => {
  it("shows every node's rows out and time when nothing is selected", () => {
    renderPanel();
    const table = screen.getByRole('table', { name: 'Rows and time of every node' });
    const rows = within(table).getAllByTestId('summary-row');
    expect(rows.map((row) => within(row).getByRole('rowheader').textContent)).toEqual([
      'src',
      'chat',
      'split',
      'short',
      'tpl',
      'train',
      'eval',
    ]);
    const split = rows[2]!;
    expect(within(split).getAllByRole('cell').map((cell) => cell.textContent)).toEqual(['split', 'Ran', '8', '8', '0.9 ms']);
    const short = rows[3]!;
    expect(within(short).getAllByRole('cell').map((cell) => cell.textContent)).toEqual(['filter', 'Has problems', '—', '—', '—']);
    expect(within(rows[5]!).getByText('Skipped')).toBeInTheDocument();
    expect(screen.getByText(/The preview ran every node .* in 238 ms\./)).toBeInTheDocument();
  });

  it('shows problems of the whole graph above the summary', () => {
    renderPanel({
      preview: {
        ...PREVIEW,
        problems: [...PREVIEW.problems, { node_id: null, field: 'nodes', message: 'the recipe has no output node', type: 'no_output' }],
      },
    });
    expect(screen.getByRole('alert')).toHaveTextContent('the recipe has no output node');
  });

  it("shows the selected node's rows as conversations, with its columns, counts and time", () => {
    renderPanel({ selectedNodeId: 'chat' });
    expect(screen.getByTestId('node-status')).toHaveTextContent('Ran');
    expect(screen.getByTestId('node-stats')).toHaveTextContent('8 rows in → 8 rows out · 3 ms');
    const columns = screen.getByRole('list', { name: 'Columns of chat' });
    expect(within(columns).getAllByRole('listitem').map((item) => item.textContent)).toEqual(['messagesmessages', 'topicint']);
    const rows = screen.getAllByTestId('preview-row');
    expect(rows).toHaveLength(8);
    // The dataset viewer's chat bubbles, and the other columns as name and value.
    const chat = within(rows[0]!).getByRole('list', { name: 'Conversation' });
    expect(within(chat).getAllByTestId('chat-message').map((bubble) => bubble.getAttribute('data-role'))).toEqual(['user', 'assistant']);
    expect(within(rows[0]!).getByRole('table', { name: 'Columns of this row' })).toHaveTextContent('topic');
  });

  it('shows the rows of each output port of a split on its own tab', async () => {
    const user = userEvent.setup();
    renderPanel({ selectedNodeId: 'split' });
    const ports = screen.getByRole('tablist', { name: 'Output ports of split' });
    expect(within(ports).getAllByRole('tab').map((tab) => tab.textContent)).toEqual(['train (6)', 'eval (2)']);
    expect(screen.getAllByTestId('preview-row')).toHaveLength(6);
    await user.click(within(ports).getByRole('tab', { name: 'eval (2)' }));
    expect(screen.getAllByTestId('preview-row')).toHaveLength(2);
    expect(screen.getByRole('list', { name: 'Rows of split.eval' })).toBeInTheDocument();
  });

  it('shows the rows as a table on request', async () => {
    const user = userEvent.setup();
    renderPanel({ selectedNodeId: 'tpl' });
    await user.click(screen.getByText('Table'));
    const table = screen.getByRole('table', { name: 'Preview rows as a table' });
    expect(within(table).getAllByRole('columnheader').map((cell) => cell.textContent)).toEqual(['#', 'messages', 'topic', 'first']);
    expect(within(table).getAllByRole('row')).toHaveLength(3);
    expect(within(table).getAllByText(/^2 turns: user: Question \d · assistant: Answer number \d$/)).toHaveLength(2);
  });

  it("shows a node's problems, and why a node was skipped", () => {
    const { update } = renderPanel({ selectedNodeId: 'short' });
    expect(screen.getByTestId('node-status')).toHaveTextContent('Has problems');
    expect(screen.getByRole('alert')).toHaveTextContent("unknown column 'outptu'");
    update({ selectedNodeId: 'train' });
    expect(screen.getByTestId('node-status')).toHaveTextContent('Skipped');
    expect(screen.getByText(/Skipped: an upstream node has problems/)).toBeInTheDocument();
  });

  it('has loading, error and empty states', () => {
    const { update } = renderPanel({ preview: undefined, loading: true });
    expect(screen.getByText('Previewing the recipe…')).toBeInTheDocument();
    update({ loading: false, error: new ApiError(422, 'invalid_input', 'limit: must be between 1 and 1000') });
    expect(screen.getByRole('alert')).toHaveTextContent('limit: must be between 1 and 1000');
    update({ error: null, preview: { nodes: [], problems: [], seconds: 0 } });
    expect(screen.getByText(/The recipe is empty/)).toBeInTheDocument();
    // The last preview stays on screen while the next one loads.
    update({ preview: PREVIEW, selectedNodeId: 'chat', loading: true });
    expect(screen.getByTestId('preview-loading')).toHaveTextContent('Updating preview…');
    expect(screen.getAllByTestId('preview-row')).toHaveLength(8);
    update({ selectedNodeId: 'new-node' });
    expect(screen.getByText('Previewing the new node…')).toBeInTheDocument();
  });
});

describe('PreviewPanel: training view', () => {
  it('is only open for a node with a conversation column', () => {
    const { update } = renderPanel({ selectedNodeId: 'src' });
    expect(screen.getByRole('tab', { name: 'Training view' })).toBeDisabled();
    update({ selectedNodeId: null });
    expect(screen.getByRole('tab', { name: 'Training view' })).toBeDisabled();
    update({ selectedNodeId: 'chat' });
    expect(screen.getByRole('tab', { name: 'Training view' })).toBeEnabled();
  });

  it('asks for the view with the chosen model and marks the tokens that carry loss', async () => {
    server.use(withModels);
    const user = userEvent.setup();
    const { update, onTrainingView } = renderPanel({ selectedNodeId: 'chat' });
    await user.click(screen.getByRole('tab', { name: 'Training view' }));
    expect(screen.getByText(/Choose a model/)).toBeInTheDocument();
    expect(onTrainingView).not.toHaveBeenCalled();

    await chooseModel(user, 'smollm2-135m-instruct');
    expect(onTrainingView).toHaveBeenCalledTimes(1);
    expect(onTrainingView).toHaveBeenLastCalledWith({ node_id: 'chat', model: 'smollm2-135m-instruct' });

    update({ loading: true });
    expect(screen.getByText('Rendering with smollm2-135m-instruct…')).toBeInTheDocument();
    update({ loading: false, preview: { ...PREVIEW, training_view: trainingViewOf('chat', 'smollm2-135m-instruct') } });
    expect(onTrainingView).toHaveBeenCalledTimes(1); // re-renders ask nothing new

    const rows = screen.getAllByTestId('training-row');
    expect(rows).toHaveLength(3);
    const text = within(rows[0]!).getByTestId('training-text');
    expect(text).toHaveTextContent('<|im_start|>user Question 0<|im_end|> <|im_start|>assistant Answer number 0<|im_end|>');
    const marks = text.querySelectorAll('mark[data-loss="true"]');
    expect([...marks].map((mark) => mark.textContent)).toEqual(['Answer number 0<|im_end|>']);
    expect(marks[0]).toHaveAttribute('title', expect.stringMatching(/Carries loss/));
    expect(within(rows[0]!).getByTestId('training-row-tokens')).toHaveTextContent('6 of 20 tokens carry loss');
    expect(within(rows[1]!).getByText('Cut at the maximum length')).toBeInTheDocument();
    expect(within(rows[1]!).getByText(/No token of this row carries loss/)).toBeInTheDocument();
    expect(within(rows[2]!).getByRole('alert')).toHaveTextContent('the conversation has no assistant turn');
    expect(screen.getByTestId('training-totals')).toHaveTextContent('All rows: 6 of 32 tokens carry loss · column messages');
    expect(screen.getByRole('group', { name: 'Legend' })).toHaveTextContent('Carries loss');

    // Another node with conversations: the same model, for it; the Rows tab: no view.
    update({ selectedNodeId: 'tpl' });
    expect(onTrainingView).toHaveBeenLastCalledWith({ node_id: 'tpl', model: 'smollm2-135m-instruct' });
    expect(screen.queryAllByTestId('training-row')).toHaveLength(0); // the view is chat's, not tpl's
    await user.click(screen.getByRole('tab', { name: 'Rows' }));
    expect(onTrainingView).toHaveBeenLastCalledWith(null);
    // A node without conversations falls back to the Rows tab.
    await user.click(screen.getByRole('tab', { name: 'Training view' }));
    expect(onTrainingView).toHaveBeenLastCalledWith({ node_id: 'tpl', model: 'smollm2-135m-instruct' });
    update({ selectedNodeId: 'src' });
    expect(onTrainingView).toHaveBeenLastCalledWith(null);
    expect(screen.getByRole('tab', { name: 'Rows' })).toHaveAttribute('aria-selected', 'true');
  });

  it('shows the error of a view the server could not make', async () => {
    server.use(withModels);
    const user = userEvent.setup();
    const { update } = renderPanel({ selectedNodeId: 'chat' });
    await user.click(screen.getByRole('tab', { name: 'Training view' }));
    await chooseModel(user, 'tiny-llama (no chat template)');
    const failed: PreviewResult = {
      ...PREVIEW,
      training_view: { node_id: 'chat', model: 'tiny-llama', column: null, error: 'node chat did not run (see its problems)', rows: [] },
    };
    update({ preview: failed });
    expect(screen.getByRole('alert')).toHaveTextContent('node chat did not run');
  });

  it('drops a request that made the preview fail, until the model is chosen again', async () => {
    server.use(withModels);
    const user = userEvent.setup();
    const { update, onTrainingView } = renderPanel({ selectedNodeId: 'chat' });
    await user.click(screen.getByRole('tab', { name: 'Training view' }));
    await chooseModel(user, 'tiny-llama (no chat template)');
    expect(onTrainingView).toHaveBeenLastCalledWith({ node_id: 'chat', model: 'tiny-llama' });

    update({ preview: undefined, loading: true });
    // Still the training view tab while the preview is away.
    expect(screen.getByRole('tab', { name: 'Training view' })).toHaveAttribute('aria-selected', 'true');
    update({ loading: false, error: new ApiError(404, 'not_found', "no model 'tiny-llama' has a tokenizer") });
    expect(onTrainingView).toHaveBeenLastCalledWith(null);
    expect(screen.getByRole('alert')).toHaveTextContent("Could not render with tiny-llama");
    expect(screen.getByRole('alert')).toHaveTextContent("no model 'tiny-llama' has a tokenizer");

    update({ error: null, preview: PREVIEW });
    expect(onTrainingView).toHaveBeenLastCalledWith(null);
    await user.click(screen.getByRole('button', { name: 'Try again' }));
    expect(onTrainingView).toHaveBeenLastCalledWith({ node_id: 'chat', model: 'tiny-llama' });
  });
});
