/** Reading a PreviewResult: a node's entry, the columns arriving at a node (what the inspector
 * offers in column fields and completion), whether a node has conversations (the training
 * view), and times as people read them. */
import type { ColumnInfo, NodePreview, PortPreview, PreviewResult } from '../../../api/types.gen';

/** An edge as the graph document has it (only the fields read here). */
export interface EdgeLike {
  source: string;
  source_port?: string | null;
  target: string;
  target_port?: string | null;
}

export function nodePreviewOf(preview: PreviewResult | undefined, nodeId: string | null): NodePreview | undefined {
  if (!preview || nodeId === null) return undefined;
  return preview.nodes.find((node) => node.node_id === nodeId);
}

/** The port an edge leaves from: its source_port, else `out`, else the node's only port. */
function portOf(node: NodePreview, sourcePort: string | null | undefined): PortPreview | undefined {
  const outputs = node.outputs ?? {};
  if (sourcePort) return outputs[sourcePort];
  if (outputs.out) return outputs.out;
  const ports = Object.values(outputs);
  return ports.length === 1 ? ports[0] : undefined;
}

/** The columns arriving at `nodeId` over its incoming edges, from the last preview: each
 * upstream node's columns on the port the edge leaves from, merged by name in edge order (the
 * first type wins). Empty when nothing upstream has run yet (a new or skipped node). */
export function columnsArriving(preview: PreviewResult | undefined, nodeId: string, edges: readonly EdgeLike[]): ColumnInfo[] {
  if (!preview) return [];
  const seen = new Map<string, ColumnInfo>();
  for (const edge of edges) {
    if (edge.target !== nodeId) continue;
    const source = nodePreviewOf(preview, edge.source);
    const port = source ? portOf(source, edge.source_port) : undefined;
    for (const column of port?.columns ?? []) {
      if (!seen.has(column.name)) seen.set(column.name, { name: column.name, type: column.type });
    }
  }
  return [...seen.values()];
}

/** The first conversation column of a node's output (the one the training view renders:
 * `messages` when there is one), with its port; null when it has none. */
export function messagesColumnOf(node: NodePreview | undefined): { port: string; column: string } | null {
  if (!node) return null;
  for (const [port, output] of Object.entries(node.outputs ?? {})) {
    const names = output.columns.filter((column) => column.type === 'messages').map((column) => column.name);
    if (names.length > 0) return { port, column: names.includes('messages') ? 'messages' : (names[0] ?? '') };
  }
  return null;
}

/** 0.00042 → "0.4 ms"; 0.012 → "12 ms"; 1.234 → "1.23 s"; 42.1 → "42.1 s". */
export function formatSeconds(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return '—';
  if (seconds < 0.001) return seconds === 0 ? '0 ms' : `${(seconds * 1000).toFixed(1)} ms`;
  if (seconds < 1) return `${Math.round(seconds * 1000)} ms`;
  if (seconds < 10) return `${seconds.toFixed(2)} s`;
  return `${seconds.toFixed(1)} s`;
}

export const STATUS_LABELS: Record<NodePreview['status'], string> = {
  ok: 'Ran',
  error: 'Has problems',
  skipped: 'Skipped',
};

export const STATUS_COLORS: Record<NodePreview['status'], string> = {
  ok: 'teal',
  error: 'red',
  skipped: 'gray',
};
