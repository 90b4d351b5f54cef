/** A node type's params read into the inspector's fields (lib/jsonSchema, with what the
 * inspector knows of recipe params: templates, expressions, columns, models), and the server's
 * problems matched to the field they name. */
import type { LatheRecipesProblemsProblem, NodeTypeInfo } from '../../../api/types.gen';
import { type FieldHints, type FieldKind, type FieldSpec, fieldsOf as readFields, type JsonSchema, type Suggestions } from '../../../lib/jsonSchema';

export type Problem = LatheRecipesProblemsProblem;

/** Parameters that hold Jinja templates, per node type (also any string field whose description
 * says it is a Jinja template). */
const JINJA_FIELDS: Record<string, string[]> = {
  template: ['template'],
  generate: ['prompt'],
  judge: ['template'],
};
const EXPRESSION_FIELDS: Record<string, string[]> = { filter: ['expression'] };
/** Free text that reads better over several lines. */
const LONG_TEXT = new Set(['prompt', 'system', 'rubric', 'description']);
/** Sampling settings go after the fields that say what a node does. */
const LATE_FIELDS = ['temperature', 'top_p', 'top_k', 'max_tokens', 'seed', 'batch_size'];

function stringKind(nodeType: string, name: string, schema: JsonSchema): FieldKind | undefined {
  if (EXPRESSION_FIELDS[nodeType]?.includes(name)) return 'expression';
  if (JINJA_FIELDS[nodeType]?.includes(name)) return 'jinja';
  if (/\bjinja\b/i.test(schema.description ?? '') && /template/i.test(schema.description ?? '')) return 'jinja';
  return LONG_TEXT.has(name) ? 'textarea' : undefined;
}

function isColumnName(name: string): boolean {
  return name === 'column' || name === 'columns' || name.endsWith('_column') || name.endsWith('_columns');
}

function suggestionsFor(nodeType: string, name: string, kind: FieldKind, examples: string[]): Suggestions {
  if (kind === 'numberMap') return 'inputs';
  if (kind === 'stringMap') return isColumnName(name) ? 'columns' : null;
  if (kind !== 'text' && kind !== 'stringArray') return null;
  if (isColumnName(name)) return 'columns';
  if (name === 'model') return 'models';
  if (name === 'dataset' && (nodeType === 'dataset' || nodeType === 'output')) return 'datasets';
  if (examples.length > 0) return 'examples';
  return null;
}

function recipeHints(nodeType: string): FieldHints {
  return {
    stringKind: (name, schema) => stringKind(nodeType, name, schema),
    suggestions: (name, kind, examples) => suggestionsFor(nodeType, name, kind, examples),
    rank: (field) => {
      const late = LATE_FIELDS.indexOf(field.name);
      if (late >= 0) return 100 + late;
      return field.required ? 0 : 1;
    },
  };
}

/** The fields of a node type's params, in the order the form shows them: required ones first,
 * then the rest in schema order, sampling settings last. */
export function fieldsOf(nodeType: Pick<NodeTypeInfo, 'type' | 'params_schema'>): FieldSpec[] {
  return readFields(nodeType.params_schema, recipeHints(nodeType.type));
}

/** The parameter a problem names (`nodes.<id>.params.<name>[...]`), or null. */
export function problemParam(problem: Pick<Problem, 'field'>, nodeId: string): string | null {
  const prefix = `nodes.${nodeId}.params.`;
  if (!problem.field.startsWith(prefix)) return null;
  const rest = problem.field.slice(prefix.length);
  return rest.split('.')[0] || null;
}

/** A problem's message without "node <id>: " and the parameter it is shown under. */
export function problemText(problem: Pick<Problem, 'message'>, nodeId: string, param: string | null): string {
  let text = problem.message;
  const nodePrefix = `node ${nodeId}: `;
  if (text.startsWith(nodePrefix)) text = text.slice(nodePrefix.length);
  if (param !== null) {
    for (const prefix of [`params.${param}: `, `${param}: `]) {
      if (text.startsWith(prefix)) return text.slice(prefix.length);
    }
    if (text.startsWith('params.')) return text.slice('params.'.length);
  }
  return text;
}

export interface SortedProblems {
  /** Per parameter name, the problems shown under its field. */
  byField: Map<string, Problem[]>;
  /** The node's other problems (and those naming a parameter the form does not have). */
  general: Problem[];
}

/** This node's problems split into those of a field and the rest; duplicates (validation and
 * preview can report the same one) dropped. */
export function sortProblems(problems: readonly Problem[], nodeId: string, fieldNames: readonly string[]): SortedProblems {
  const names = new Set(fieldNames);
  const byField = new Map<string, Problem[]>();
  const general: Problem[] = [];
  const seen = new Set<string>();
  for (const problem of problems) {
    const mine =
      problem.node_id === nodeId || problem.field === `nodes.${nodeId}` || problem.field.startsWith(`nodes.${nodeId}.`);
    if (!mine) continue;
    const key = `${problem.field}\u0000${problem.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const param = problemParam(problem, nodeId);
    if (param !== null && names.has(param)) {
      const list = byField.get(param) ?? [];
      list.push(problem);
      byField.set(param, list);
    } else {
      general.push(problem);
    }
  }
  return { byField, general };
}

/** Params with one value set (undefined removes it, so the default applies). */
export function withParam(params: Record<string, unknown>, name: string, value: unknown): Record<string, unknown> {
  const next = { ...params };
  if (value === undefined) delete next[name];
  else next[name] = value;
  return next;
}
