import { describe, expect, it } from 'vitest';
import { toFlow } from '../graph/convert';
import { alpacaGraph } from '../testData';
import { buildFeedback } from './feedback';
import { columnsArriving } from './InspectorDock';

describe('server feedback on the canvas', () => {
  const { nodes, edges } = toFlow(alpacaGraph);

  it('puts problems on their nodes and edges, and the rest on the graph', () => {
    const feedback = buildFeedback(
      nodes,
      edges,
      {
        valid: false,
        problems: [
          { node_id: 'keep', field: 'nodes.keep.params.expression', message: 'node keep: expression: bad' },
          { node_id: 'train', field: 'edges.3.source_port', message: "edge 3: split has no output 'test'" },
          { node_id: null, field: 'nodes', message: 'the recipe has no output' },
          { node_id: 'gone', field: 'nodes.gone', message: 'node gone: unknown' },
        ],
      },
      {
        nodes: [
          {
            node_id: 'chat',
            type: 'to_messages',
            status: 'ok',
            stats: { rows_in: 3, rows_out: 2, seconds: 0.5 },
            outputs: { out: { columns: [{ name: 'messages', type: 'messages' }], rows: [] } },
          },
          { node_id: 'keep', type: 'filter', status: 'error', stats: { rows_in: 0, rows_out: 0 } },
          { node_id: 'split', type: 'split', status: 'skipped', skipped_because: 'an upstream node has problems' },
        ],
        // Preview repeats validation's problems: kept once.
        problems: [{ node_id: 'keep', field: 'nodes.keep.params.expression', message: 'node keep: expression: bad' }],
        seconds: 0.1,
      },
    );
    expect(feedback.live.chat).toMatchObject({ status: 'ok', rowsIn: 3, rowsOut: 2, problems: [] });
    expect(feedback.live.keep?.problems.map((p) => p.message)).toEqual(['node keep: expression: bad']);
    expect(feedback.live.keep?.rowsOut).toBeNull();
    expect(feedback.live.split).toMatchObject({ status: 'skipped', skippedBecause: 'an upstream node has problems' });
    expect(feedback.live.train?.problems).toHaveLength(1);
    expect(Object.keys(feedback.edgeProblems)).toEqual(['split.train->train.in']);
    expect(feedback.graphProblems.map((p) => p.message)).toEqual(['the recipe has no output', 'node gone: unknown']);
    expect(feedback.columns.chat?.out).toEqual([{ name: 'messages', type: 'messages' }]);
  });

  it("takes validation's columns before the preview has run, and the preview's over them", () => {
    const validation = {
      valid: true,
      problems: [],
      columns: {
        rows: { out: [{ name: 'instruction', type: 'string' }] },
        chat: { out: [{ name: 'messages', type: 'messages' }] },
        gone: { out: [{ name: 'x', type: 'string' }] },
      },
    };
    const early = buildFeedback(nodes, edges, validation, undefined);
    expect(early.columns.rows?.out).toEqual([{ name: 'instruction', type: 'string' }]);
    expect(early.columns.gone).toBeUndefined();

    const chatPreview = {
      node_id: 'chat',
      type: 'to_messages',
      status: 'ok' as const,
      outputs: { out: { columns: [{ name: 'messages', type: 'messages' }, { name: 'id', type: 'int' }], rows: [] } },
    };
    const later = buildFeedback(nodes, edges, validation, { nodes: [chatPreview], problems: [], seconds: 0.1 });
    expect(later.columns.chat?.out?.map((column) => column.name)).toEqual(['messages', 'id']);
    expect(later.columns.rows?.out).toHaveLength(1);
  });

  it('offers the inspector the columns arriving at a node', () => {
    const columns = {
      chat: { out: [{ name: 'messages', type: 'messages' }] },
      split: { train: [{ name: 'a', type: 'string' }], eval: [{ name: 'b', type: 'string' }] },
    };
    expect(columnsArriving({ edges, columns }, 'keep')).toEqual([{ name: 'messages', type: 'messages' }]);
    expect(columnsArriving({ edges, columns }, 'eval')).toEqual([{ name: 'b', type: 'string' }]);
    expect(columnsArriving({ edges, columns }, 'rows')).toEqual([]);
  });
});
