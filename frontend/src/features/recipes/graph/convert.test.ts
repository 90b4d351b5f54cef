import { describe, expect, it } from 'vitest';
import { alpacaGraph } from '../testData';
import { edgeId, graphJson, normalGraphJson, semanticGraph, toFlow, toGraph } from './convert';
import type { RecipeGraph } from './types';

describe('graph conversion', () => {
  it('turns a graph document into canvas nodes and edges', () => {
    const { nodes, edges, unplaced } = toFlow(alpacaGraph);
    expect(unplaced).toEqual([]);
    expect(nodes.map((node) => [node.id, node.type, node.data.kind])).toEqual([
      ['rows', 'inline', 'inline'],
      ['chat', 'to_messages', 'to_messages'],
      ['keep', 'filter', 'filter'],
      ['split', 'split', 'split'],
      ['train', 'output', 'output'],
      ['eval', 'output', 'output'],
    ]);
    const keep = nodes[2];
    expect(keep?.position).toEqual({ x: 520, y: 0 });
    expect(keep?.data.label).toBe('Keep');
    if (keep?.data.kind === 'filter') expect(keep.data.params.expression).toBe('turns(messages) >= 2');
    else throw new Error('keep should be a filter');
    expect(edges[3]).toMatchObject({ source: 'split', sourceHandle: 'train', target: 'train', targetHandle: 'in' });
    expect(edges[3]?.id).toBe(edgeId({ source: 'split', sourceHandle: 'train', target: 'train', targetHandle: 'in' }));
  });

  it('round-trips: document → canvas → document', () => {
    const { nodes, edges } = toFlow(alpacaGraph);
    expect(toGraph(nodes, edges)).toEqual(alpacaGraph);
  });

  it('fills in default ports, missing params and leaves unplaced nodes for the layout', () => {
    const graph: RecipeGraph = {
      nodes: [
        { id: 'a', type: 'samples', params: { key: 'identity' } },
        { id: 'b', type: 'split' },
      ],
      edges: [{ source: 'a', target: 'b' }],
    };
    const { nodes, edges, unplaced } = toFlow(graph);
    expect(unplaced).toEqual(['a', 'b']);
    expect(nodes[1]?.data.params).toEqual({});
    expect(edges[0]).toMatchObject({ sourceHandle: 'out', targetHandle: 'in' });
    expect(toGraph(nodes, edges).edges).toEqual([{ source: 'a', source_port: 'out', target: 'b', target_port: 'in' }]);
  });

  it('drops duplicate edges and rounds positions', () => {
    const graph: RecipeGraph = {
      nodes: [
        { id: 'a', type: 'samples', params: { key: 'identity' }, position: { x: 10.4, y: -3.6 } },
        { id: 'b', type: 'split', params: {}, position: { x: 0, y: 0 } },
      ],
      edges: [
        { source: 'a', target: 'b' },
        { source: 'a', source_port: 'out', target: 'b', target_port: 'in' },
      ],
    };
    const { nodes, edges } = toFlow(graph);
    expect(edges).toHaveLength(1);
    expect(toGraph(nodes, edges).nodes[0]?.position).toEqual({ x: 10, y: -4 });
  });

  it('leaves positions and labels out of what validation depends on', () => {
    const { nodes, edges } = toFlow(alpacaGraph);
    const moved = nodes.map((node) => ({ ...node, position: { x: node.position.x + 50, y: 7 } }));
    expect(JSON.stringify(semanticGraph(moved, edges))).toBe(JSON.stringify(semanticGraph(nodes, edges)));
    expect(semanticGraph(nodes, edges).nodes[2]).toEqual({
      id: 'keep',
      type: 'filter',
      params: { expression: 'turns(messages) >= 2' },
    });
  });

  it('compares a saved document with the canvas in one normal form', () => {
    const stored = structuredClone(alpacaGraph);
    stored.nodes[0]!.position = { x: 0.0, y: 0.2 };
    const { nodes, edges } = toFlow(alpacaGraph);
    expect(normalGraphJson(stored)).toBe(graphJson(nodes, edges));
  });
});
