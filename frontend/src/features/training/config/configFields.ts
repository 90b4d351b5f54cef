/** The training config form's fields, read from the TrainingConfig JSON schema in the backend's
 * OpenAPI document (generated into api/schemas.gen.ts): labels, help, defaults and bounds all
 * come from there, through the same reader as the recipe node forms. */
import { LoraSettingsSchema, TrainingConfigSchema } from '../../../api/schemas.gen';
import { type FieldSpec, fieldsOf, type JsonSchema } from '../../../lib/jsonSchema';

/** Chosen with its own control: picking one fills the fields it sets. */
export const PRESET_FIELD = 'preset';

// The generated schemas are deep `as const` literals: read them as plain JSON schemas.
const DOCUMENT: JsonSchema = {
  ...(TrainingConfigSchema as unknown as JsonSchema),
  components: { schemas: { LoraSettings: LoraSettingsSchema as unknown as JsonSchema } },
};

/** Every field of `schema`, with nested objects (the `lora` settings) flattened into fields of
 * dotted names (`lora.r`), the names the API's errors use. */
function flatten(schema: JsonSchema, prefix: string): FieldSpec[] {
  return fieldsOf(schema).flatMap((field) =>
    field.schema.properties
      ? flatten({ ...field.schema, components: DOCUMENT.components }, `${prefix}${field.name}.`)
      : [{ ...field, name: `${prefix}${field.name}` }],
  );
}

export const CONFIG_FIELDS: readonly FieldSpec[] = flatten(DOCUMENT, '').filter((field) => field.name !== PRESET_FIELD);

export const CONFIG_FIELD_NAMES: ReadonlySet<string> = new Set(CONFIG_FIELDS.map((field) => field.name));
