import { useDebouncedValue } from '@mantine/hooks';
import { useEffect, useMemo } from 'react';
import { useStore } from 'zustand';
import type { TrainingViewRequest } from '../../../api/types.gen';
import { semanticGraph } from '../graph/convert';
import { usePreview, useValidation } from '../queries';
import { buildFeedback } from './feedback';
import type { EditorStore } from './store';

/** Quiet time after a change before the graph is checked again. */
export const FEEDBACK_DEBOUNCE_MS = 400;

/** Validates and previews the graph on the server a moment after each change (moving nodes
 * does not count), and puts what it says on the nodes. */
export function useLiveFeedback(store: EditorStore, trainingView: TrainingViewRequest | null) {
  const revision = useStore(store, (state) => state.semanticRevision);
  const [settled] = useDebouncedValue(revision, FEEDBACK_DEBOUNCE_MS);
  // The graph as it was when the edits settled (read from the store, not a render input).
  const snapshot = useMemo(() => {
    const { nodes, edges } = store.getState();
    const graph = semanticGraph(nodes, edges);
    return { nodes, edges, graph, key: JSON.stringify(graph) };
  }, [settled, store]);
  const enabled = snapshot.graph.nodes.length > 0;
  const validation = useValidation(snapshot.graph, snapshot.key, enabled);
  const preview = usePreview(snapshot.graph, snapshot.key, trainingView, enabled);

  const waiting = revision !== settled;
  const stale = waiting || validation.isPlaceholderData || preview.isPlaceholderData;
  const validationData = enabled ? validation.data : undefined;
  const previewData = enabled ? preview.data : undefined;

  useEffect(() => {
    const { nodes, edges } = snapshot;
    store.getState().actions.setFeedback(buildFeedback(nodes, edges, validationData, previewData), false);
  }, [store, snapshot, validationData, previewData]);

  useEffect(() => {
    store.getState().actions.setFeedbackStale(stale);
  }, [store, stale]);

  return {
    validation: validationData,
    preview: enabled ? previewData : undefined,
    previewLoading: enabled && (preview.isFetching || waiting),
    previewError: preview.error,
    validating: enabled && (validation.isFetching || waiting),
    validationError: validation.error,
  };
}
