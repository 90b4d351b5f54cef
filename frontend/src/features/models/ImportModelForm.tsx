import { Button, Card, Stack, Text, TextInput, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { IconFileImport } from '@tabler/icons-react';
import { useNavigate } from '@tanstack/react-router';
import { type FormEvent, useState } from 'react';
import { ErrorAlert } from '../../components/ErrorAlert';
import { importErrors } from './importErrors';
import { useImportModel } from './queries';

export function ImportModelForm() {
  const [source, setSource] = useState('');
  const [name, setName] = useState('');
  const importModel = useImportModel();
  const navigate = useNavigate();
  const errors = importErrors(importModel.error);
  const clearError = () => {
    if (importModel.isError) importModel.reset();
  };

  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const trimmedName = name.trim();
    importModel.mutate(
      { source: source.trim(), name: trimmedName || null },
      {
        onSuccess: (model) => {
          setSource('');
          setName('');
          importModel.reset();
          notifications.show({ color: 'teal', title: 'Model imported', message: `${model.name} is ready.` });
          void navigate({ to: '/models', search: { model: model.id } });
        },
      },
    );
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
          <Button
            type="submit"
            loading={importModel.isPending}
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
