import { Button, Card, Stack, Text, TextInput, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { IconFileImport } from '@tabler/icons-react';
import { useNavigate } from '@tanstack/react-router';
import { type FormEvent, useState } from 'react';
import type { JobOut } from '../../api/types.gen';
import { ErrorAlert } from '../../components/ErrorAlert';
import { AnchorLink } from '../../components/RouterLinks';
import { JobErrorAlert } from '../jobs/JobErrorAlert';
import { JobInlineProgress } from '../jobs/JobInlineProgress';
import { isActive } from '../jobs/status';
import { importErrors } from './importErrors';
import { useImportModel } from './useImportModel';

/** What an import job brings in: the name asked for, else its source. */
function importTarget(job: JobOut): string {
  const { name, source } = job.params;
  if (typeof name === 'string' && name) return name;
  return typeof source === 'string' ? source : `job #${job.id}`;
}

export function ImportModelForm() {
  const [source, setSource] = useState('');
  const [name, setName] = useState('');
  const navigate = useNavigate();
  const importModel = useImportModel((job) => {
    setSource('');
    setName('');
    const modelId = job.result?.model_id;
    notifications.show({ color: 'teal', title: 'Model imported', message: `${importTarget(job)} is ready.` });
    if (typeof modelId === 'number') void navigate({ to: '/models', search: { model: modelId } });
  });
  const { job } = importModel;
  const running = job !== undefined && isActive(job.status);
  const errors = importErrors(importModel.startError);
  const clearError = () => {
    if (importModel.startError) importModel.reset();
  };

  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const trimmedName = name.trim();
    importModel.start({ source: source.trim(), name: trimmedName || null });
  };

  return (
    <Card withBorder radius="md" padding="lg" component="section" aria-labelledby="import-model-title">
      <form onSubmit={submit} noValidate>
        <Stack gap="sm">
          <Stack gap={2}>
            <Title order={2} size="h4" id="import-model-title">
              Import model
            </Title>
            <Text size="sm" c="dimmed">
              A Hugging Face model folder or a .gguf file on the server, or a hub id.
            </Text>
          </Stack>
          <TextInput
            label="Path or hub id"
            placeholder="/data/models/my-llama, ./model.gguf or org/name"
            required
            value={source}
            onChange={(event) => {
              setSource(event.currentTarget.value);
              clearError();
            }}
            error={errors.source}
            autoComplete="off"
            spellCheck={false}
          />
          <TextInput
            label="Name"
            description="Optional; defaults to the folder, file or repository name."
            placeholder="my-model"
            value={name}
            onChange={(event) => {
              setName(event.currentTarget.value);
              clearError();
            }}
            error={errors.name}
            autoComplete="off"
            spellCheck={false}
          />
          {errors.form ? <ErrorAlert title="Import failed" error={errors.form} /> : null}
          {running ? <JobInlineProgress job={job} label={`Importing ${importTarget(job)}`} /> : null}
          {job && (job.status === 'failed' || job.status === 'cancelled') && !importModel.startError ? (
            <JobErrorAlert job={job} title={job.status === 'failed' ? 'Import failed' : 'Import cancelled'}>
              <AnchorLink to="/jobs/$jobId" params={{ jobId: job.id }} size="xs">
                View job #{job.id} and its log
              </AnchorLink>
            </JobErrorAlert>
          ) : null}
          <Button
            type="submit"
            loading={importModel.isStarting || running}
            disabled={!source.trim()}
            leftSection={<IconFileImport size={16} aria-hidden />}
            style={{ alignSelf: 'flex-start' }}
          >
            Import
          </Button>
        </Stack>
      </form>
    </Card>
  );
}
