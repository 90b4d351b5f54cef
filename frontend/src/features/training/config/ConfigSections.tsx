import { Accordion, Badge, Group, SimpleGrid, Stack, Text, Title } from '@mantine/core';
import { useMemo, useState } from 'react';
import type { FieldSpec } from '../../../lib/jsonSchema';
import { ConfigField } from './ConfigField';
import { configFieldId } from './fieldProps';
import { type ConfigValues, valueAt } from './formValues';
import { type FieldSection, groupFields } from './groups';
import type { FormProblems } from './problems';

const NONE: readonly string[] = [];

interface ConfigSectionsProps {
  fields: readonly FieldSpec[];
  values: ConfigValues;
  problems: FormProblems;
  showRequired: boolean;
  onFieldChange: (name: string, value: unknown) => void;
}

function SectionFields({ section, ...props }: Omit<ConfigSectionsProps, 'fields'> & { section: FieldSection }) {
  const { values, problems, showRequired, onFieldChange } = props;
  return (
    <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="md" verticalSpacing="sm">
      {section.fields.map((field) => (
        <ConfigField
          key={field.name}
          field={field}
          id={configFieldId(field.name)}
          value={valueAt(values, field.name)}
          problems={problems.byField.get(field.name) ?? NONE}
          showRequired={showRequired}
          onFieldChange={onFieldChange}
        />
      ))}
    </SimpleGrid>
  );
}

function problemCount(section: FieldSection, problems: FormProblems): number {
  return section.fields.reduce((sum, field) => sum + (problems.byField.get(field.name)?.length ?? 0), 0);
}

/** The config's fields: the basic ones in the open, the advanced ones in folded sections that
 * open by themselves when the server finds a problem inside. */
export function ConfigSections({ fields, ...props }: ConfigSectionsProps) {
  const { basic, advanced } = useMemo(() => groupFields(fields), [fields]);
  const [opened, setOpened] = useState<string[]>([]);
  const withProblems = advanced.filter((section) => problemCount(section, props.problems) > 0).map((s) => s.group.key);
  const expanded = [...new Set([...opened, ...withProblems])];

  return (
    <Stack gap="lg">
      {basic.map((section) => (
        <Stack key={section.group.key} gap="sm" component="fieldset" className="config-fieldset">
          <Title order={3} size="h5" component="legend">
            {section.group.title}
          </Title>
          <SectionFields section={section} {...props} />
        </Stack>
      ))}
      <Stack gap="xs">
        <Title order={3} size="h5">
          Advanced
        </Title>
        <Accordion multiple variant="separated" value={expanded} onChange={setOpened}>
          {advanced.map((section) => {
            const count = problemCount(section, props.problems);
            return (
              <Accordion.Item key={section.group.key} value={section.group.key}>
                <Accordion.Control>
                  <Group gap="xs">
                    <Text size="sm" fw={500}>
                      {section.group.title}
                    </Text>
                    {count > 0 ? (
                      <Badge color="red" size="sm" variant="light">
                        {count} problem{count === 1 ? '' : 's'}
                      </Badge>
                    ) : null}
                  </Group>
                </Accordion.Control>
                <Accordion.Panel>
                  <SectionFields section={section} {...props} />
                </Accordion.Panel>
              </Accordion.Item>
            );
          })}
        </Accordion>
      </Stack>
    </Stack>
  );
}
