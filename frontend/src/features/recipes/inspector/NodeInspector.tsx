import { Alert, List, Stack, Text } from '@mantine/core';
import { IconAlertTriangle } from '@tabler/icons-react';
import { useMemo } from 'react';
import type { NodeTypeInfo } from '../../../api/types.gen';
import { useDatasetList } from '../../datasets/queries';
import { useModelList } from '../../models/queries';
import { Help } from '../../../components/fields/Help';
import { ParamField, type ParamFieldProps } from '../../../components/fields/ParamField';
import type { FieldSpec } from '../../../lib/jsonSchema';
import { fieldsOf, type Problem, problemText, sortProblems, withParam } from './schema';

export type { Problem } from './schema';

export interface NodeInspectorProps {
  nodeType: NodeTypeInfo;
  nodeId: string;
  params: Record<string, unknown>;
  /** The full new params object, on every edit (parameters left at their default are absent). */
  onChange: (params: Record<string, unknown>) => void;
  /** The columns arriving at the node (see columnsArriving), offered in column fields and in the
   * code editors' completion. */
  columns: { name: string; type: string }[];
  /** Problems of the graph; this node's are shown, under their field where they name one. */
  problems: Problem[];
  /** Optional: the ids of the node's inputs (`node` or `node.port`), offered as the keys of a
   * mix node's weights. */
  inputIds?: string[];
}

function fieldId(nodeId: string, name: string): string {
  return `recipe-param-${nodeId}-${name}`.replace(/[^A-Za-z0-9_-]/g, '_');
}

function ModelField(props: ParamFieldProps) {
  const models = useModelList();
  const choices = useMemo(() => (models.data ?? []).map((model) => model.name), [models.data]);
  return <ParamField {...props} choices={choices} />;
}

function DatasetField(props: ParamFieldProps) {
  const datasets = useDatasetList();
  const choices = useMemo(() => (datasets.data ?? []).map((dataset) => dataset.name), [datasets.data]);
  return <ParamField {...props} choices={choices} />;
}

function unique(values: readonly string[]): string[] {
  return [...new Set(values)];
}

/** The params form of one node, generated from its type's JSON schema: a control per parameter
 * (text, number, switch, select, tags, maps, JSON rows, code editors for templates and filter
 * expressions), its description and default as help, the browser's constraint checks and the
 * server's problems under the field they name; the node's other problems above the form. */
export function NodeInspector({ nodeType, nodeId, params, onChange, columns, problems, inputIds }: NodeInspectorProps) {
  const fields = useMemo(() => fieldsOf(nodeType), [nodeType]);
  const sorted = useMemo(
    () =>
      sortProblems(
        problems,
        nodeId,
        fields.map((field) => field.name),
      ),
    [problems, nodeId, fields],
  );
  const columnNames = useMemo(() => unique(columns.map((column) => column.name)), [columns]);

  const choicesOf = (field: FieldSpec): string[] => {
    switch (field.suggestions) {
      case 'columns':
        return columnNames;
      case 'examples':
        return unique(field.examples);
      case 'inputs':
        return unique(inputIds ?? []);
      default:
        return [];
    }
  };

  return (
    <Stack gap="md" data-testid="node-inspector" aria-label={`Settings of ${nodeId}`} role="form">
      {nodeType.description ? (
        <Text size="sm" c="dimmed">
          <Help text={nodeType.description} />
        </Text>
      ) : null}
      {sorted.general.length > 0 ? (
        <Alert
          color="red"
          variant="light"
          icon={<IconAlertTriangle aria-hidden />}
          title={sorted.general.length === 1 ? 'This node has a problem' : `This node has ${sorted.general.length} problems`}
          role="alert"
          data-testid="node-problems"
        >
          <List size="sm" spacing={2}>
            {sorted.general.map((problem) => (
              <List.Item key={`${problem.field}:${problem.message}`}>{problemText(problem, nodeId, null)}</List.Item>
            ))}
          </List>
        </Alert>
      ) : null}
      {fields.length === 0 ? (
        <Text size="sm" c="dimmed">
          This node has no settings.
        </Text>
      ) : null}
      {fields.map((field) => {
        const fieldProblems = sorted.byField.get(field.name) ?? [];
        const props: ParamFieldProps = {
          field,
          id: fieldId(nodeId, field.name),
          value: params[field.name],
          onChange: (value) => onChange(withParam(params, field.name, value)),
          problems: fieldProblems.map((problem) => problemText(problem, nodeId, field.name)),
          marks: fieldProblems.map((problem) => ({
            message: problemText(problem, nodeId, field.name),
            offset: problem.offset ?? null,
            line: problem.line ?? null,
          })),
          columns,
          choices: choicesOf(field),
        };
        if (field.suggestions === 'models') return <ModelField key={`${nodeId}:${field.name}`} {...props} />;
        if (field.suggestions === 'datasets') return <DatasetField key={`${nodeId}:${field.name}`} {...props} />;
        return <ParamField key={`${nodeId}:${field.name}`} {...props} />;
      })}
    </Stack>
  );
}
