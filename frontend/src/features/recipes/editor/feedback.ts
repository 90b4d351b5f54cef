import type { PreviewResult, ValidateResult } from '../../../api/types.gen';
import { edgeId } from '../graph/convert';
import type { Problem, RecipeFlowEdge, RecipeFlowNode } from '../graph/types';
import type { Feedback, NodeLive } from './store';

const EDGE_FIELD = /^edges\.(\d+)(?:\.|$)/;

function problemKey(problem: Problem): string {
  return `${problem.node_id ?? ''}|${problem.field}|${problem.message}`;
}

/** Validation's problems and the preview's (which also has those it met running), once each. */
function mergeProblems(...lists: Array<readonly Problem[] | undefined>): Problem[] {
  const seen = new Set<string>();
  const out: Problem[] = [];
  for (const list of lists) {
    for (const problem of list ?? []) {
      const key = problemKey(problem);
      if (seen.has(key)) continue;
      seen.add(key);
      out.push(problem);
    }
  }
  return out;
}

/** What the server said, per node and edge of the canvas: problems (an edge's problems are
 * named by its index, `edges.<i>`, in the graph that was checked, which is the canvas's order),
 * the preview's row counts, and the columns leaving each port. */
export function buildFeedback(
  nodes: readonly RecipeFlowNode[],
  edges: readonly RecipeFlowEdge[],
  validation: ValidateResult | undefined,
  preview: PreviewResult | undefined,
): Feedback {
  const ids = new Set(nodes.map((node) => node.id));
  const problems = mergeProblems(validation?.problems, preview?.problems, ...(preview?.nodes.map((node) => node.problems) ?? []));
  const live: Record<string, NodeLive> = {};
  const edgeProblems: Record<string, Problem[]> = {};
  const graphProblems: Problem[] = [];
  // Validation works the columns out from the schemas alone, so they are there before (and
  // where) the preview has not run; the preview's, read from real rows, win where both exist.
  const columns: Feedback['columns'] = Object.fromEntries(
    Object.entries(validation?.columns ?? {}).filter(([id]) => ids.has(id)),
  );
  const blank = (): NodeLive => ({
    problems: [],
    status: null,
    rowsIn: null,
    rowsOut: null,
    seconds: null,
    skippedBecause: null,
  });

  for (const node of preview?.nodes ?? []) {
    if (!ids.has(node.node_id)) continue;
    live[node.node_id] = {
      ...blank(),
      status: node.status,
      rowsIn: node.status === 'ok' ? (node.stats?.rows_in ?? null) : null,
      rowsOut: node.status === 'ok' ? (node.stats?.rows_out ?? null) : null,
      seconds: node.status === 'ok' ? (node.stats?.seconds ?? null) : null,
      skippedBecause: node.skipped_because ?? null,
    };
    if (node.outputs) {
      columns[node.node_id] = Object.fromEntries(Object.entries(node.outputs).map(([port, out]) => [port, out.columns]));
    }
  }
  for (const problem of problems) {
    const edgeIndex = EDGE_FIELD.exec(problem.field)?.[1];
    const edge = edgeIndex === undefined ? undefined : edges[Number(edgeIndex)];
    if (edge) {
      const id = edgeId(edge);
      (edgeProblems[id] ??= []).push(problem);
    }
    if (problem.node_id !== null && ids.has(problem.node_id)) {
      const entry = (live[problem.node_id] ??= blank());
      entry.problems.push(problem);
    } else if (!edge) {
      graphProblems.push(problem);
    }
  }
  return { live, edgeProblems, graphProblems, columns };
}
