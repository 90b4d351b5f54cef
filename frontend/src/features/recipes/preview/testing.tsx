/** Test helpers of the preview panel. preview.fixture.json is a real PreviewResult of the
 * backend (inline source → to_messages → split → a filter with a misspelt column and a
 * template → two outputs), so the panel is tested on what the server really sends. */
import { render } from '@testing-library/react';
import type { ReactElement } from 'react';
import { vi } from 'vitest';
import type { PreviewResult, TrainingViewResult } from '../../../api/types.gen';
import { AppProviders } from '../../../AppProviders';
import { createQueryClient } from '../../../lib/queryClient';
import { PreviewPanel, type PreviewPanelProps } from './PreviewPanel';
import fixture from './preview.fixture.json';

export const PREVIEW = fixture as unknown as PreviewResult;

export function trainingViewOf(nodeId: string, model: string): TrainingViewResult {
  return {
    node_id: nodeId,
    model,
    column: 'messages',
    rows: [
      {
        row: 0,
        view: {
          segments: [
            { text: '<|im_start|>user\nQuestion 0<|im_end|>\n<|im_start|>assistant\n', loss: false },
            { text: 'Answer number 0<|im_end|>', loss: true },
            { text: '\n', loss: false },
          ],
          tokens: 20,
          loss_tokens: 6,
          truncated: false,
        },
      },
      {
        row: 1,
        view: {
          segments: [{ text: '<|im_start|>user\nQuestion 1<|im_end|>\n<|im_start|>assistant\nAnswer', loss: false }],
          tokens: 12,
          loss_tokens: 0,
          truncated: true,
        },
      },
      { row: 2, error: 'the conversation has no assistant turn' },
    ],
  };
}

/** Renders the panel; `update` re-renders it with other props, as the editor would. */
export function renderPanel(props: Partial<PreviewPanelProps> = {}) {
  const queryClient = createQueryClient();
  queryClient.setDefaultOptions({ queries: { ...queryClient.getDefaultOptions().queries, retry: false } });
  const onTrainingView = vi.fn<PreviewPanelProps['onTrainingView']>();
  let current: PreviewPanelProps = {
    preview: PREVIEW,
    loading: false,
    error: null,
    selectedNodeId: null,
    onTrainingView,
    ...props,
  };
  const wrap = (ui: ReactElement) => <AppProviders queryClient={queryClient}>{ui}</AppProviders>;
  const result = render(wrap(<PreviewPanel {...current} />));
  const update = (next: Partial<PreviewPanelProps>) => {
    current = { ...current, ...next };
    result.rerender(wrap(<PreviewPanel {...current} />));
  };
  return { ...result, update, onTrainingView };
}
