/** Reading a PreviewResult: a node's entry, whether a node has conversations (the training
 * view), and times as people read them. (The columns arriving at a node: editor/InspectorDock.) */
import type { NodePreview, PreviewResult } from '../../../api/types.gen';

export function nodePreviewOf(preview: PreviewResult | undefined, nodeId: string | null): NodePreview | undefined {
  if (!preview || nodeId === null) return undefined;
  return preview.nodes.find((node) => node.node_id === nodeId);
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
