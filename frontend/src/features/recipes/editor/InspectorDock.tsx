import { ActionIcon, Group, ScrollArea, Stack, Text, TextInput, Title, Tooltip } from '@mantine/core';
import { IconTrash, IconX } from '@tabler/icons-react';
import { useMemo } from 'react';
import type { ColumnInfo } from '../../../api/types.gen';
import { NodeInspector } from '../inspector/NodeInspector';
import type { Problem } from '../graph/types';
import { useNodeTypeInfo, useNodeTypeMap } from './nodeTypesContext';
import { type EditorState, useEditor, useEditorActions, useEditorStore } from './store';

const NO_PROBLEMS: Problem[] = [];

/** The columns arriving at a node: those leaving the upstream ports wired to its inputs in the
 * latest preview (once each, by name). */
export function columnsArriving(
  state: Pick<EditorState, 'edges' | 'columns'>,
  nodeId: string,
): { name: string; type: string }[] {
  const seen = new Map<string, ColumnInfo>();
  for (const edge of state.edges) {
    if (edge.target !== nodeId) continue;
    for (const column of state.columns[edge.source]?.[edge.sourceHandle] ?? []) {
      if (!seen.has(column.name)) seen.set(column.name, column);
    }
  }
  return [...seen.values()];
}

/** The inspector of the one selected node: its id, label and params form. */
export function InspectorDock({ nodeId }: { nodeId: string }) {
  const data = useEditor((state) => state.nodes.find((node) => node.id === nodeId)?.data);
  const problems = useEditor((state) => state.live[nodeId]?.problems ?? NO_PROBLEMS);
  const edges = useEditor((state) => state.edges);
  const columnMap = useEditor((state) => state.columns);
  const actions = useEditorActions();
  const store = useEditorStore();
  const info = useNodeTypeInfo(data?.kind ?? '');
  const types = useNodeTypeMap();
  const columns = useMemo(() => columnsArriving({ edges, columns: columnMap }, nodeId), [edges, columnMap, nodeId]);
  const inputIds = useMemo(() => {
    const nodes = store.getState().nodes;
    return edges
      .filter((edge) => edge.target === nodeId)
      .map((edge) => {
        const kind = nodes.find((node) => node.id === edge.source)?.data.kind;
        const outputs = kind ? (types.get(kind)?.outputs.length ?? 1) : 1;
        return outputs > 1 ? `${edge.source}.${edge.sourceHandle}` : edge.source;
      });
  }, [edges, nodeId, types, store]);

  if (!data) return null;
  return (
    <aside className="recipe-inspector" aria-labelledby="recipe-inspector-title" data-testid="inspector-dock">
      <Group justify="space-between" wrap="nowrap" className="recipe-dock-header">
        <Stack gap={0} style={{ minWidth: 0 }}>
          <Title order={2} size="h5" id="recipe-inspector-title" lineClamp={1}>
            {info?.title ?? data.kind}
          </Title>
          <Text size="xs" c="dimmed" ff="monospace" lineClamp={1}>
            {nodeId}
          </Text>
        </Stack>
        <Group gap={4} wrap="nowrap">
          <Tooltip label="Delete this node">
            <ActionIcon
              variant="subtle"
              color="red"
              aria-label={`Delete node ${nodeId}`}
              onClick={() => {
                actions.selectNode(nodeId);
                actions.deleteSelected();
              }}
            >
              <IconTrash size={16} aria-hidden />
            </ActionIcon>
          </Tooltip>
          <Tooltip label="Close the inspector">
            <ActionIcon variant="subtle" color="gray" aria-label="Close the inspector" onClick={() => actions.selectNode(null)}>
              <IconX size={16} aria-hidden />
            </ActionIcon>
          </Tooltip>
        </Group>
      </Group>
      <ScrollArea className="recipe-dock-body" type="auto" offsetScrollbars>
        <Stack gap="md" p="sm">
          <TextInput
            label="Label"
            description="A display name on the canvas (the id stays)."
            value={data.label ?? ''}
            onChange={(event) => actions.updateLabel(nodeId, event.currentTarget.value)}
            maxLength={200}
            size="xs"
          />
          {info ? (
            <NodeInspector
              nodeType={info}
              nodeId={nodeId}
              params={data.params as Record<string, unknown>}
              onChange={(params) => actions.updateParams(nodeId, params)}
              columns={columns}
              problems={problems}
              inputIds={inputIds}
            />
          ) : (
            <Text size="sm" c="red">
              The server does not know the node type {data.kind}.
            </Text>
          )}
        </Stack>
      </ScrollArea>
    </aside>
  );
}
