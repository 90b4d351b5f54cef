import { QueryClientProvider } from '@tanstack/react-query';
import { act, render, waitFor } from '@testing-library/react';
import { http, HttpResponse } from 'msw';
import { describe, expect, it } from 'vitest';
import type { PreviewResult, RecipeGraph, ValidateResult } from '../../../api/types.gen';
import { createQueryClient } from '../../../lib/queryClient';
import { server } from '../../../test/server';
import { alpacaGraph } from '../testData';
import { createEditorStore, type EditorStore } from './store';
import { FEEDBACK_DEBOUNCE_MS, useLiveFeedback } from './useLiveFeedback';

function Harness({ store }: { store: EditorStore }) {
  useLiveFeedback(store, null);
  return null;
}

function setup() {
  const validated: RecipeGraph[] = [];
  const previewed: RecipeGraph[] = [];
  server.use(
    http.post('*/api/recipes/validate', async ({ request }) => {
      const { graph } = (await request.json()) as { graph: RecipeGraph };
      validated.push(graph);
      const keep = graph.nodes.find((node) => node.id === 'keep');
      const expression = keep?.type === 'filter' ? keep.params.expression : '';
      const result: ValidateResult = expression.includes('foo')
        ? {
            valid: false,
            problems: [
              {
                node_id: 'keep',
                field: 'nodes.keep.params.expression',
                message: "node keep: expression: at offset 4: unknown column 'foo'",
                type: 'invalid_expression',
                offset: 4,
              },
            ],
          }
        : { valid: true, problems: [] };
      return HttpResponse.json(result);
    }),
    http.post('*/api/recipes/preview', async ({ request }) => {
      const { graph, limit } = (await request.json()) as { graph: RecipeGraph; limit: number };
      previewed.push(graph);
      expect(limit).toBe(20);
      const result: PreviewResult = {
        nodes: graph.nodes.map((node) => ({
          node_id: node.id,
          type: node.type,
          status: 'ok',
          problems: [],
          stats: { rows_in: 1, rows_out: 1, seconds: 0.001 },
          outputs: { out: { columns: [{ name: 'messages', type: 'messages' }], rows: [] } },
        })),
        problems: [],
        seconds: 0.01,
      };
      return HttpResponse.json(result);
    }),
  );
  const store = createEditorStore();
  store.getState().actions.load(alpacaGraph, { name: 'alpaca', description: '' }, { version: 1 });
  const queryClient = createQueryClient();
  render(
    <QueryClientProvider client={queryClient}>
      <Harness store={store} />
    </QueryClientProvider>,
  );
  return { store, validated, previewed };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('live validation and preview', () => {
  it('checks the graph at once, then once after a burst of edits settles', async () => {
    const { store, validated, previewed } = setup();
    await waitFor(() => expect(validated).toHaveLength(1));
    await waitFor(() => expect(store.getState().live.keep?.rowsOut).toBe(1));
    expect(previewed).toHaveLength(1);
    // Positions are not part of what the server is asked.
    expect(validated[0]?.nodes[0]).not.toHaveProperty('position');

    const { actions } = store.getState();
    for (const expression of ['l', 'le', 'len(', 'len(foo) > 2']) {
      act(() => actions.updateParams('keep', { expression }));
      await sleep(FEEDBACK_DEBOUNCE_MS / 4);
    }
    // Still typing: nothing asked yet.
    expect(validated).toHaveLength(1);
    await waitFor(() => expect(validated).toHaveLength(2));
    const sent = validated[1]?.nodes.find((node) => node.id === 'keep');
    expect(sent?.params).toEqual({ expression: 'len(foo) > 2' });
    // The problem lands on its node.
    await waitFor(() => expect(store.getState().live.keep?.problems).toHaveLength(1));
    expect(store.getState().live.keep?.problems[0]?.message).toContain("unknown column 'foo'");
    expect(store.getState().columns.chat?.out).toEqual([{ name: 'messages', type: 'messages' }]);

    // Moving a node asks nothing.
    act(() => actions.onNodesChange([{ type: 'position', id: 'chat', position: { x: 900, y: 9 }, dragging: false }]));
    await sleep(FEEDBACK_DEBOUNCE_MS * 2);
    expect(validated).toHaveLength(2);
    expect(previewed).toHaveLength(2);

    // Fixed: the problem goes away.
    act(() => actions.updateParams('keep', { expression: 'turns(messages) >= 3' }));
    await waitFor(() => expect(store.getState().live.keep?.problems).toEqual([]));
    expect(validated).toHaveLength(3);
  });

  it('asks again for a graph it checked before from the cache', async () => {
    const { store, validated } = setup();
    await waitFor(() => expect(validated).toHaveLength(1));
    const { actions } = store.getState();
    act(() => actions.updateParams('keep', { expression: 'len(foo) > 2' }));
    await waitFor(() => expect(validated).toHaveLength(2));
    act(() => actions.undo());
    await waitFor(() => expect(store.getState().live.keep?.problems).toEqual([]));
    expect(validated).toHaveLength(2);
  });

  it('cancels the request for a graph that changed while it was being checked', async () => {
    const aborted: boolean[] = [];
    let calls = 0;
    server.use(
      http.post('*/api/recipes/validate', async ({ request }) => {
        calls += 1;
        const slow = calls === 2;
        if (slow) {
          await new Promise((resolve) => setTimeout(resolve, FEEDBACK_DEBOUNCE_MS * 3));
          aborted.push(request.signal.aborted);
        }
        return HttpResponse.json({ valid: true, problems: [] });
      }),
      http.post('*/api/recipes/preview', async ({ request }) => {
        const { graph } = (await request.json()) as { graph: RecipeGraph };
        return HttpResponse.json({ nodes: graph.nodes.map((n) => ({ node_id: n.id, type: n.type, status: 'ok' })), problems: [], seconds: 0 });
      }),
    );
    const store = createEditorStore();
    store.getState().actions.load(alpacaGraph, { name: 'alpaca', description: '' }, { version: 1 });
    render(
      <QueryClientProvider client={createQueryClient()}>
        <Harness store={store} />
      </QueryClientProvider>,
    );
    await waitFor(() => expect(calls).toBe(1));
    act(() => store.getState().actions.updateParams('keep', { expression: 'turns(messages) > 1' }));
    await waitFor(() => expect(calls).toBe(2));
    act(() => store.getState().actions.updateParams('keep', { expression: 'turns(messages) > 5' }));
    await waitFor(() => expect(calls).toBe(3));
    await waitFor(() => expect(aborted).toEqual([true]), { timeout: FEEDBACK_DEBOUNCE_MS * 6 });
  });
});
