import { Button, Group, SimpleGrid, Stack } from '@mantine/core';
import { useId } from 'react';
import type { ChatSampling } from '../../api/types.gen';
import { ParamField } from '../../components/fields/ParamField';
import { SAMPLING_FIELDS, withSamplingValue } from './sampling';

const NONE: never[] = [];
// Stop strings may hold any text, commas too: only Enter ends one.
const ENTER_ONLY: readonly string[] = [];

interface SamplingPanelProps {
  value: ChatSampling;
  onChange: (next: ChatSampling) => void;
  /** The server's message for the field it refused, by field name. */
  problems: Readonly<Record<string, string>>;
}

/** Every sampling control the API takes, with its bounds, help and default from the schema;
 * a cleared field goes back to its default. */
export function SamplingPanel({ value, onChange, problems }: SamplingPanelProps) {
  const prefix = useId();
  const values = value as Record<string, unknown>;
  return (
    <Stack gap="sm">
      {/* One column in a side panel, several across a wide page. */}
      <SimpleGrid minColWidth={220} spacing="sm" verticalSpacing="sm">
        {SAMPLING_FIELDS.map((field) => {
          const problem = problems[field.name];
          return (
            <ParamField
              key={field.name}
              field={field}
              id={`${prefix}-${field.name}`}
              value={values[field.name]}
              onChange={(next) => onChange(withSamplingValue(value, field.name, next))}
              problems={problem ? [problem] : NONE}
              marks={NONE}
              columns={NONE}
              choices={NONE}
              itemPlaceholder="Type one, then Enter"
              itemSplitChars={field.name === 'stop' ? ENTER_ONLY : undefined}
            />
          );
        })}
      </SimpleGrid>
      <Group>
        <Button variant="default" size="xs" onClick={() => onChange({})} disabled={Object.keys(value).length === 0}>
          Reset to defaults
        </Button>
      </Group>
    </Stack>
  );
}
