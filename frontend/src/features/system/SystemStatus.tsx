import { Card, SimpleGrid, Stack, Title } from '@mantine/core';
import type { ReactNode } from 'react';
import { ErrorAlert } from '../../components/ErrorAlert';
import { FactList } from '../../components/FactList';
import { LoadingState } from '../../components/LoadingState';
import { AcceleratorStatus } from './AcceleratorStatus';
import { useSystemInfo } from './queries';
import { hardwareFacts, libraryFacts, studioFacts } from './systemFacts';

function Section({ title, children }: { title: string; children: ReactNode }) {
  return (
    <Card withBorder radius="md" padding="md">
      <Stack gap="sm">
        <Title order={3} size="h5">
          {title}
        </Title>
        {children}
      </Stack>
    </Card>
  );
}

export function SystemStatus() {
  const system = useSystemInfo();

  if (system.isPending) return <LoadingState label="Reading the server's system status…" />;
  if (system.isError) {
    return <ErrorAlert title="Could not read the system status" error={system.error} onRetry={() => void system.refetch()} />;
  }
  const info = system.data;
  return (
    <SimpleGrid cols={{ base: 1, lg: 2 }} spacing="md">
      <Section title="Studio">
        <FactList facts={studioFacts(info)} label="Studio" />
      </Section>
      <Section title="Libraries">
        <FactList facts={libraryFacts(info)} label="Libraries" />
      </Section>
      <Section title="Hardware">
        <FactList facts={hardwareFacts(info)} label="Hardware" />
      </Section>
      <Section title="Accelerators">
        <AcceleratorStatus info={info} />
      </Section>
    </SimpleGrid>
  );
}
