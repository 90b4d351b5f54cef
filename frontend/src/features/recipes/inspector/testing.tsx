/** Test helpers of the inspector: the real node types (nodeTypes.fixture.json is the backend's
 * catalogue, `node_types_catalog()`), and the inspector rendered with its params kept in state
 * the way the editor keeps them. */
import { useState } from 'react';
import { vi } from 'vitest';
import type { NodeTypeInfo } from '../../../api/types.gen';
import { renderWithProviders } from '../../datasets/testData';
import { NodeInspector, type NodeInspectorProps } from './NodeInspector';
import catalog from './nodeTypes.fixture.json';

export const NODE_TYPES = catalog as unknown as NodeTypeInfo[];

export function nodeType(type: string): NodeTypeInfo {
  const found = NODE_TYPES.find((item) => item.type === type);
  if (!found) throw new Error(`no node type ${type} in the fixture`);
  return found;
}

type HarnessProps = Omit<NodeInspectorProps, 'onChange' | 'params' | 'nodeType' | 'columns' | 'problems'> & {
  type: string;
  initial?: Record<string, unknown>;
  columns?: NodeInspectorProps['columns'];
  problems?: NodeInspectorProps['problems'];
  onParams: (params: Record<string, unknown>) => void;
};

function Harness({ type, initial, columns, problems, onParams, ...rest }: HarnessProps) {
  const [params, setParams] = useState<Record<string, unknown>>(initial ?? {});
  return (
    <NodeInspector
      {...rest}
      nodeType={nodeType(type)}
      params={params}
      columns={columns ?? []}
      problems={problems ?? []}
      onChange={(next) => {
        setParams(next);
        onParams(next);
      }}
    />
  );
}

/** Renders the inspector of a node of `type`; `onParams` sees every params object it emits. */
export function renderInspector(props: Omit<HarnessProps, 'onParams' | 'nodeId'> & { nodeId?: string }) {
  const onParams = vi.fn<(params: Record<string, unknown>) => void>();
  const result = renderWithProviders(<Harness nodeId="n1" {...props} onParams={onParams} />);
  return { ...result, onParams, lastParams: () => onParams.mock.calls.at(-1)?.[0] };
}

/** jsdom has no layout; CodeMirror measures text with Range rects. */
export function stubRangeRects() {
  const empty = () => ({ x: 0, y: 0, width: 0, height: 0, top: 0, left: 0, right: 0, bottom: 0, toJSON: () => ({}) });
  const list = () => Object.assign([], { item: () => null });
  if (!Range.prototype.getBoundingClientRect) Range.prototype.getBoundingClientRect = empty as () => DOMRect;
  if (!Range.prototype.getClientRects) Range.prototype.getClientRects = list as unknown as () => DOMRectList;
}
