import { Handle, type NodeProps, type NodeTypes, Position } from '@xyflow/react';
import { type CSSProperties, memo } from 'react';
import { paramSummary } from '../graph/summary';
import { NODE_KIND_GROUPS, NODE_KINDS, type PortInfo, type RecipeFlowNode } from '../graph/types';
import { groupMeta } from './groups';
import { useNodeTypeInfo } from './nodeTypesContext';
import { useEditor } from './store';

const count = new Intl.NumberFormat();

/** A problem's message without the "node <id>: " it starts with (the node shows its id). */
export function shortMessage(message: string, id: string): string {
  const prefix = `node ${id}: `;
  return message.startsWith(prefix) ? message.slice(prefix.length) : message;
}

function PortRow({ nodeId, input, output }: { nodeId: string; input?: PortInfo; output?: PortInfo }) {
  return (
    <div className="recipe-port-row">
      {input ? (
        <span className="recipe-port recipe-port-in" title={input.description}>
          <Handle
            type="target"
            position={Position.Left}
            id={input.name}
            className="recipe-handle"
            aria-label={`Input ${input.name} of ${nodeId}`}
            data-port={input.name}
          />
          {input.name}
          {input.multiple ? ' (many)' : ''}
        </span>
      ) : (
        <span />
      )}
      {output ? (
        <span className="recipe-port recipe-port-out" title={output.description}>
          {output.name}
          <Handle
            type="source"
            position={Position.Right}
            id={output.name}
            className="recipe-handle"
            aria-label={`Output ${output.name} of ${nodeId}`}
            data-port={output.name}
          />
        </span>
      ) : (
        <span />
      )}
    </div>
  );
}

function RecipeNodeView({ id, data, selected }: NodeProps<RecipeFlowNode>) {
  const info = useNodeTypeInfo(data.kind);
  const live = useEditor((state) => state.live[id]);
  const run = useEditor((state) => state.runProgress?.[id]);
  const meta = groupMeta(info?.group ?? NODE_KIND_GROUPS[data.kind]);
  const GroupIcon = meta.icon;
  const problems = live?.problems ?? [];
  const inputs = info?.inputs ?? [];
  const outputs = info?.outputs ?? [];
  const ports = Math.max(inputs.length, outputs.length);
  const title = info?.title ?? data.kind;
  const status = problems.length > 0 ? 'error' : (live?.status ?? 'unknown');

  return (
    <div className="recipe-node-frame">
      <div
        className="recipe-node"
        data-status={status}
        data-selected={selected ? 'true' : undefined}
        style={{ '--recipe-node-color': `var(--mantine-color-${meta.color}-6)` } as CSSProperties}
      >
        <div className="recipe-node-header">
          <GroupIcon size={15} aria-hidden className="recipe-node-icon" />
          <span className="recipe-node-title">{data.label || title}</span>
          {live?.rowsOut != null ? (
            <span className="recipe-node-rows" data-testid="node-rows" title="Rows out in the preview">
              {count.format(live.rowsOut)} {live.rowsOut === 1 ? 'row' : 'rows'}
            </span>
          ) : null}
        </div>
        <div className="recipe-node-id">
          {id}
          {data.label ? ` · ${title}` : ''}
        </div>
        <div className="recipe-node-summary">{paramSummary(data)}</div>
        {ports > 0 ? (
          <div className="recipe-node-ports">
            {Array.from({ length: ports }, (_, index) => (
              <PortRow key={index} nodeId={id} input={inputs[index]} output={outputs[index]} />
            ))}
          </div>
        ) : null}
        {problems.length > 0 ? (
          <div className="recipe-node-problems" data-testid="node-problems" title={problems.map((p) => p.message).join('\n')}>
            <span className="recipe-node-badge">
              {problems.length === 1 ? '1 problem' : `${problems.length} problems`}
            </span>
            {problems.slice(0, 2).map((problem, index) => (
              <span key={index} className="recipe-node-message">
                {shortMessage(problem.message, id)}
              </span>
            ))}
          </div>
        ) : live?.status === 'skipped' && live.skippedBecause ? (
          <div className="recipe-node-skipped">{live.skippedBecause}</div>
        ) : null}
        {run ? (
          <div className="recipe-node-run" data-testid="node-run">
            Run: {count.format(run.rows_in ?? 0)} in → {count.format(run.rows_out ?? 0)} out
          </div>
        ) : null}
      </div>
    </div>
  );
}

/** One memoised component draws every node type; React Flow finds it by the node's `type`. */
export const RecipeNode = memo(RecipeNodeView);

/** Module-level (a new object each render would make React Flow remount every node). */
export const nodeTypes: NodeTypes = Object.fromEntries(NODE_KINDS.map((kind) => [kind, RecipeNode]));
