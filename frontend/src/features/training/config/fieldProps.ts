import type { FieldSpec } from '../../../lib/jsonSchema';

/** What every control of a config field gets. */
export interface ConfigFieldProps {
  field: FieldSpec;
  /** The control's id, unique on the page. */
  id: string;
  value: unknown;
  /** The new value; undefined unsets the field, so its default applies. */
  onChange: (value: unknown) => void;
  /** The server's problems with this field. */
  problems: readonly string[];
  /** Whether an empty required field says so (after the first try to start). */
  showRequired: boolean;
}

/** A page-unique control id for a field (`lora.r` → `training-lora-r`). */
export function configFieldId(name: string): string {
  return `training-${name.replace(/[^A-Za-z0-9_-]/g, '-')}`;
}
