import type { GraphNode, NodeKind, RecipeEdge, RecipeFlowEdge, RecipeFlowNode, RecipeGraph, RecipeNodeData } from './types';

export const SCHEMA_VERSION = 1;
/** Port names the API assumes when an edge leaves them out. */
export const DEFAULT_SOURCE_PORT = 'out';
export const DEFAULT_TARGET_PORT = 'in';

interface EdgeEnds {
  source: string;
  sourceHandle: string;
  target: string;
  targetHandle: string;
}

/** One id per port-to-port connection: two edges between the same ports are the same edge. */
export function edgeId({ source, sourceHandle, target, targetHandle }: EdgeEnds): string {
  return `${source}.${sourceHandle}->${target}.${targetHandle}`;
}

export function makeEdge(ends: EdgeEnds): RecipeFlowEdge {
  return { id: edgeId(ends), ...ends };
}

/** A canvas node for one node of a given kind (the one place the kind and its params are joined). */
export function makeNode<K extends NodeKind>(
  kind: K,
  id: string,
  params: RecipeNodeData<K>['params'],
  position: { x: number; y: number },
  label: string | null = null,
): RecipeFlowNode {
  return { id, type: kind, position, data: { kind, params, label } } as RecipeFlowNode;
}

export interface FlowGraph {
  nodes: RecipeFlowNode[];
  edges: RecipeFlowEdge[];
  /** Ids of the nodes the document gave no position (they need a layout). */
  unplaced: string[];
}

/** The graph document (as the API stores it) as canvas nodes and edges. */
export function toFlow(graph: RecipeGraph): FlowGraph {
  const unplaced: string[] = [];
  const nodes = graph.nodes.map((node) => {
    if (!node.position) unplaced.push(node.id);
    const position = node.position ? { x: node.position.x, y: node.position.y } : { x: 0, y: 0 };
    const params = (node.params ?? {}) as RecipeNodeData['params'];
    return makeNode(node.type, node.id, params, position, node.label ?? null);
  });
  const edges = (graph.edges ?? []).map((edge) =>
    makeEdge({
      source: edge.source,
      sourceHandle: edge.source_port ?? DEFAULT_SOURCE_PORT,
      target: edge.target,
      targetHandle: edge.target_port ?? DEFAULT_TARGET_PORT,
    }),
  );
  return { nodes, edges: dedupeEdges(edges), unplaced };
}

function dedupeEdges(edges: RecipeFlowEdge[]): RecipeFlowEdge[] {
  const seen = new Set<string>();
  return edges.filter((edge) => (seen.has(edge.id) ? false : (seen.add(edge.id), true)));
}

/** `full`: with the position and label, which only the editor uses. */
function toGraphNode(node: RecipeFlowNode, full: boolean): GraphNode {
  const { kind, params, label } = node.data;
  const out: Record<string, unknown> = { id: node.id, type: kind, params };
  if (full) {
    out.position = { x: Math.round(node.position.x), y: Math.round(node.position.y) };
    if (label) out.label = label;
  }
  return out as GraphNode;
}

function toGraphEdge(edge: RecipeFlowEdge): RecipeEdge {
  return { source: edge.source, source_port: edge.sourceHandle, target: edge.target, target_port: edge.targetHandle };
}

/** The canvas as the graph document the API saves (positions rounded to whole pixels). */
export function toGraph(nodes: readonly RecipeFlowNode[], edges: readonly RecipeFlowEdge[]): RecipeGraph {
  return {
    schema_version: SCHEMA_VERSION,
    nodes: nodes.map((node) => toGraphNode(node, true)),
    edges: edges.map(toGraphEdge),
  };
}

/** What validation and preview depend on: the graph without positions and labels, so moving
 * or renaming a node asks the server nothing. */
export function semanticGraph(nodes: readonly RecipeFlowNode[], edges: readonly RecipeFlowEdge[]): RecipeGraph {
  return {
    schema_version: SCHEMA_VERSION,
    nodes: nodes.map((node) => toGraphNode(node, false)),
    edges: edges.map(toGraphEdge),
  };
}

/** The document as one string, to compare a canvas with what was saved. */
export function graphJson(nodes: readonly RecipeFlowNode[], edges: readonly RecipeFlowEdge[]): string {
  return JSON.stringify(toGraph(nodes, edges));
}

/** A stored document in the same normal form as `graphJson` of the canvas it loads into. */
export function normalGraphJson(graph: RecipeGraph): string {
  const flow = toFlow(graph);
  return graphJson(flow.nodes, flow.edges);
}
