import { afterEach, describe, expect, it, vi } from 'vitest';
import { toGraph } from '../graph/convert';
import { alpacaGraph } from '../testData';
import { COALESCE_MS, createEditorStore, selectedNodeId } from './store';

function loaded() {
  const store = createEditorStore();
  store.getState().actions.load(alpacaGraph, { name: 'alpaca', description: '' }, { version: 1 });
  return store;
}

const ids = (store: ReturnType<typeof createEditorStore>) => store.getState().nodes.map((node) => node.id);

afterEach(() => vi.useRealTimers());

describe('editor store: undo and redo', () => {
  it('loads a saved graph clean, with no history', () => {
    const store = loaded();
    const state = store.getState();
    expect(state.dirty).toBe(false);
    expect(state.past).toEqual([]);
    expect(toGraph(state.nodes, state.edges)).toEqual(alpacaGraph);
  });

  it('undoes and redoes adding, connecting and deleting, and knows when it is back to saved', () => {
    const store = loaded();
    const { actions } = store.getState();
    const id = actions.addNode('filter', { expression: 'len(messages) > 1' }, { x: 5, y: 5 });
    expect(id).toBe('filter');
    expect(store.getState().dirty).toBe(true);
    actions.connect({ source: 'keep', sourceHandle: 'out', target: 'filter', targetHandle: 'in' });
    expect(store.getState().edges).toHaveLength(6);
    actions.selectNode('keep');
    actions.deleteSelected();
    expect(ids(store)).not.toContain('keep');
    // Deleting a node deletes its edges.
    expect(store.getState().edges.some((edge) => edge.source === 'keep' || edge.target === 'keep')).toBe(false);

    actions.undo();
    expect(ids(store)).toContain('keep');
    expect(store.getState().edges).toHaveLength(6);
    actions.undo();
    expect(store.getState().edges).toHaveLength(5);
    actions.undo();
    expect(ids(store)).not.toContain('filter');
    expect(store.getState().dirty).toBe(false);
    actions.undo(); // nothing left: no change
    expect(store.getState().past).toHaveLength(0);

    actions.redo();
    actions.redo();
    expect(store.getState().edges).toHaveLength(6);
    expect(store.getState().future).toHaveLength(1);
    // A new change forgets what could be redone.
    actions.updateLabel('rows', 'Typed rows');
    expect(store.getState().future).toHaveLength(0);
  });

  it('makes one undo step of quick edits to the same params', () => {
    vi.useFakeTimers();
    const store = loaded();
    const { actions } = store.getState();
    actions.updateParams('keep', { expression: 't' });
    vi.advanceTimersByTime(200);
    actions.updateParams('keep', { expression: 'tu' });
    vi.advanceTimersByTime(200);
    actions.updateParams('keep', { expression: 'turns(messages) > 3' });
    expect(store.getState().past).toHaveLength(1);
    vi.advanceTimersByTime(COALESCE_MS + 10);
    actions.updateParams('keep', { expression: 'turns(messages) > 4' });
    expect(store.getState().past).toHaveLength(2);
    actions.undo();
    actions.undo();
    const keep = store.getState().nodes.find((node) => node.id === 'keep');
    expect(keep?.data.params).toEqual({ expression: 'turns(messages) >= 2' });
  });

  it('does not count selection or drag frames as changes, and records a drag as one step', () => {
    const store = loaded();
    const { actions } = store.getState();
    const before = store.getState().revision;
    actions.selectNode('chat');
    expect(selectedNodeId(store.getState())).toBe('chat');
    actions.checkpoint();
    actions.onNodesChange([{ type: 'position', id: 'chat', position: { x: 300, y: 10 }, dragging: true }]);
    expect(store.getState().revision).toBe(before);
    actions.onNodesChange([{ type: 'position', id: 'chat', position: { x: 320, y: 12 }, dragging: false }]);
    expect(store.getState().revision).toBe(before + 1);
    expect(store.getState().dirty).toBe(true);
    expect(store.getState().semanticRevision).toBe(1);
    actions.undo();
    expect(store.getState().nodes.find((node) => node.id === 'chat')?.position).toEqual({ x: 260, y: 0 });
    expect(store.getState().dirty).toBe(false);
  });
});

describe('editor store: copy and paste', () => {
  it('pastes copies with new ids, the edges between them, offset, selected', () => {
    const store = loaded();
    const { actions } = store.getState();
    actions.onNodesChange([
      { type: 'select', id: 'chat', selected: true },
      { type: 'select', id: 'keep', selected: true },
    ]);
    expect(actions.copy()).toBe(2);
    expect(actions.paste()).toBe(2);
    const state = store.getState();
    expect(ids(store)).toEqual(['rows', 'chat', 'keep', 'split', 'train', 'eval', 'chat_2', 'keep_2']);
    const copies = state.nodes.filter((node) => node.selected).map((node) => node.id);
    expect(copies).toEqual(['chat_2', 'keep_2']);
    expect(state.nodes.find((node) => node.id === 'keep_2')?.position).toEqual({ x: 560, y: 40 });
    expect(state.nodes.find((node) => node.id === 'keep_2')?.data.label).toBe('Keep');
    const pasted = state.edges.filter((edge) => edge.source.endsWith('_2'));
    expect(pasted.map((edge) => [edge.source, edge.target])).toEqual([['chat_2', 'keep_2']]);
    // Edges to nodes left behind are not copied.
    expect(state.edges.filter((edge) => edge.target === 'chat_2')).toEqual([]);

    // Pasting again moves further and takes the next free ids.
    actions.paste();
    expect(ids(store).slice(-2)).toEqual(['chat_3', 'keep_3']);
    expect(store.getState().nodes.find((node) => node.id === 'keep_3')?.position).toEqual({ x: 600, y: 80 });
    actions.undo();
    actions.undo();
    expect(ids(store)).toHaveLength(6);
  });

  it('renames the mix weights of pasted upstream nodes', () => {
    const store = createEditorStore();
    store.getState().actions.load(
      {
        nodes: [
          { id: 'a', type: 'samples', params: { key: 'identity' }, position: { x: 0, y: 0 } },
          { id: 'm', type: 'mix', params: { weights: { a: 2, other: 1 } }, position: { x: 200, y: 0 } },
        ],
        edges: [{ source: 'a', target: 'm', target_port: 'inputs' }],
      },
      { name: 'm', description: '' },
      null,
    );
    const { actions } = store.getState();
    actions.selectAll();
    actions.copy();
    actions.paste();
    const mix = store.getState().nodes.find((node) => node.id === 'm_2');
    expect(mix?.data.params).toEqual({ weights: { a_2: 2, other: 1 } });
    // The original is untouched.
    expect(store.getState().nodes.find((node) => node.id === 'm')?.data.params).toEqual({ weights: { a: 2, other: 1 } });
  });

  it('selects everything and deletes it as one step', () => {
    const store = loaded();
    const { actions } = store.getState();
    actions.selectAll();
    actions.deleteSelected();
    expect(store.getState().nodes).toEqual([]);
    expect(store.getState().edges).toEqual([]);
    actions.undo();
    expect(store.getState().nodes).toHaveLength(6);
  });
});

describe('editor store: saved state', () => {
  it('compares name, description and graph with what was saved', () => {
    const store = loaded();
    const { actions } = store.getState();
    actions.setMeta({ description: 'Chats' });
    expect(store.getState().dirty).toBe(true);
    actions.setMeta({ description: '' });
    expect(store.getState().dirty).toBe(false);
    actions.autoLayout();
    const state = store.getState();
    const json = JSON.stringify(toGraph(state.nodes, state.edges));
    actions.markSaved(json, { name: 'alpaca', description: '' }, 2);
    expect(store.getState().dirty).toBe(false);
    expect(store.getState().saved?.version).toBe(2);
  });
});
