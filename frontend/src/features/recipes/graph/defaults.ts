import type { NodeTypeInfo } from './types';

type Schema = Record<string, unknown>;

const isSchema = (value: unknown): value is Schema => typeof value === 'object' && value !== null && !Array.isArray(value);

/** A starting value for a required param without a default: its first example, or an empty
 * value of its type (validation then says what to fill in). */
function starter(schema: Schema): unknown {
  const examples = schema.examples;
  if (Array.isArray(examples) && examples.length > 0) return examples[0];
  const type = schema.type ?? (Array.isArray(schema.anyOf) ? (schema.anyOf.find(isSchema)?.type ?? null) : null);
  switch (type) {
    case 'array':
      return [];
    case 'object':
      return {};
    case 'boolean':
      return false;
    case 'integer':
    case 'number':
      return typeof schema.minimum === 'number' ? schema.minimum : 0;
    default:
      return '';
  }
}

/** The params a node of this type starts with: every default its schema declares, and a
 * starter value for each required param without one. */
export function defaultParams(info: Pick<NodeTypeInfo, 'params_schema'>): Record<string, unknown> {
  const schema = info.params_schema;
  const properties = isSchema(schema.properties) ? schema.properties : {};
  const required = new Set(Array.isArray(schema.required) ? schema.required.filter((key) => typeof key === 'string') : []);
  const params: Record<string, unknown> = {};
  for (const [name, property] of Object.entries(properties)) {
    if (!isSchema(property)) continue;
    if ('default' in property) params[name] = structuredClone(property.default);
    else if (required.has(name)) params[name] = starter(property);
  }
  return params;
}
