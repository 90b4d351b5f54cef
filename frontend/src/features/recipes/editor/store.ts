import {
  applyEdgeChanges,
  applyNodeChanges,
  type Connection,
  type EdgeChange,
  type NodeChange,
} from '@xyflow/react';
import { createContext, useContext } from 'react';
import { createStore, type StoreApi, useStore } from 'zustand';
import type { ColumnInfo } from '../../../api/types.gen';
import { graphJson, makeEdge, makeNode, normalGraphJson, toFlow } from '../graph/convert';
import { cloneFragment, type Fragment, selectedFragment, uniqueId } from '../graph/ids';
import { applyPositions, layoutPositions } from '../graph/layout';
import type { NodeKind, Problem, RecipeFlowEdge, RecipeFlowNode, RecipeGraph, RecipeNodeData } from '../graph/types';

/** Steps of undo kept. */
export const HISTORY_LIMIT = 100;
/** Edits of the same field of the same node closer together than this are one undo step
 * (typing in the inspector is not undone a letter at a time). */
export const COALESCE_MS = 1000;
/** How far each paste moves the copy from the original. */
export const PASTE_OFFSET = 40;

export interface Snapshot {
  nodes: RecipeFlowNode[];
  edges: RecipeFlowEdge[];
}

/** What the server last said about a node: problems (validation and preview) and the
 * preview's row counts. */
export interface NodeLive {
  problems: Problem[];
  status: 'ok' | 'error' | 'skipped' | null;
  rowsIn: number | null;
  rowsOut: number | null;
  seconds: number | null;
  skippedBecause: string | null;
}

/** Rows seen by a node during a run (the job's progress details). */
export interface RunNodeProgress {
  rows_in?: number;
  rows_out?: number;
}

export interface Feedback {
  live: Record<string, NodeLive>;
  /** Problems of the whole graph, or of nodes and edges that are not on the canvas. */
  graphProblems: Problem[];
  /** Problems of edges, by edge id. */
  edgeProblems: Record<string, Problem[]>;
  /** Columns leaving each node's output ports in the latest preview. */
  columns: Record<string, Record<string, ColumnInfo[]>>;
}

export interface RecipeMeta {
  name: string;
  description: string;
}

export interface EditorActions {
  /** Replaces everything with a stored graph (history cleared); `saved`: it is what is saved. */
  load: (graph: RecipeGraph, meta: RecipeMeta, saved: { version: number } | null) => void;
  /** Puts another graph on the canvas as one undoable step (restoring a version). */
  replaceGraph: (graph: RecipeGraph) => void;
  onNodesChange: (changes: NodeChange<RecipeFlowNode>[]) => void;
  onEdgesChange: (changes: EdgeChange<RecipeFlowEdge>[]) => void;
  connect: (connection: Connection) => void;
  addNode: <K extends NodeKind>(kind: K, params: RecipeNodeData<K>['params'], position: { x: number; y: number }) => string;
  updateParams: (id: string, params: Record<string, unknown>) => void;
  updateLabel: (id: string, label: string | null) => void;
  deleteSelected: () => void;
  selectAll: () => void;
  selectNode: (id: string | null) => void;
  /** Copies the selection; returns how many nodes. */
  copy: () => number;
  /** Pastes the last copy with new ids; returns how many nodes. */
  paste: () => number;
  undo: () => void;
  redo: () => void;
  /** Remembers the canvas as an undo step before a drag moves nodes. */
  checkpoint: () => void;
  autoLayout: () => void;
  setMeta: (meta: Partial<RecipeMeta>) => void;
  markSaved: (json: string, meta: RecipeMeta, version: number) => void;
  setFeedback: (feedback: Feedback, stale: boolean) => void;
  setFeedbackStale: (stale: boolean) => void;
  setRunProgress: (progress: Record<string, RunNodeProgress> | null) => void;
  setConnectionHint: (hint: string | null) => void;
}

export interface EditorState extends Snapshot, Feedback, RecipeMeta {
  past: Snapshot[];
  future: Snapshot[];
  coalesce: { key: string; at: number } | null;
  /** Bumped by every change that is saved (not by selection or the frames of a drag). */
  revision: number;
  /** Bumped by every change validation and preview depend on (not positions or labels). */
  semanticRevision: number;
  clipboard: Fragment | null;
  pastes: number;
  saved: { json: string; meta: RecipeMeta; version: number } | null;
  dirty: boolean;
  feedbackStale: boolean;
  runProgress: Record<string, RunNodeProgress> | null;
  connectionHint: string | null;
  actions: EditorActions;
}

export type EditorStore = StoreApi<EditorState>;

const EMPTY_FEEDBACK: Feedback = { live: {}, graphProblems: [], edgeProblems: {}, columns: {} };

function isDirty(state: Pick<EditorState, 'nodes' | 'edges' | 'saved' | 'name' | 'description'>): boolean {
  const { saved } = state;
  if (!saved) return true;
  if (saved.meta.name !== state.name || saved.meta.description !== state.description) return true;
  return graphJson(state.nodes, state.edges) !== saved.json;
}

/** Reuses the previous object of a node whose live state did not change, so its component
 * does not render again. */
function stableLive(previous: Record<string, NodeLive>, next: Record<string, NodeLive>): Record<string, NodeLive> {
  const out: Record<string, NodeLive> = {};
  for (const [id, value] of Object.entries(next)) {
    const before = previous[id];
    out[id] = before && JSON.stringify(before) === JSON.stringify(value) ? before : value;
  }
  return out;
}

function flowOf(graph: RecipeGraph): Snapshot {
  const flow = toFlow(graph);
  if (flow.unplaced.length === 0) return { nodes: flow.nodes, edges: flow.edges };
  return { nodes: applyPositions(flow.nodes, layoutPositions(flow.nodes, flow.edges)), edges: flow.edges };
}

export function createEditorStore(meta: RecipeMeta = { name: '', description: '' }): EditorStore {
  return createStore<EditorState>()((set, get) => {
    /** Applies a change as one undo step (merged with the previous one when `coalesce` names
     * the same field within COALESCE_MS). */
    const commit = (
      produce: (current: Snapshot) => Snapshot,
      options: { coalesce?: string; semantic?: boolean } = {},
    ) => {
      const state = get();
      const current: Snapshot = { nodes: state.nodes, edges: state.edges };
      const next = produce(current);
      if (next.nodes === current.nodes && next.edges === current.edges) return;
      const now = Date.now();
      const merge =
        options.coalesce !== undefined &&
        state.coalesce?.key === options.coalesce &&
        now - state.coalesce.at < COALESCE_MS;
      const past = merge ? state.past : [...state.past, current].slice(-HISTORY_LIMIT);
      const changed = {
        ...next,
        past,
        future: [],
        coalesce: options.coalesce !== undefined ? { key: options.coalesce, at: now } : null,
        revision: state.revision + 1,
        semanticRevision: state.semanticRevision + (options.semantic === false ? 0 : 1),
      };
      set({ ...changed, dirty: isDirty({ ...state, ...changed }) });
    };

    /** A change that is not an undo step (selection, a drag in progress, sizes). */
    const quiet = (next: Partial<Snapshot>, bump: boolean) => {
      const state = get();
      if (!bump) {
        set(next);
        return;
      }
      const merged = { ...state, ...next };
      set({ ...next, revision: state.revision + 1, dirty: isDirty(merged) });
    };

    const travel = (from: 'past' | 'future') => {
      const state = get();
      const stack = state[from];
      const target = stack[stack.length - 1];
      if (!target) return;
      const current: Snapshot = { nodes: state.nodes, edges: state.edges };
      const rest = stack.slice(0, -1);
      const stacks =
        from === 'past' ? { past: rest, future: [...state.future, current] } : { past: [...state.past, current], future: rest };
      const changed = {
        nodes: target.nodes,
        edges: target.edges,
        ...stacks,
        coalesce: null,
        revision: state.revision + 1,
        semanticRevision: state.semanticRevision + 1,
      };
      set({ ...changed, dirty: isDirty({ ...state, ...changed }) });
    };

    const setNodeData = (id: string, patch: (data: RecipeNodeData) => RecipeNodeData, coalesce: string, semantic: boolean) =>
      commit(
        (current) => {
          const index = current.nodes.findIndex((node) => node.id === id);
          const node = current.nodes[index];
          if (!node) return current;
          const nodes = current.nodes.slice();
          nodes[index] = { ...node, data: patch(node.data) } as RecipeFlowNode;
          return { nodes, edges: current.edges };
        },
        { coalesce, semantic },
      );

    const actions: EditorActions = {
      load: (graph, loadedMeta, saved) => {
        const flow = flowOf(graph);
        const json = saved ? normalGraphJson(graph) : '';
        const state = get();
        set({
          ...flow,
          ...loadedMeta,
          past: [],
          future: [],
          coalesce: null,
          revision: state.revision + 1,
          semanticRevision: state.semanticRevision + 1,
          saved: saved ? { json, meta: loadedMeta, version: saved.version } : null,
          dirty: saved ? graphJson(flow.nodes, flow.edges) !== json : true,
          ...EMPTY_FEEDBACK,
          runProgress: null,
        });
      },
      replaceGraph: (graph) => commit(() => flowOf(graph)),
      onNodesChange: (changes) => {
        const removing = changes.some((change) => change.type === 'remove' || change.type === 'add' || change.type === 'replace');
        if (removing) {
          commit((current) => {
            const nodes = applyNodeChanges(changes, current.nodes);
            const ids = new Set(nodes.map((node) => node.id));
            return { nodes, edges: current.edges.filter((edge) => ids.has(edge.source) && ids.has(edge.target)) };
          });
          return;
        }
        // A drag reports every frame with `dragging: true` and ends with `dragging: false`;
        // only the end is a change worth comparing with what was saved.
        const moved = changes.some((change) => change.type === 'position' && change.position && !change.dragging);
        quiet({ nodes: applyNodeChanges(changes, get().nodes) }, moved);
      },
      onEdgesChange: (changes) => {
        if (changes.some((change) => change.type !== 'select')) {
          commit((current) => ({ nodes: current.nodes, edges: applyEdgeChanges(changes, current.edges) }));
          return;
        }
        quiet({ edges: applyEdgeChanges(changes, get().edges) }, false);
      },
      connect: (connection) => {
        const { source, target, sourceHandle, targetHandle } = connection;
        if (!sourceHandle || !targetHandle) return;
        const edge = makeEdge({ source, target, sourceHandle, targetHandle });
        commit((current) =>
          current.edges.some((existing) => existing.id === edge.id)
            ? current
            : { nodes: current.nodes, edges: [...current.edges, edge] },
        );
      },
      addNode: (kind, params, position) => {
        const id = uniqueId(kind, new Set(get().nodes.map((node) => node.id)));
        const node = { ...makeNode(kind, id, params, position), selected: true } as RecipeFlowNode;
        commit((current) => ({
          nodes: [...current.nodes.map((other) => (other.selected ? { ...other, selected: false } : other)), node],
          edges: current.edges.map((edge) => (edge.selected ? { ...edge, selected: false } : edge)),
        }));
        return id;
      },
      updateParams: (id, params) =>
        setNodeData(id, (data) => ({ ...data, params }) as RecipeNodeData, `params:${id}`, true),
      updateLabel: (id, label) => setNodeData(id, (data) => ({ ...data, label: label || null }), `label:${id}`, false),
      deleteSelected: () =>
        commit((current) => {
          const gone = new Set(current.nodes.filter((node) => node.selected).map((node) => node.id));
          const edges = current.edges.filter(
            (edge) => !edge.selected && !gone.has(edge.source) && !gone.has(edge.target),
          );
          if (gone.size === 0 && edges.length === current.edges.length) return current;
          return { nodes: current.nodes.filter((node) => !gone.has(node.id)), edges };
        }),
      selectAll: () =>
        quiet(
          {
            nodes: get().nodes.map((node) => (node.selected ? node : { ...node, selected: true })),
            edges: get().edges.map((edge) => (edge.selected ? edge : { ...edge, selected: true })),
          },
          false,
        ),
      selectNode: (id) =>
        quiet(
          {
            nodes: get().nodes.map((node) =>
              Boolean(node.selected) === (node.id === id) ? node : { ...node, selected: node.id === id },
            ),
            edges: get().edges.map((edge) => (edge.selected ? { ...edge, selected: false } : edge)),
          },
          false,
        ),
      copy: () => {
        const state = get();
        const fragment = selectedFragment(state.nodes, state.edges);
        if (fragment.nodes.length === 0) return 0;
        set({ clipboard: structuredClone(fragment), pastes: 0 });
        return fragment.nodes.length;
      },
      paste: () => {
        const { clipboard, pastes } = get();
        if (!clipboard || clipboard.nodes.length === 0) return 0;
        const step = PASTE_OFFSET * (pastes + 1);
        commit((current) => {
          const copy = cloneFragment(clipboard, new Set(current.nodes.map((node) => node.id)), { x: step, y: step });
          return {
            nodes: [...current.nodes.map((node) => (node.selected ? { ...node, selected: false } : node)), ...copy.nodes],
            edges: [...current.edges.map((edge) => (edge.selected ? { ...edge, selected: false } : edge)), ...copy.edges],
          };
        });
        set({ pastes: pastes + 1 });
        return clipboard.nodes.length;
      },
      undo: () => travel('past'),
      redo: () => travel('future'),
      checkpoint: () => {
        const state = get();
        set({ past: [...state.past, { nodes: state.nodes, edges: state.edges }].slice(-HISTORY_LIMIT), future: [], coalesce: null });
      },
      autoLayout: () =>
        commit((current) => ({ nodes: applyPositions(current.nodes, layoutPositions(current.nodes, current.edges)), edges: current.edges }), {
          semantic: false,
        }),
      setMeta: (next) => {
        const state = get();
        const merged = { ...state, ...next };
        set({ ...next, dirty: isDirty(merged) });
      },
      markSaved: (json, savedMeta, version) => {
        const state = get();
        const saved = { json, meta: savedMeta, version };
        set({ saved, dirty: isDirty({ ...state, saved }) });
      },
      setFeedback: (feedback, stale) =>
        set((state) => ({ ...feedback, live: stableLive(state.live, feedback.live), feedbackStale: stale })),
      setFeedbackStale: (stale) => {
        if (get().feedbackStale !== stale) set({ feedbackStale: stale });
      },
      setRunProgress: (runProgress) => set({ runProgress }),
      setConnectionHint: (connectionHint) => set({ connectionHint }),
    };

    return {
      nodes: [],
      edges: [],
      ...meta,
      ...EMPTY_FEEDBACK,
      past: [],
      future: [],
      coalesce: null,
      revision: 0,
      semanticRevision: 0,
      clipboard: null,
      pastes: 0,
      saved: null,
      dirty: true,
      feedbackStale: false,
      runProgress: null,
      connectionHint: null,
      actions,
    };
  });
}

export const EditorStoreContext = createContext<EditorStore | null>(null);

export function useEditorStore(): EditorStore {
  const store = useContext(EditorStoreContext);
  if (!store) throw new Error('useEditorStore needs an EditorStoreContext provider');
  return store;
}

/** A slice of the editor's state; the component renders again only when the slice changes. */
export function useEditor<T>(selector: (state: EditorState) => T): T {
  return useStore(useEditorStore(), selector);
}

export function useEditorActions(): EditorActions {
  return useEditor((state) => state.actions);
}

/** The one node selected, or null (none, or several). */
export function selectedNodeId(state: Pick<EditorState, 'nodes'>): string | null {
  let found: string | null = null;
  for (const node of state.nodes) {
    if (!node.selected) continue;
    if (found !== null) return null;
    found = node.id;
  }
  return found;
}
