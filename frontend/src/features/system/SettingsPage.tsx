import { Stack, Title } from '@mantine/core';
import { PageHeader } from '../../components/PageHeader';
import { ApiTokenForm } from './ApiTokenForm';
import { SystemStatus } from './SystemStatus';

export function SettingsPage() {
  return (
    <Stack gap="lg">
      <PageHeader title="Settings" description="This browser's API token and the server's system status." />
      <ApiTokenForm />
      <Stack gap="sm" component="section" aria-labelledby="system-title">
        <Title order={2} size="h4" id="system-title">
          System
        </Title>
        <SystemStatus />
      </Stack>
    </Stack>
  );
}
