import type { ColumnInfo } from '../../../api/types.gen';
import type { NodeTypeMap, PortInfo, RecipeFlowEdge, RecipeFlowNode } from './types';

export interface ConnectionRequest {
  source: string;
  target: string;
  sourceHandle?: string | null;
  targetHandle?: string | null;
}

export type ConnectionCheck = { ok: true } | { ok: false; reason: string };

export interface ConnectionContext {
  nodes: readonly Pick<RecipeFlowNode, 'id' | 'type'>[];
  edges: readonly Pick<RecipeFlowEdge, 'source' | 'target' | 'sourceHandle' | 'targetHandle'>[];
  types: NodeTypeMap;
  /** The columns known to leave a node's output port (from the latest preview); undefined when
   * not known, which never refuses a connection. */
  columnsOf?: (nodeId: string, port: string) => readonly ColumnInfo[] | undefined;
}

const OK: ConnectionCheck = { ok: true };
const refuse = (reason: string): ConnectionCheck => ({ ok: false, reason });

/** Whether `to` can be reached from `from` following edges downstream. */
export function reaches(edges: ConnectionContext['edges'], from: string, to: string): boolean {
  const downstream = new Map<string, string[]>();
  for (const edge of edges) {
    const list = downstream.get(edge.source);
    if (list) list.push(edge.target);
    else downstream.set(edge.source, [edge.target]);
  }
  const seen = new Set<string>([from]);
  const queue = [from];
  while (queue.length) {
    const id = queue.shift() as string;
    if (id === to) return true;
    for (const next of downstream.get(id) ?? []) {
      if (!seen.has(next)) {
        seen.add(next);
        queue.push(next);
      }
    }
  }
  return false;
}

const kindList = (kinds: readonly string[]) => kinds.join(' or ');

/** Why an output port's rows do not fit an input port, or null when they may. `any` on either
 * side fits; an upstream that declares only `any` is judged by its known columns, if any. */
export function kindMismatch(
  output: PortInfo,
  input: PortInfo,
  columns: readonly ColumnInfo[] | undefined,
): string | null {
  const wanted = input.kinds.filter((kind) => kind !== 'any');
  if (wanted.length < input.kinds.length || wanted.length === 0) return null;
  if (output.kinds.some((kind) => kind !== 'any' && (wanted as string[]).includes(kind))) return null;
  if (output.kinds.includes('any')) {
    if (columns === undefined) return null;
    if (columns.some((column) => (wanted as string[]).includes(column.type))) return null;
    const have = columns.length ? columns.map((column) => `${column.name}: ${column.type}`).join(', ') : 'no columns';
    return `it needs ${kindList(wanted)} data and the rows have none (${have})`;
  }
  return `it needs ${kindList(wanted)} data and ${output.name} carries ${kindList(output.kinds)}`;
}

/** The rules a new edge must meet: no self-loop, no cycle, no second edge into an input that
 * takes one, no duplicate, existing ports, and kinds that fit. */
export function checkConnection(connection: ConnectionRequest, context: ConnectionContext): ConnectionCheck {
  const { source, target } = connection;
  const sourcePort = connection.sourceHandle ?? null;
  const targetPort = connection.targetHandle ?? null;
  if (!source || !target || sourcePort === null || targetPort === null) return refuse('Connect an output port to an input port.');
  if (source === target) return refuse(`A node cannot feed itself (${source}).`);
  const sourceNode = context.nodes.find((node) => node.id === source);
  const targetNode = context.nodes.find((node) => node.id === target);
  if (!sourceNode || !targetNode) return refuse('Both ends must be nodes of this recipe.');
  const sourceType = context.types.get(sourceNode.type);
  const targetType = context.types.get(targetNode.type);
  const output = sourceType?.outputs.find((port) => port.name === sourcePort);
  const input = targetType?.inputs.find((port) => port.name === targetPort);
  if (sourceType && !output) return refuse(`${source} has no output port ${sourcePort}.`);
  if (targetType && !input) return refuse(`${target} has no input port ${targetPort}.`);

  const arriving = context.edges.filter((edge) => edge.target === target && edge.targetHandle === targetPort);
  if (arriving.some((edge) => edge.source === source && edge.sourceHandle === sourcePort)) {
    return refuse(`${source}.${sourcePort} is already connected to ${target}.${targetPort}.`);
  }
  if (input && !input.multiple && arriving.length > 0) {
    return refuse(`${target}.${targetPort} already has an input (from ${arriving[0]?.source}); delete that edge first.`);
  }
  if (reaches(context.edges, target, source)) {
    return refuse(`Connecting ${source} to ${target} would make a cycle.`);
  }
  if (output && input) {
    const mismatch = kindMismatch(output, input, context.columnsOf?.(source, sourcePort));
    if (mismatch) return refuse(`${target}.${targetPort} does not fit ${source}.${sourcePort}: ${mismatch}.`);
  }
  return OK;
}
