import '@xyflow/react/dist/style.css';
import '../recipes.css';
import { ReactFlowProvider, useReactFlow } from '@xyflow/react';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { NodeTypeInfo, RecipeDetail, TrainingViewRequest } from '../../../api/types.gen';
import { isActive } from '../../jobs/status';
import { defaultParams } from '../graph/defaults';
import { isNodeKind, nodeTypeMap, type RecipeNodeData } from '../graph/types';
import { PreviewPanel } from '../preview/PreviewPanel';
import { Canvas } from './Canvas';
import { InspectorDock } from './InspectorDock';
import { NodeTypesContext, useNodeTypeMap } from './nodeTypesContext';
import { Palette } from './Palette';
import { RunPanel } from './RunPanel';
import { useEditorShortcuts } from './shortcuts';
import { EditorStoreContext, type EditorStore, selectedNodeId, useEditor } from './store';
import { Toolbar } from './Toolbar';
import { UnsavedChangesGuard } from './UnsavedChangesGuard';
import { useLiveFeedback } from './useLiveFeedback';
import { runNodeProgress, useRecipeRun } from './useRecipeRun';
import { useRecipeSaver } from './useRecipeSaver';

interface RecipeEditorProps {
  store: EditorStore;
  /** null: a recipe not saved yet (the first save creates it). */
  recipeId: number | null;
  detail: RecipeDetail | undefined;
  nodeTypes: NodeTypeInfo[];
}

function EditorLayout({ store, recipeId, detail, nodeTypes }: RecipeEditorProps) {
  const root = useRef<HTMLDivElement>(null);
  const [trainingView, setTrainingView] = useState<TrainingViewRequest | null>(null);
  const feedback = useLiveFeedback(store, trainingView);
  const selected = useEditor(selectedNodeId);
  const actions = useEditor((state) => state.actions);
  const { screenToFlowPosition } = useReactFlow();
  const types = useNodeTypeMap();
  const { save, run } = useRecipeSaver(store, recipeId);

  const job = useRecipeRun(recipeId);
  const [hiddenRun, setHiddenRun] = useState<number | null>(null);
  const shownJob = job && job.id !== hiddenRun ? job : undefined;
  useEffect(() => {
    actions.setRunProgress(shownJob ? runNodeProgress(shownJob) : null);
  }, [actions, shownJob]);

  const onSave = useCallback(() => {
    if (!save.isPending) save.mutate();
  }, [save]);
  useEditorShortcuts(root, store, onSave);

  const addNode = useCallback(
    (type: string, position: { x: number; y: number }) => {
      const info = types.get(type);
      if (!info || !isNodeKind(type)) return;
      actions.addNode(type, defaultParams(info) as RecipeNodeData['params'], position);
    },
    [types, actions],
  );

  const addInMiddle = useCallback(
    (type: string) => {
      const box = root.current?.querySelector('.recipe-canvas')?.getBoundingClientRect();
      if (!box) return;
      const shift = (store.getState().nodes.length % 5) * 24;
      const point = screenToFlowPosition({ x: box.left + box.width / 2, y: box.top + box.height / 2 });
      addNode(type, { x: point.x - 120 + shift, y: point.y - 50 + shift });
    },
    [addNode, screenToFlowPosition, store],
  );

  const onTrainingView = useCallback((request: { node_id: string; model: string } | null) => {
    setTrainingView(request);
  }, []);

  return (
    <div className="recipe-editor" ref={root} data-testid="recipe-editor">
      <UnsavedChangesGuard store={store} />
      <Toolbar
        recipeId={recipeId}
        detail={detail}
        checking={feedback.validating}
        checkError={feedback.validationError}
        onSave={onSave}
        saving={save.isPending}
        onRun={() => run.mutate()}
        running={run.isPending || (shownJob ? isActive(shownJob.status) : false)}
      />
      {shownJob ? <RunPanel job={shownJob} onDismiss={() => setHiddenRun(shownJob.id)} /> : null}
      <div className="recipe-editor-body">
        <Palette nodeTypes={nodeTypes} onAdd={addInMiddle} />
        <div className="recipe-editor-center">
          <Canvas onAddNode={addNode} />
          <section className="recipe-preview-dock" aria-label="Preview">
            <PreviewPanel
              preview={feedback.preview}
              loading={feedback.previewLoading}
              error={feedback.previewError}
              selectedNodeId={selected}
              onTrainingView={onTrainingView}
            />
          </section>
        </div>
        {selected ? <InspectorDock key={selected} nodeId={selected} /> : null}
      </div>
    </div>
  );
}

/** The visual recipe editor: palette, canvas, inspector, preview, save and run. */
export function RecipeEditor(props: RecipeEditorProps) {
  const types = useMemo(() => nodeTypeMap(props.nodeTypes), [props.nodeTypes]);
  return (
    <EditorStoreContext.Provider value={props.store}>
      <NodeTypesContext.Provider value={types}>
        <ReactFlowProvider>
          <EditorLayout {...props} />
        </ReactFlowProvider>
      </NodeTypesContext.Provider>
    </EditorStoreContext.Provider>
  );
}
