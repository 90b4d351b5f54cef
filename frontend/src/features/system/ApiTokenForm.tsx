import { Button, Card, Group, PasswordInput, Stack, Text, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { readApiToken, writeApiToken } from '../../lib/apiToken';

export function ApiTokenForm() {
  const queryClient = useQueryClient();
  const [value, setValue] = useState(() => readApiToken() ?? '');
  const [saved, setSaved] = useState(() => readApiToken() !== null);

  const apply = (token: string | null, message: string) => {
    writeApiToken(token);
    setSaved(readApiToken() !== null);
    notifications.show({ color: 'teal', title: 'API token', message });
    // Everything fetched with the old token (or none) is refetched with the new one.
    void queryClient.invalidateQueries();
  };

  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    apply(value, value.trim() ? 'Saved in this browser.' : 'Cleared.');
  };

  return (
    <Card withBorder radius="md" padding="lg" component="section" aria-labelledby="api-token-title">
      <form onSubmit={submit}>
        <Stack gap="sm">
          <Stack gap={2}>
            <Title order={2} size="h4" id="api-token-title">
              API token
            </Title>
            <Text size="sm" c="dimmed">
              Needed only when the server was started with LATHE_API_TOKEN. It is kept in this browser's local
              storage and sent as a bearer token.
            </Text>
          </Stack>
          <PasswordInput
            label="Token"
            placeholder={saved ? 'A token is saved' : 'Paste the server token'}
            value={value}
            onChange={(event) => setValue(event.currentTarget.value)}
            autoComplete="off"
            maw={480}
          />
          <Group gap="xs">
            <Button type="submit">Save token</Button>
            <Button
              variant="default"
              disabled={!saved && !value}
              onClick={() => {
                setValue('');
                apply(null, 'Cleared.');
              }}
            >
              Clear
            </Button>
          </Group>
        </Stack>
      </form>
    </Card>
  );
}
