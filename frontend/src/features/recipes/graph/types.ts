import type { Edge, Node } from '@xyflow/react';
import type {
  LatheRecipesProblemsProblem,
  NodeTypeInfo,
  PortInfo,
  RecipeGraph,
  Edge as RecipeEdge,
} from '../../../api/types.gen';

/** A problem the server found in a graph (validation, preview or a refused save). */
export type Problem = LatheRecipesProblemsProblem;
export type { NodeTypeInfo, PortInfo, RecipeEdge, RecipeGraph };

/** One node of the graph document, a union discriminated by `type` (generated from the API). */
export type GraphNode = RecipeGraph['nodes'][number];
export type NodeKind = GraphNode['type'];
/** The params of one node type, as the API declares them. */
export type ParamsOf<K extends NodeKind> = NonNullable<Extract<GraphNode, { type: K }>['params']>;

/** What a canvas node carries: its kind and params, typed together (a discriminated union). */
export type RecipeNodeData<K extends NodeKind = NodeKind> = K extends NodeKind
  ? { kind: K; params: ParamsOf<K>; label: string | null }
  : never;

/** A canvas node: its React Flow `type` is the recipe node type, and its data matches it. */
export type RecipeFlowNode = { [K in NodeKind]: Node<RecipeNodeData<K>, K> }[NodeKind];

/** A canvas edge joins two ports: the handles are the port names. */
export type RecipeFlowEdge = Edge<Record<string, never>> & { sourceHandle: string; targetHandle: string };

/** Every node type the API's schema declares, with its group (for the palette and colours).
 * A Record, so that a type added to the API fails to compile until it is listed here. */
export const NODE_KIND_GROUPS: Record<NodeKind, NodeTypeInfo['group']> = {
  dataset: 'source',
  samples: 'source',
  inline: 'source',
  to_messages: 'transform',
  template: 'transform',
  filter: 'transform',
  select: 'transform',
  rename: 'transform',
  drop: 'transform',
  system_prompt: 'transform',
  dedupe: 'transform',
  token_length: 'transform',
  sample: 'transform',
  split: 'transform',
  mix: 'transform',
  generate: 'generate',
  judge: 'generate',
  output: 'output',
};

export const NODE_KINDS = Object.keys(NODE_KIND_GROUPS) as NodeKind[];

export function isNodeKind(value: unknown): value is NodeKind {
  return typeof value === 'string' && Object.hasOwn(NODE_KIND_GROUPS, value);
}

/** Node types by their `type`, as GET /api/recipes/node-types lists them. */
export type NodeTypeMap = ReadonlyMap<string, NodeTypeInfo>;

export function nodeTypeMap(types: readonly NodeTypeInfo[]): NodeTypeMap {
  return new Map(types.map((info) => [info.type, info]));
}
