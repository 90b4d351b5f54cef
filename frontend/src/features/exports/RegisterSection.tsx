import { Button, Group, Stack, Text, TextInput } from '@mantine/core';
import { IconBox, IconDatabasePlus, IconMessages } from '@tabler/icons-react';
import { type FormEvent, useState } from 'react';
import type { ExportOut } from '../../api/types.gen';
import { ErrorAlert } from '../../components/ErrorAlert';
import { AnchorLink, ButtonLink } from '../../components/RouterLinks';
import { ApiError, errorField, errorMessage } from '../../lib/apiError';
import { JobErrorAlert } from '../jobs/JobErrorAlert';
import { JobInlineProgress } from '../jobs/JobInlineProgress';
import { isActive } from '../jobs/status';
import { useModel } from '../models/queries';
import { baseName } from './exportText';
import { useRegisterExport } from './useRegisterExport';

type Registrable = Pick<ExportOut, 'id' | 'primary' | 'registered_model_id' | 'source_model_name'>;

/** The model name the server picks when none is given: the primary artifact's, without .gguf. */
function defaultModelName(item: Registrable): string {
  return baseName(item.primary).replace(/\.gguf$/i, '');
}

/** A name refused (422 naming it, or 409: taken) goes under the field; anything else is shown whole. */
function nameError(error: unknown): string | null {
  if (!(error instanceof ApiError)) return null;
  if (errorField(error) === 'name' || error.status === 409) return errorMessage(error);
  return null;
}

function RegisteredModel({ modelId, adapterName }: { modelId: number; adapterName: string | null }) {
  const model = useModel(modelId);
  const name = model.data?.name;
  return (
    <Group justify="space-between" gap="sm">
      <Text size="sm">
        Registered as{' '}
        <Text span fw={600} ff="monospace">
          {name ?? `model ${modelId}`}
        </Text>
        .
      </Text>
      <Group gap="xs">
        {name ? (
          // Beside the adapter it came from: the same answers show the export kept the fine-tune.
          <ButtonLink
            to="/chat/compare"
            search={{ models: adapterName ? `${adapterName},${name}` : name }}
            variant="light"
            leftSection={<IconMessages size={16} aria-hidden />}
          >
            Chat with it
          </ButtonLink>
        ) : null}
        <ButtonLink to="/models" search={{ model: modelId }} variant="light" leftSection={<IconBox size={16} aria-hidden />}>
          Open model
        </ButtonLink>
      </Group>
    </Group>
  );
}

function RegisterForm({ item }: { item: Registrable }) {
  const [name, setName] = useState('');
  const register = useRegisterExport(item.id);
  const { job } = register;
  const running = job !== undefined && isActive(job.status);
  const fieldError = nameError(register.startError);

  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    register.start(name.trim() || null);
  };

  return (
    <form onSubmit={submit} noValidate aria-label="Register as a model">
      <Stack gap="sm">
        <Text size="sm" c="dimmed">
          Adds this export to the model registry (a copy of its files), so it can be chatted with and compared.
        </Text>
        <Group align="flex-end" gap="sm">
          <TextInput
            label="Model name"
            placeholder={`${defaultModelName(item)} (default)`}
            value={name}
            onChange={(event) => {
              setName(event.currentTarget.value);
              if (register.startError) register.reset();
            }}
            error={fieldError}
            autoComplete="off"
            spellCheck={false}
            style={{ flex: 1, minWidth: 200 }}
          />
          <Button
            type="submit"
            loading={register.isStarting || running}
            leftSection={<IconDatabasePlus size={16} aria-hidden />}
          >
            Register as a model
          </Button>
        </Group>
        {register.startError && !fieldError ? <ErrorAlert title="Could not register the export" error={register.startError} /> : null}
        {running ? <JobInlineProgress job={job} label="Registering the export as a model" /> : null}
        {job && (job.status === 'failed' || job.status === 'cancelled') && !register.startError ? (
          <JobErrorAlert job={job} title={job.status === 'failed' ? 'Registering failed' : 'Registering was cancelled'}>
            <AnchorLink to="/jobs/$jobId" params={{ jobId: job.id }} size="xs">
              View job #{job.id} and its log
            </AnchorLink>
          </JobErrorAlert>
        ) : null}
      </Stack>
    </form>
  );
}

/** Register a merged or GGUF export as a model, then chat with it. */
export function RegisterSection({ item }: { item: Registrable }) {
  if (item.registered_model_id !== null) {
    return <RegisteredModel modelId={item.registered_model_id} adapterName={item.source_model_name} />;
  }
  return <RegisterForm item={item} />;
}
