import { Radio, SimpleGrid } from '@mantine/core';
import { fieldErrors } from '../../components/fields/ParamField';
import type { FieldSpec } from '../../lib/jsonSchema';

interface ChoiceFieldProps {
  /** An enum field of the schema: its label and its choices. */
  field: FieldSpec;
  value: string;
  onChange: (value: string) => void;
  /** One line under each choice: what it is for, what it trades. */
  notes: Readonly<Record<string, string>>;
  /** The server's problems with this field. */
  problems: readonly string[];
  optionLabel?: (option: string) => string;
  columns?: 1 | 2 | 3;
}

/** An enum field as radio buttons, each choice with its note, so they can be compared at a
 * glance (a select would hide all but one). */
export function ChoiceField({ field, value, onChange, notes, problems, optionLabel, columns = 1 }: ChoiceFieldProps) {
  return (
    <Radio.Group label={field.label} value={value} onChange={onChange} error={fieldErrors(null, problems)} data-testid={`field-${field.name}`}>
      <SimpleGrid cols={{ base: 1, sm: columns }} spacing="xs" verticalSpacing="xs" mt={6}>
        {field.options.map((option) => (
          <Radio key={option} value={option} label={optionLabel?.(option) ?? option} description={notes[option]} />
        ))}
      </SimpleGrid>
    </Radio.Group>
  );
}
