import dagre from '@dagrejs/dagre';
import type { RecipeFlowEdge, RecipeFlowNode } from './types';

/** The size a node is drawn at before the canvas has measured it. */
export const NODE_WIDTH = 240;
export const NODE_HEIGHT = 120;

export type Positions = Map<string, { x: number; y: number }>;

/** Left-to-right layered layout (sources on the left, outputs on the right): the top-left
 * corner of every node. */
export function layoutPositions(nodes: readonly RecipeFlowNode[], edges: readonly RecipeFlowEdge[]): Positions {
  const graph = new dagre.graphlib.Graph();
  graph.setGraph({ rankdir: 'LR', nodesep: 36, ranksep: 72, marginx: 0, marginy: 0 });
  graph.setDefaultEdgeLabel(() => ({}));
  const size = new Map<string, { width: number; height: number }>();
  for (const node of nodes) {
    const width = node.measured?.width ?? node.width ?? NODE_WIDTH;
    const height = node.measured?.height ?? node.height ?? NODE_HEIGHT;
    size.set(node.id, { width, height });
    graph.setNode(node.id, { width, height });
  }
  for (const edge of edges) {
    if (size.has(edge.source) && size.has(edge.target)) graph.setEdge(edge.source, edge.target);
  }
  dagre.layout(graph);
  const positions: Positions = new Map();
  for (const node of nodes) {
    const placed = graph.node(node.id);
    const box = size.get(node.id);
    if (!placed || !box) continue;
    positions.set(node.id, { x: Math.round(placed.x - box.width / 2), y: Math.round(placed.y - box.height / 2) });
  }
  return positions;
}

/** The nodes moved to the given positions (the others kept as they are). */
export function applyPositions(nodes: readonly RecipeFlowNode[], positions: Positions): RecipeFlowNode[] {
  return nodes.map((node) => {
    const position = positions.get(node.id);
    return position ? { ...node, position } : node;
  });
}
