import { EditorView } from '@codemirror/view';
import { act, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { http, HttpResponse } from 'msw';
import { useState } from 'react';
import { beforeAll, describe, expect, it } from 'vitest';
import { smollm, tinyLlama } from '../../../test/fixtures';
import { server } from '../../../test/server';
import { renderWithProviders } from '../../datasets/testData';
import { NodeInspector } from './NodeInspector';
import type { Problem } from './schema';
import { nodeType, renderInspector, stubRangeRects } from './testing';

beforeAll(() => stubRangeRects());

const columns = [
  { name: 'instruction', type: 'string' },
  { name: 'output', type: 'string' },
  { name: 'messages', type: 'messages' },
];

/** The wrapper of a field (label, control, help, errors) by its parameter name. */
function fieldOf(nodeId: string, name: string): HTMLElement {
  const control = document.getElementById(`recipe-param-${nodeId}-${name}`);
  if (!control) throw new Error(`no field ${name}`);
  return control.closest('.mantine-InputWrapper-root') ?? control.parentElement!;
}

/** The options of a combobox's open list. */
async function optionsOf(user: ReturnType<typeof userEvent.setup>, combobox: HTMLElement) {
  await user.click(combobox);
  const listbox = await waitFor(() => {
    const id = combobox.getAttribute('aria-controls');
    const found = id ? document.getElementById(id) : null;
    if (!found) throw new Error('no open list');
    return found;
  });
  return within(listbox).queryAllByRole('option', { hidden: true });
}

async function choose(user: ReturnType<typeof userEvent.setup>, combobox: HTMLElement, name: string) {
  const options = await optionsOf(user, combobox);
  const option = options.find((item) => item.textContent === name);
  if (!option) throw new Error(`no option ${name} in ${options.map((item) => item.textContent).join(', ')}`);
  await user.click(option);
}

async function editorOf(name: string) {
  // Until CodeMirror has loaded, a plain text box of the same name stands in.
  return waitFor(() => {
    const content = screen.getByRole('textbox', { name });
    const view = EditorView.findFromDOM(content);
    if (!view) throw new Error('no editor view yet');
    return { content, view };
  });
}

describe('NodeInspector', () => {
  it('draws a form from the schema: labels, help, defaults, enum and nullable fields', async () => {
    const user = userEvent.setup();
    const { onParams, lastParams } = renderInspector({ type: 'to_messages', columns });

    const format = screen.getByRole('combobox', { name: 'Source format' });
    expect(format).toHaveValue('auto'); // the default, shown
    expect(format).toHaveAccessibleDescription(/How the input rows are shaped.*Default: auto\./);

    const userColumn = screen.getByRole('combobox', { name: 'User column' }); // suggests the input's columns
    expect(userColumn).toHaveAttribute('placeholder', 'Not set');
    expect(userColumn).toHaveAccessibleDescription(/the column holding the user turn.*Default: none\./);

    await choose(user, format, 'columns');
    expect(lastParams()).toEqual({ source_format: 'columns' });

    const options = await optionsOf(user, userColumn);
    expect(options.map((option) => option.textContent)).toEqual(['instruction', 'output', 'messages']);
    await user.click(options[0]!);
    expect(lastParams()).toEqual({ source_format: 'columns', user_column: 'instruction' });

    // Clearing a nullable field removes it, so its default (none) applies.
    await user.clear(userColumn);
    expect(lastParams()).toEqual({ source_format: 'columns' });
    expect(onParams).toHaveBeenCalledTimes(3);
  });

  it('checks number constraints inline and keeps the value typed', async () => {
    const user = userEvent.setup();
    const { lastParams } = renderInspector({ type: 'dedupe', initial: { mode: 'near' } });
    const threshold = screen.getByRole('textbox', { name: 'Threshold' });
    expect(threshold).toHaveAttribute('placeholder', '0.8 (default)');

    await user.type(threshold, '1.5');
    expect(lastParams()).toEqual({ mode: 'near', threshold: 1.5 });
    expect(threshold).toHaveAccessibleDescription(/Must be at most 1\./);
    expect(threshold).toHaveAttribute('aria-invalid', 'true');

    await user.clear(threshold);
    await user.type(threshold, '0');
    expect(threshold).toHaveAccessibleDescription(/Must be greater than 0\./);

    await user.clear(threshold);
    expect(lastParams()).toEqual({ mode: 'near' });
    expect(threshold).not.toHaveAttribute('aria-invalid', 'true');

    const perm = screen.getByRole('textbox', { name: 'Num perm' });
    await user.type(perm, '8');
    expect(perm).toHaveAccessibleDescription(/Must be at least 16\./);
  });

  it('clears a nullable number back to its default', async () => {
    const user = userEvent.setup();
    const { lastParams } = renderInspector({ type: 'sample', initial: { limit: 5 } });
    const limit = screen.getByRole('textbox', { name: 'Limit' });
    expect(limit).toHaveValue('5');
    expect(limit).toHaveAttribute('placeholder', 'Not set');
    await user.clear(limit);
    expect(lastParams()).toEqual({});

    // A switch shows its default and sets the value when flipped.
    const shuffle = screen.getByRole('switch', { name: /^Shuffle/ });
    expect(shuffle).toBeChecked();
    await user.click(shuffle);
    expect(lastParams()).toEqual({ shuffle: false });
  });

  it("shows this node's problems under the field they name and the others on top", () => {
    const problems: Problem[] = [
      { node_id: 'n1', field: 'nodes.n1.params.threshold', message: 'node n1: params.threshold: Input should be greater than 0', type: 'invalid_params' },
      { node_id: 'n1', field: 'nodes.n1.params.columns', message: "node n1: columns: no column 'x' (columns: a, b)", type: 'missing_column' },
      { node_id: 'n1', field: 'nodes.n1', message: 'node n1: input in is not connected', type: 'unconnected' },
      { node_id: 'other', field: 'nodes.other.params.threshold', message: 'node other: threshold: wrong', type: 'invalid_params' },
      { node_id: null, field: 'nodes', message: 'the recipe has no output node', type: 'no_output' },
    ];
    renderInspector({ type: 'dedupe', problems, initial: { threshold: 0 } });

    const threshold = screen.getByRole('textbox', { name: 'Threshold' });
    expect(threshold).toHaveAccessibleDescription(/Must be greater than 0\..*Input should be greater than 0/);
    expect(within(fieldOf('n1', 'columns')).getByText("no column 'x' (columns: a, b)")).toBeInTheDocument();

    const top = screen.getByRole('alert');
    expect(top).toHaveTextContent('This node has a problem');
    expect(top).toHaveTextContent('input in is not connected');
    expect(screen.queryByText(/wrong/)).not.toBeInTheDocument();
    expect(screen.queryByText(/no output node/)).not.toBeInTheDocument();
  });

  it('edits a string list with the input columns as choices', async () => {
    const user = userEvent.setup();
    const { lastParams } = renderInspector({ type: 'select', columns });
    const input = screen.getByRole('combobox', { name: 'Columns' });
    await choose(user, input, 'output');
    await choose(user, input, 'messages');
    expect(lastParams()).toEqual({ columns: ['output', 'messages'] });
    await user.type(input, 'typed{Enter}');
    expect(lastParams()).toEqual({ columns: ['output', 'messages', 'typed'] });
  });

  it('edits mix weights as rows of input and number, keys chosen or typed', async () => {
    const user = userEvent.setup();
    const { lastParams } = renderInspector({ type: 'mix', inputIds: ['chat', 'split.train'], initial: { weights: { chat: 3 } } });
    const weights = fieldOf('n1', 'weights');
    expect(within(weights).getByRole('combobox', { name: 'Weights: input of chat' })).toHaveValue('chat');
    expect(within(weights).getByRole('textbox', { name: 'Weights: weight of chat' })).toHaveValue('3');

    await user.click(within(weights).getByRole('button', { name: 'Add input' }));
    // The next unused input is proposed with weight 1.
    expect(lastParams()).toEqual({ weights: { chat: 3, 'split.train': 1 } });
    const second = within(weights).getByRole('textbox', { name: 'Weights: weight of split.train' });
    await user.clear(second);
    await user.type(second, '2');
    expect(lastParams()).toEqual({ weights: { chat: 3, 'split.train': 2 } });

    await user.click(within(weights).getByRole('button', { name: 'Remove chat' }));
    expect(lastParams()).toEqual({ weights: { 'split.train': 2 } });
    await user.click(within(weights).getByRole('button', { name: 'Remove split.train' }));
    expect(lastParams()).toEqual({});
  });

  it('edits renames as column → new name, and flags a repeated column', async () => {
    const user = userEvent.setup();
    const { lastParams } = renderInspector({ type: 'rename', columns });
    const field = fieldOf('n1', 'columns');
    await user.click(within(field).getByRole('button', { name: 'Add column' }));
    // An entry without its new name does not reach the params yet.
    expect(within(field).getByRole('combobox', { name: 'Columns: column of instruction' })).toHaveValue('instruction');
    await user.type(within(field).getByRole('textbox', { name: 'Columns: new name of instruction' }), 'prompt');
    expect(lastParams()).toEqual({ columns: { instruction: 'prompt' } });

    await user.click(within(field).getByRole('button', { name: 'Add column' }));
    const key = within(field).getByRole('combobox', { name: 'Columns: column of output' });
    await user.clear(key);
    await user.type(key, 'instruction');
    expect(within(field).getAllByText('Used more than once.')).toHaveLength(2);
    // The repeated one is left out of the params until it is resolved.
    expect(lastParams()).toEqual({ columns: { instruction: 'prompt' } });
  });

  it('edits inline rows as JSON with a validity message, applying only valid rows', async () => {
    const user = userEvent.setup();
    const { lastParams, onParams } = renderInspector({ type: 'inline', initial: { rows: [{ q: 'a' }] } });
    const rows = screen.getByRole('textbox', { name: /^Rows/ });
    expect(screen.getByRole('status')).toHaveTextContent('Valid JSON: 1 row; columns q.');

    await user.clear(rows);
    await user.type(rows, '[[{{"q": "a"}, {{"q": "b", "n": 2}');
    expect(rows).toHaveAccessibleDescription(/Not valid JSON/);
    expect(screen.getByRole('status')).toHaveTextContent('Not applied until it is valid.');
    const callsBefore = onParams.mock.calls.length;
    await user.type(rows, ']');
    expect(onParams.mock.calls.length).toBe(callsBefore + 1);
    expect(lastParams()).toEqual({ rows: [{ q: 'a' }, { q: 'b', n: 2 }] });
    expect(screen.getByRole('status')).toHaveTextContent('Valid JSON: 2 rows; columns q, n.');

    await user.clear(rows);
    await user.type(rows, '[[1]');
    expect(rows).toHaveAccessibleDescription(/Row 1 is not an object/);
    expect(lastParams()).toEqual({});
  });

  it('edits a filter expression in the code editor, with the problem marked at its offset', async () => {
    const problems: Problem[] = [
      {
        node_id: 'n1',
        field: 'nodes.n1.params.expression',
        message: "node n1: expression: unknown name 'outptu' at 4",
        type: 'invalid_expression',
        offset: 4,
      },
    ];
    const { lastParams } = renderInspector({ type: 'filter', columns, problems, initial: { expression: 'len(outptu) > 20' } });
    const { content, view } = await editorOf('Expression');
    expect(view.state.doc.toString()).toBe('len(outptu) > 20');
    expect(content).toHaveAttribute('aria-invalid', 'true');
    expect(within(fieldOf('n1', 'expression')).getByText("unknown name 'outptu' at 4")).toBeInTheDocument();
    await waitFor(() => expect(content.querySelector('.cm-lintRange-error')).toHaveTextContent('outptu'));

    act(() => view.dispatch({ changes: { from: 4, to: 10, insert: 'output' } }));
    expect(lastParams()).toEqual({ expression: 'len(output) > 20' });
  });

  it('edits a template with the line of its problem marked', async () => {
    const problems: Problem[] = [
      {
        node_id: 'n1',
        field: 'nodes.n1.params.template',
        message: "node n1: template: the template uses 'anser' (line 2), which is not a column of the input",
        type: 'missing_column',
        line: 2,
      },
    ];
    renderInspector({ type: 'template', columns, problems, initial: { template: 'Q: {{ instruction }}\nA: {{ anser }}' } });
    const { content } = await editorOf('Template');
    expect(content).toHaveAttribute('aria-multiline', 'true');
    await waitFor(() => expect(content.querySelector('.cm-lintRange-error')).toHaveTextContent('anser'));
  });

  it('offers the registered models for a model field', async () => {
    server.use(http.get('*/api/models', () => HttpResponse.json({ items: [smollm, tinyLlama], next_cursor: null })));
    const user = userEvent.setup();
    const { lastParams } = renderInspector({ type: 'token_length' });
    const model = screen.getByRole('combobox', { name: 'Model' });
    expect(model).toBeRequired();
    await choose(user, model, 'tiny-llama');
    expect(lastParams()).toEqual({ model: 'tiny-llama' });
  });

  it('offers the examples of a text field', async () => {
    const user = userEvent.setup();
    const { lastParams } = renderInspector({ type: 'samples' });
    await choose(user, screen.getByRole('combobox', { name: 'Key' }), 'instructions');
    expect(lastParams()).toEqual({ key: 'instructions' });
  });

  it('shows params changed from outside (undo) in its fields', async () => {
    const user = userEvent.setup();
    const before = { weights: { a: 1 }, rows: 10, mode: 'multiplier' };
    function Undoable() {
      const [params, setParams] = useState<Record<string, unknown>>(before);
      return (
        <>
          <button type="button" onClick={() => setParams(before)}>
            Undo
          </button>
          <NodeInspector nodeType={nodeType('mix')} nodeId="m" params={params} onChange={setParams} columns={[]} problems={[]} />
        </>
      );
    }
    renderWithProviders(<Undoable />);
    const rows = screen.getByRole('textbox', { name: 'Rows' });
    await user.clear(rows);
    await user.type(rows, '25');
    const weight = screen.getByRole('textbox', { name: 'Weights: weight of a' });
    await user.clear(weight);
    await user.type(weight, '4');
    await user.click(screen.getByRole('button', { name: 'Add input' }));
    expect(screen.getAllByTestId('map-entry')).toHaveLength(2);

    await user.click(screen.getByRole('button', { name: 'Undo' }));
    expect(rows).toHaveValue('10');
    expect(screen.getAllByTestId('map-entry')).toHaveLength(1);
    expect(screen.getByRole('textbox', { name: 'Weights: weight of a' })).toHaveValue('1');
  });
});
