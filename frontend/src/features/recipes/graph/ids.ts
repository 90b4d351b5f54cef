import { makeEdge } from './convert';
import type { RecipeFlowEdge, RecipeFlowNode } from './types';

/** A readable id (`filter`, `filter_2`, …) not in `taken`, of the characters node ids may have. */
export function uniqueId(base: string, taken: ReadonlySet<string>): string {
  const clean = base.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 56) || 'node';
  const stem = clean.replace(/_\d+$/, '') || clean;
  if (!taken.has(stem)) return stem;
  for (let n = 2; ; n += 1) {
    const id = `${stem}_${n}`;
    if (!taken.has(id)) return id;
  }
}

export interface Fragment {
  nodes: RecipeFlowNode[];
  edges: RecipeFlowEdge[];
}

/** The selected nodes and the edges between them (what copy takes). */
export function selectedFragment(nodes: readonly RecipeFlowNode[], edges: readonly RecipeFlowEdge[]): Fragment {
  const picked = nodes.filter((node) => node.selected);
  const ids = new Set(picked.map((node) => node.id));
  return { nodes: picked, edges: edges.filter((edge) => ids.has(edge.source) && ids.has(edge.target)) };
}

/** Renames the keys of a mix node's weights (`node` or `node.port`) after its upstream nodes
 * were given new ids. */
function renameWeights(weights: Record<string, number>, ids: ReadonlyMap<string, string>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [key, value] of Object.entries(weights)) {
    const [node = '', ...port] = key.split('.');
    const renamed = ids.get(node);
    out[renamed ? [renamed, ...port].join('.') : key] = value;
  }
  return out;
}

/** A copy of a fragment to paste: every node gets a new id not in `taken` (edges and mix
 * weights follow), moves by `offset`, and is the new selection. */
export function cloneFragment(
  fragment: Fragment,
  taken: ReadonlySet<string>,
  offset: { x: number; y: number },
): Fragment & { ids: Map<string, string> } {
  const used = new Set(taken);
  const ids = new Map<string, string>();
  for (const node of fragment.nodes) {
    const id = uniqueId(node.id, used);
    used.add(id);
    ids.set(node.id, id);
  }
  const nodes = fragment.nodes.map((node): RecipeFlowNode => {
    const copy = {
      ...node,
      id: ids.get(node.id) as string,
      position: { x: node.position.x + offset.x, y: node.position.y + offset.y },
      selected: true,
      dragging: false,
      data: structuredClone(node.data),
    } as RecipeFlowNode;
    if (copy.data.kind === 'mix' && copy.data.params.weights) {
      copy.data.params.weights = renameWeights(copy.data.params.weights, ids);
    }
    return copy;
  });
  const edges = fragment.edges.flatMap((edge) => {
    const source = ids.get(edge.source);
    const target = ids.get(edge.target);
    if (!source || !target) return [];
    return [{ ...makeEdge({ source, target, sourceHandle: edge.sourceHandle, targetHandle: edge.targetHandle }), selected: true }];
  });
  return { nodes, edges, ids };
}
