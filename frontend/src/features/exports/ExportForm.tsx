import { Button, Group, Stack, Text } from '@mantine/core';
import { IconPackageExport } from '@tabler/icons-react';
import { type FormEvent, useState } from 'react';
import type { JobOut } from '../../api/types.gen';
import { ErrorAlert } from '../../components/ErrorAlert';
import { RefusalAlert } from '../../components/RefusalAlert';
import { ParamField } from '../../components/fields/ParamField';
import { type FormProblems, NO_PROBLEMS, problemsOf } from '../training/config/problems';
import { ChoiceField } from './ChoiceField';
import {
  DEFAULT_CHOICES,
  DTYPE_FIELD,
  DTYPE_NOTES,
  type ExportChoices,
  exportConfig,
  FORM_FIELD_NAMES,
  FORMAT_FIELD,
  FORMAT_NOTES,
  NAME_FIELD,
  QUANT_FIELD,
  QUANT_NOTES,
} from './exportFields';
import { formatLabel } from './exportText';
import { useCreateExport } from './queries';

const NONE: never[] = [];

function withoutField(problems: FormProblems, name: string): FormProblems {
  if (!problems.byField.has(name)) return problems;
  const byField = new Map(problems.byField);
  byField.delete(name);
  return { ...problems, byField };
}

interface ExportFormProps {
  /** The adapter to export, by name. */
  adapterName: string;
  onStarted: (job: JobOut) => void;
}

/** What to export: the format, then the dtype (merged) or quantisation (GGUF) it uses, and a
 * name. The API's refusals show under the field they name; the rest above the button. */
export function ExportForm({ adapterName, onStarted }: ExportFormProps) {
  const [choices, setChoices] = useState<ExportChoices>(DEFAULT_CHOICES);
  const [problems, setProblems] = useState<FormProblems>(NO_PROBLEMS);
  const create = useCreateExport();
  // A failure that is not about the options (the adapter is gone, network, token) is shown whole.
  const failure = create.error && !problemsOf(create.error, FORM_FIELD_NAMES) ? create.error : null;

  const set = <K extends keyof ExportChoices>(key: K, value: ExportChoices[K]) => {
    setChoices((current) => ({ ...current, [key]: value }));
    setProblems((current) => withoutField(current, key));
  };
  const fieldProblems = (name: string) => problems.byField.get(name) ?? NONE;

  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    create.mutate(exportConfig(adapterName, choices), {
      onSuccess: onStarted,
      onError: (error) => setProblems(problemsOf(error, FORM_FIELD_NAMES) ?? NO_PROBLEMS),
    });
  };

  return (
    <form onSubmit={submit} noValidate aria-label={`Export ${adapterName}`}>
      <Stack gap="md">
        <ChoiceField
          field={FORMAT_FIELD}
          value={choices.format}
          onChange={(value) => set('format', value as ExportChoices['format'])}
          notes={FORMAT_NOTES}
          problems={fieldProblems('format')}
          optionLabel={(option) => formatLabel(option as ExportChoices['format'])}
          columns={3}
        />
        {choices.format === 'merged' ? (
          <ChoiceField
            field={DTYPE_FIELD}
            value={choices.dtype}
            onChange={(value) => set('dtype', value as ExportChoices['dtype'])}
            notes={DTYPE_NOTES}
            problems={fieldProblems('dtype')}
            columns={3}
          />
        ) : null}
        {choices.format === 'gguf' ? (
          <ChoiceField
            field={QUANT_FIELD}
            value={choices.quant}
            onChange={(value) => set('quant', value as ExportChoices['quant'])}
            notes={QUANT_NOTES}
            problems={fieldProblems('quant')}
            columns={2}
          />
        ) : null}
        <ParamField
          field={NAME_FIELD}
          id="export-name"
          value={choices.name || undefined}
          onChange={(value) => set('name', typeof value === 'string' ? value : '')}
          problems={fieldProblems('name')}
          marks={NONE}
          columns={NONE}
          choices={NONE}
        />
        <RefusalAlert title="The server refused this export" messages={problems.general} />
        {failure ? <ErrorAlert title="Could not start the export" error={failure} /> : null}
        <Group justify="space-between" gap="sm">
          <Text size="sm" c="dimmed">
            The export runs as a job and is verified by loading it back.
          </Text>
          <Button type="submit" loading={create.isPending} leftSection={<IconPackageExport size={16} aria-hidden />}>
            Export
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
