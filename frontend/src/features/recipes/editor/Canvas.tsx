import { useComputedColorScheme } from '@mantine/core';
import {
  Background,
  type Connection,
  Controls,
  type FinalConnectionState,
  MiniMap,
  Panel,
  ReactFlow,
  useReactFlow,
} from '@xyflow/react';
import { type DragEvent, useCallback, useEffect, useMemo, useState } from 'react';
import { checkConnection, type ConnectionRequest } from '../graph/connection';
import { NODE_KIND_GROUPS, type RecipeFlowEdge, type RecipeFlowNode } from '../graph/types';
import { groupMeta } from './groups';
import { useNodeTypeMap } from './nodeTypesContext';
import { NODE_DRAG_TYPE } from './Palette';
import { nodeTypes, shortMessage } from './RecipeNode';
import { useEditor, useEditorActions, useEditorStore } from './store';

/** How long a refused connection's reason stays on screen. */
const HINT_MS = 6000;

interface CanvasProps {
  /** Adds a node of `type` with its top-left corner at a canvas position. */
  onAddNode: (type: string, position: { x: number; y: number }) => void;
}

function minimapColor(node: RecipeFlowNode): string {
  return `var(--mantine-color-${groupMeta(NODE_KIND_GROUPS[node.data.kind]).color}-5)`;
}

/** The request a finished connection gesture made, whichever end it started from. */
function requestOf(state: FinalConnectionState): ConnectionRequest | null {
  const { fromHandle, toHandle, fromNode, toNode } = state;
  if (!fromHandle || !toHandle || !fromNode || !toNode) return null;
  return fromHandle.type === 'source'
    ? { source: fromNode.id, sourceHandle: fromHandle.id, target: toNode.id, targetHandle: toHandle.id }
    : { source: toNode.id, sourceHandle: toHandle.id, target: fromNode.id, targetHandle: fromHandle.id };
}

export function Canvas({ onAddNode }: CanvasProps) {
  const store = useEditorStore();
  const nodes = useEditor((state) => state.nodes);
  const edges = useEditor((state) => state.edges);
  const edgeProblems = useEditor((state) => state.edgeProblems);
  const hint = useEditor((state) => state.connectionHint);
  const stale = useEditor((state) => state.feedbackStale);
  const actions = useEditorActions();
  const types = useNodeTypeMap();
  const { screenToFlowPosition } = useReactFlow();
  const colorMode = useComputedColorScheme('light');
  // Fit a loaded graph in view once; an empty canvas keeps its zoom (React Flow would otherwise
  // fit the first node dropped on it).
  const [fitOnLoad] = useState(() => store.getState().nodes.length > 0);

  const shownEdges = useMemo(
    () =>
      edges.map((edge): RecipeFlowEdge => {
        const problems = edgeProblems[edge.id];
        if (!problems?.length) return edge;
        const message = shortMessage(problems[0]?.message ?? '', edge.target);
        return { ...edge, className: 'recipe-edge-error', label: message, ariaLabel: `Edge with a problem: ${message}` };
      }),
    [edges, edgeProblems],
  );

  const check = useCallback(
    (connection: ConnectionRequest) => {
      const state = store.getState();
      return checkConnection(connection, {
        nodes: state.nodes,
        edges: state.edges,
        types,
        columnsOf: (id, port) => state.columns[id]?.[port],
      });
    },
    [store, types],
  );

  const isValidConnection = useCallback((connection: RecipeFlowEdge | Connection) => check(connection).ok, [check]);

  const onConnectEnd = useCallback(
    (_event: MouseEvent | TouchEvent, state: FinalConnectionState) => {
      if (state.isValid !== false) return;
      const request = requestOf(state);
      if (!request) return;
      const result = check(request);
      if (!result.ok) actions.setConnectionHint(result.reason);
    },
    [check, actions],
  );

  useEffect(() => {
    if (!hint) return undefined;
    const timer = setTimeout(() => actions.setConnectionHint(null), HINT_MS);
    return () => clearTimeout(timer);
  }, [hint, actions]);

  const onDragOver = useCallback((event: DragEvent) => {
    if (!event.dataTransfer.types.includes(NODE_DRAG_TYPE)) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = 'move';
  }, []);

  const onDrop = useCallback(
    (event: DragEvent) => {
      const type = event.dataTransfer.getData(NODE_DRAG_TYPE);
      if (!type) return;
      event.preventDefault();
      const point = screenToFlowPosition({ x: event.clientX, y: event.clientY });
      onAddNode(type, { x: point.x - 40, y: point.y - 20 });
    },
    [screenToFlowPosition, onAddNode],
  );

  return (
    <div className="recipe-canvas" data-stale={stale ? 'true' : undefined} data-testid="recipe-canvas">
      <ReactFlow<RecipeFlowNode, RecipeFlowEdge>
        nodes={nodes}
        edges={shownEdges}
        nodeTypes={nodeTypes}
        onNodesChange={actions.onNodesChange}
        onEdgesChange={actions.onEdgesChange}
        onConnect={actions.connect}
        isValidConnection={isValidConnection}
        onConnectEnd={onConnectEnd}
        onNodeDragStart={actions.checkpoint}
        onSelectionDragStart={actions.checkpoint}
        onDragOver={onDragOver}
        onDrop={onDrop}
        deleteKeyCode={null}
        selectionKeyCode="Shift"
        multiSelectionKeyCode={['Meta', 'Control']}
        fitView={fitOnLoad}
        fitViewOptions={{ padding: 0.2, maxZoom: 1.1 }}
        minZoom={0.1}
        maxZoom={2}
        colorMode={colorMode}
        defaultEdgeOptions={{ type: 'smoothstep' }}
        proOptions={{ hideAttribution: false }}
        aria-label="Recipe canvas"
      >
        <Background gap={20} />
        <MiniMap pannable zoomable nodeColor={minimapColor} ariaLabel="Minimap of the recipe" style={{ width: 160, height: 100 }} />
        <Controls showInteractive={false} aria-label="Zoom controls" />
        {nodes.length === 0 ? (
          <Panel position="top-center" className="recipe-canvas-empty" data-testid="canvas-empty">
            Drag a node from the palette onto the canvas to start: a source (your dataset, a sample or typed
            rows), then transforms, then an output dataset.
          </Panel>
        ) : null}
        <Panel position="bottom-center" className="recipe-connection-hint">
          {/* Always there, so screen readers announce a refused connection. */}
          <div role="status" aria-live="polite" data-testid="connection-hint">
            {hint ?? ''}
          </div>
        </Panel>
      </ReactFlow>
    </div>
  );
}
