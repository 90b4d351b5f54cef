import { Alert, Group, Loader, Stack, Tabs, Text } from '@mantine/core';
import { IconAlertTriangle, IconLayoutRows, IconMessages } from '@tabler/icons-react';
import { useCallback, useEffect, useRef, useState } from 'react';
import type { PreviewResult } from '../../../api/types.gen';
import { LoadingState } from '../../../components/LoadingState';
import { errorMessage, isUnauthorized } from '../../../lib/apiError';
import { GraphSummary } from './GraphSummary';
import { NodeRows } from './NodeRows';
import { messagesColumnOf, nodePreviewOf } from './previewData';
import { TrainingViewTab } from './TrainingViewTab';
import './preview.css';


export interface TrainingViewRequestLike {
  node_id: string;
  model: string;
}

export interface PreviewPanelProps {
  /** The last preview of the graph (kept while the next one loads, if the editor keeps it). */
  preview: PreviewResult | undefined;
  loading: boolean;
  error: unknown;
  selectedNodeId: string | null;
  /** Asks the editor to preview with (or, with null, without) a training view. Called only when
   * the request changes: a model chosen on the Training view tab, another node selected while
   * it is open, the tab left (null), or a failed request dropped (null). */
  onTrainingView: (request: TrainingViewRequestLike | null) => void;
}

type PanelTab = 'rows' | 'training';

function PreviewError({ error }: { error: unknown }) {
  return (
    <Alert color="red" variant="light" title="Could not preview the recipe" icon={<IconAlertTriangle aria-hidden />} role="alert">
      <Text size="sm">{errorMessage(error)}</Text>
      {isUnauthorized(error) ? <Text size="sm">This server needs an API token: enter it on the Settings page.</Text> : null}
    </Alert>
  );
}

function Empty({ children }: { children: string }) {
  return (
    <Text size="sm" c="dimmed" role="status" py="md" ta="center">
      {children}
    </Text>
  );
}

/** The editor's bottom panel. "Rows": the selected node's rows per output port, its columns,
 * counts, time, status and problems; with nothing selected, every node's counts and time.
 * "Training view" (a node with a conversation column): its rows rendered with a chosen model's
 * chat template, the tokens that carry loss marked. */
export function PreviewPanel({ preview, loading, error, selectedNodeId, onTrainingView }: PreviewPanelProps) {
  const [tab, setTab] = useState<PanelTab>('rows');
  const [model, setModel] = useState<string | null>(null);
  // A training view request that failed: not asked again until the user chooses (or retries).
  const [failure, setFailure] = useState<{ key: string; message: string } | null>(null);

  const node = nodePreviewOf(preview, selectedNodeId);
  // Whether the selected node has conversations, remembered while a preview is loading (an
  // editor may clear the last preview while it asks for the next).
  const [known, setKnown] = useState<{ nodeId: string | null; hasMessages: boolean }>({ nodeId: null, hasMessages: false });
  const fresh = preview && selectedNodeId !== null ? messagesColumnOf(node) !== null : undefined;
  if (fresh !== undefined && (known.nodeId !== selectedNodeId || known.hasMessages !== fresh)) {
    setKnown({ nodeId: selectedNodeId, hasMessages: fresh });
  }
  const hasMessages = fresh ?? (known.nodeId === selectedNodeId && known.hasMessages);
  const activeTab: PanelTab = tab === 'training' && hasMessages ? 'training' : 'rows';

  const wantedKey =
    activeTab === 'training' && selectedNodeId !== null && model !== null
      ? JSON.stringify({ node_id: selectedNodeId, model })
      : null;
  const requestKey = wantedKey !== null && failure?.key !== wantedKey ? wantedKey : null;

  // Tell the editor when the wanted request changes (never on every render).
  const sent = useRef<string | null>(null);
  useEffect(() => {
    if (requestKey === sent.current) return;
    sent.current = requestKey;
    onTrainingView(requestKey === null ? null : (JSON.parse(requestKey) as TrainingViewRequestLike));
  }, [requestKey, onTrainingView]);

  // A preview that fails while a training view is asked for: blame the request and drop it, so
  // the editor's next preview goes without it (a bad model must not block the whole preview).
  useEffect(() => {
    if (error && sent.current !== null) setFailure({ key: sent.current, message: errorMessage(error) });
  }, [error]);

  const chooseModel = useCallback((next: string | null) => {
    setFailure(null);
    setModel(next);
  }, []);

  const view = preview?.training_view;
  const matchingView =
    view && model !== null && view.node_id === selectedNodeId && view.model === model ? view : undefined;
  const failureMessage = failure !== null && failure.key === wantedKey ? failure.message : null;
  const showError = error !== null && error !== undefined && !(activeTab === 'training' && failureMessage !== null);

  let rows;
  if (!preview) {
    rows = loading ? <LoadingState label="Previewing the recipe…" /> : error ? null : <Empty>Add a source node to see its rows here.</Empty>;
  } else if (selectedNodeId === null) {
    rows = preview.nodes.length === 0 ? <Empty>The recipe is empty: drag a source node from the palette to start.</Empty> : <GraphSummary preview={preview} />;
  } else if (!node) {
    rows = loading ? <LoadingState label="Previewing the new node…" /> : <Empty>This node is not in the last preview yet.</Empty>;
  } else {
    rows = <NodeRows key={node.node_id} node={node} />;
  }

  return (
    <Stack gap={0} className="preview-panel" data-testid="preview-panel">
      <Tabs value={activeTab} onChange={(value) => setTab(value === 'training' ? 'training' : 'rows')} keepMounted={false} className="preview-tabs">
        <Group justify="space-between" wrap="nowrap" gap="xs" className="preview-tabs-bar">
          <Tabs.List aria-label="Preview">
            <Tabs.Tab value="rows" leftSection={<IconLayoutRows size={14} aria-hidden />}>
              Rows
            </Tabs.Tab>
            <Tabs.Tab
              value="training"
              leftSection={<IconMessages size={14} aria-hidden />}
              disabled={!hasMessages}
              title={hasMessages ? undefined : 'Select a node whose rows have a conversation (messages) column'}
            >
              Training view
            </Tabs.Tab>
          </Tabs.List>
          {loading ? (
            <Group gap={6} role="status" aria-live="polite" pr="xs" data-testid="preview-loading">
              <Loader size="xs" aria-hidden />
              <Text size="xs" c="dimmed">
                Updating preview…
              </Text>
            </Group>
          ) : null}
        </Group>
        <Tabs.Panel value="rows" className="preview-tab-panel">
          <Stack gap="sm">
            {showError ? <PreviewError error={error} /> : null}
            {rows}
          </Stack>
        </Tabs.Panel>
        <Tabs.Panel value="training" className="preview-tab-panel">
          <Stack gap="sm">
            {showError ? <PreviewError error={error} /> : null}
            {selectedNodeId !== null ? (
              <TrainingViewTab
                nodeId={selectedNodeId}
                model={model}
                onModel={chooseModel}
                result={matchingView}
                loading={loading}
                failure={failureMessage}
                onRetry={() => setFailure(null)}
              />
            ) : null}
          </Stack>
        </Tabs.Panel>
      </Tabs>
    </Stack>
  );
}
