/** Reads a JSON schema (pydantic's, or one from the OpenAPI document) into the fields a form
 * draws, and the checks the browser can make before the server does (bounds, lengths,
 * patterns, required). No React here: the recipe inspector, the training form and the chat
 * sampling panel all draw their fields from these. */

/** A JSON schema as pydantic writes it; only the keys the inspector reads are typed. */
export interface JsonSchema {
  type?: string | string[];
  title?: string;
  description?: string;
  default?: unknown;
  enum?: unknown[];
  const?: unknown;
  examples?: unknown[];
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  allOf?: JsonSchema[];
  $ref?: string;
  $defs?: Record<string, JsonSchema>;
  definitions?: Record<string, JsonSchema>;
  /** An OpenAPI document's schemas, which `#/components/schemas/Name` refers to. */
  components?: { schemas?: Record<string, JsonSchema> };
  items?: JsonSchema;
  properties?: Record<string, JsonSchema>;
  additionalProperties?: boolean | JsonSchema;
  required?: string[];
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  minItems?: number;
  maxItems?: number;
  minProperties?: number;
  maxProperties?: number;
}

export type FieldKind =
  /** One line of text (also a union of string and number, such as a dataset's name or id). */
  | 'text'
  /** Several lines of plain text (a system prompt, a rubric). */
  | 'textarea'
  /** A Jinja template in the code editor. */
  | 'jinja'
  /** A filter expression in the code editor. */
  | 'expression'
  | 'number'
  | 'integer'
  | 'boolean'
  | 'enum'
  | 'stringArray'
  | 'numberMap'
  | 'stringMap'
  /** An array of row objects (the `inline` node's rows). */
  | 'rows'
  /** Anything else: edited as JSON. */
  | 'json';

/** What a field's value should be chosen from, when the form can offer choices. */
export type Suggestions = 'columns' | 'models' | 'datasets' | 'examples' | 'inputs' | null;

export interface Constraints {
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  minItems?: number;
  maxItems?: number;
  minProperties?: number;
}

export interface FieldSpec {
  name: string;
  label: string;
  description: string | null;
  kind: FieldKind;
  required: boolean;
  /** Whether null is a valid value (anyOf with null). */
  nullable: boolean;
  hasDefault: boolean;
  default: unknown;
  /** The choices of an enum field. */
  options: string[];
  /** Suggested values of a text field (the schema's examples). */
  examples: string[];
  suggestions: Suggestions;
  constraints: Constraints;
  schema: JsonSchema;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function asSchema(value: unknown): JsonSchema {
  return isRecord(value) ? (value as JsonSchema) : {};
}

function definitionsOf(root: JsonSchema, where: string | undefined): Record<string, JsonSchema> | undefined {
  if (where === 'definitions') return root.definitions;
  if (where === 'components/schemas') return root.components?.schemas;
  return root.$defs;
}

/** Follows `$ref` (`#/$defs/Name`, `#/definitions/Name`, `#/components/schemas/Name`) and
 * one-element `allOf` wrappers. */
export function resolveSchema(schema: JsonSchema, root: JsonSchema, depth = 0): JsonSchema {
  if (depth > 16) return schema;
  if (schema.$ref) {
    const match = /^#\/(\$defs|definitions|components\/schemas)\/(.+)$/.exec(schema.$ref);
    const defs = definitionsOf(root, match?.[1]);
    const target = match && defs ? defs[decodeURIComponent(match[2] ?? '')] : undefined;
    if (target) {
      const { $ref: _ref, ...rest } = schema;
      return resolveSchema({ ...target, ...rest }, root, depth + 1);
    }
  }
  if (schema.allOf && schema.allOf.length === 1 && schema.allOf[0]) {
    const { allOf, ...rest } = schema;
    return resolveSchema({ ...resolveSchema(allOf[0] ?? {}, root, depth + 1), ...rest }, root, depth + 1);
  }
  return schema;
}

function typesOf(schema: JsonSchema): string[] {
  if (Array.isArray(schema.type)) return schema.type;
  if (typeof schema.type === 'string') return [schema.type];
  if (schema.enum) return ['enum'];
  if (schema.const !== undefined) return ['enum'];
  return [];
}

/** The schema without its null alternative, and whether it had one. */
function splitNullable(schema: JsonSchema, root: JsonSchema): { inner: JsonSchema; nullable: boolean; union: JsonSchema[] } {
  const resolved = resolveSchema(schema, root);
  const alternatives = resolved.anyOf ?? resolved.oneOf;
  if (alternatives) {
    const options = alternatives.map((option) => resolveSchema(option, root));
    const nonNull = options.filter((option) => !typesOf(option).every((type) => type === 'null') || typesOf(option).length === 0);
    const nullable = nonNull.length < options.length;
    if (nonNull.length === 1 && nonNull[0]) {
      const { anyOf: _anyOf, oneOf: _oneOf, ...outer } = resolved;
      return { inner: { ...nonNull[0], ...outer }, nullable, union: [] };
    }
    return { inner: resolved, nullable, union: nonNull };
  }
  const types = typesOf(resolved);
  if (types.length > 1 && types.includes('null')) {
    const rest = types.filter((type) => type !== 'null');
    return { inner: { ...resolved, type: rest.length === 1 ? rest[0] : rest }, nullable: true, union: [] };
  }
  return { inner: resolved, nullable: false, union: [] };
}

/** "Source Format" → "Source format"; "num_perm" → "Num perm"; "Use DoRA" stays. */
export function sentenceCase(text: string): string {
  const words = text.replace(/_/g, ' ').trim().split(/\s+/);
  return words
    .map((word, index) => {
      if (index === 0) return word.charAt(0).toUpperCase() + word.slice(1);
      // Keep acronyms and names with capitals inside (ID, JSON, LoRA, GPUs) as they are; other
      // words lower case.
      return /\p{Lu}/u.test(word.slice(1)) ? word : word.toLowerCase();
    })
    .join(' ');
}

function constraintsOf(schema: JsonSchema): Constraints {
  const keys: Array<keyof Constraints> = [
    'minimum',
    'maximum',
    'exclusiveMinimum',
    'exclusiveMaximum',
    'minLength',
    'maxLength',
    'pattern',
    'minItems',
    'maxItems',
    'minProperties',
  ];
  const out: Constraints = {};
  for (const key of keys) {
    const value = schema[key];
    if (value !== undefined) (out as Record<string, unknown>)[key] = value;
  }
  return out;
}

function kindOf(name: string, inner: JsonSchema, union: JsonSchema[], root: JsonSchema, hints: FieldHints): FieldKind {
  if (union.length > 1) {
    const scalar = union.every((option) => typesOf(option).every((type) => ['string', 'integer', 'number'].includes(type)));
    return scalar ? 'text' : 'json';
  }
  if (inner.enum || inner.const !== undefined) return 'enum';
  const [type] = typesOf(inner);
  switch (type) {
    case 'string':
      return hints.stringKind?.(name, inner) ?? ((inner.maxLength ?? 0) > 500 ? 'textarea' : 'text');
    case 'integer':
      return 'integer';
    case 'number':
      return 'number';
    case 'boolean':
      return 'boolean';
    case 'array': {
      const items = resolveSchema(inner.items ?? {}, root);
      const itemType = typesOf(items)[0];
      if (itemType === 'string') return 'stringArray';
      if (itemType === 'object') return 'rows';
      return 'json';
    }
    case 'object': {
      const values = inner.additionalProperties;
      if (isRecord(values) && !inner.properties) {
        const valueType = typesOf(resolveSchema(values as JsonSchema, root))[0];
        if (valueType === 'number' || valueType === 'integer') return 'numberMap';
        if (valueType === 'string') return 'stringMap';
      }
      return 'json';
    }
    default:
      return 'json';
  }
}

/** How a form reads some fields beyond what the schema says. */
export interface FieldHints {
  /** The kind of a string field (a template, an expression, long text); undefined: text, or a
   * textarea when it may be long. */
  stringKind?: (name: string, schema: JsonSchema) => FieldKind | undefined;
  /** What a field's value may be chosen from. */
  suggestions?: (name: string, kind: FieldKind, examples: string[]) => Suggestions;
  /** Where a field goes: lower first, ties in schema order (default: required ones first). */
  rank?: (field: FieldSpec) => number;
}

/** The fields of an object schema (`properties`, following `$ref`s against the schema itself),
 * in the order the form shows them. */
export function fieldsOf(schema: unknown, hints: FieldHints = {}): FieldSpec[] {
  const root = asSchema(schema);
  const resolvedRoot = resolveSchema(root, root);
  const properties = resolvedRoot.properties ?? {};
  const required = new Set(resolvedRoot.required ?? []);
  const fields = Object.entries(properties).map(([name, raw]): FieldSpec => {
    const outer = resolveSchema(asSchema(raw), root);
    const { inner, nullable, union } = splitNullable(outer, root);
    const kind = kindOf(name, inner, union, root, hints);
    const enumValues = inner.enum ?? (inner.const !== undefined ? [inner.const] : []);
    const examples = (outer.examples ?? inner.examples ?? []).filter((value): value is string => typeof value === 'string');
    const hasDefault = 'default' in outer;
    return {
      name,
      label: sentenceCase(outer.title ?? name),
      description: outer.description ?? inner.description ?? null,
      kind,
      required: required.has(name),
      nullable,
      hasDefault,
      default: hasDefault ? outer.default : undefined,
      options: enumValues.map((value) => String(value)),
      examples,
      suggestions: hints.suggestions?.(name, kind, examples) ?? null,
      constraints: constraintsOf(inner),
      schema: inner,
    };
  });
  const rank = hints.rank ?? ((field: FieldSpec) => (field.required ? 0 : 1));
  return fields
    .map((field, index) => ({ field, index }))
    .sort((a, b) => rank(a.field) - rank(b.field) || a.index - b.index)
    .map(({ field }) => field);
}

/** The default as the form shows it: "0.8", "none", "[]". */
export function formatDefault(value: unknown): string {
  if (value === null) return 'none';
  if (typeof value === 'string') return value === '' ? '(empty)' : value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  try {
    return JSON.stringify(value);
  } catch {
    return String(value);
  }
}

function plural(count: number, one: string, many: string): string {
  return `${count} ${count === 1 ? one : many}`;
}

/** What is wrong with a value before the server is asked (null: nothing the browser can see).
 * A missing value is only "required" when the field has no default. */
export function checkValue(field: FieldSpec, value: unknown): string | null {
  const c = field.constraints;
  if (value === undefined || value === '') {
    return field.required && !field.hasDefault ? 'Required.' : null;
  }
  if (value === null) {
    return field.nullable || (field.hasDefault && field.default === null) ? null : 'Required.';
  }
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return 'Must be a number.';
    if (field.kind === 'integer' && !Number.isInteger(value)) return 'Must be a whole number.';
    if (c.minimum !== undefined && value < c.minimum) return `Must be at least ${c.minimum}.`;
    if (c.exclusiveMinimum !== undefined && value <= c.exclusiveMinimum) return `Must be greater than ${c.exclusiveMinimum}.`;
    if (c.maximum !== undefined && value > c.maximum) return `Must be at most ${c.maximum}.`;
    if (c.exclusiveMaximum !== undefined && value >= c.exclusiveMaximum) return `Must be less than ${c.exclusiveMaximum}.`;
    return null;
  }
  if (typeof value === 'string') {
    if (c.minLength !== undefined && value.length < c.minLength) {
      return c.minLength === 1 ? 'Must not be empty.' : `Must have at least ${plural(c.minLength, 'character', 'characters')}.`;
    }
    if (c.maxLength !== undefined && value.length > c.maxLength) {
      return `Must have at most ${plural(c.maxLength, 'character', 'characters')} (has ${value.length}).`;
    }
    if (c.pattern !== undefined) {
      try {
        if (!new RegExp(c.pattern, 'u').test(value)) return `Must match the pattern ${c.pattern}.`;
      } catch {
        return null;
      }
    }
    return null;
  }
  if (Array.isArray(value)) {
    if (c.minItems !== undefined && value.length < c.minItems) {
      return `Add at least ${plural(c.minItems, 'item', 'items')}.`;
    }
    if (c.maxItems !== undefined && value.length > c.maxItems) return `At most ${plural(c.maxItems, 'item', 'items')}.`;
    if (field.kind === 'stringArray' && new Set(value).size < value.length) return 'Each value only once.';
    return null;
  }
  if (isRecord(value)) {
    const count = Object.keys(value).length;
    if (c.minProperties !== undefined && count < c.minProperties) {
      return `Add at least ${plural(c.minProperties, 'entry', 'entries')}.`;
    }
    if (field.kind === 'numberMap' && Object.values(value).some((item) => typeof item !== 'number' || !Number.isFinite(item))) {
      return 'Every value must be a number.';
    }
    return null;
  }
  return null;
}
