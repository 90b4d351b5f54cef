import { Alert, Stack, Text } from '@mantine/core';
import { IconAlertTriangle } from '@tabler/icons-react';
import type { ReactNode } from 'react';
import type { JobOut } from '../../api/types.gen';

interface JobErrorAlertProps {
  job: Pick<JobOut, 'status' | 'error'>;
  title: string;
  children?: ReactNode;
}

/** Why a job ended without succeeding: its error message and code, or that it was cancelled. */
export function JobErrorAlert({ job, title, children }: JobErrorAlertProps) {
  const cancelled = job.status === 'cancelled';
  return (
    <Alert
      color={cancelled ? 'orange' : 'red'}
      variant="light"
      title={title}
      icon={<IconAlertTriangle aria-hidden />}
      role="alert"
    >
      <Stack gap="xs">
        <Text size="sm">{job.error?.message ?? (cancelled ? 'It was stopped before it finished.' : 'It stopped without saying why; its log may tell.')}</Text>
        {job.error?.code ? (
          <Text size="xs" c="dimmed" ff="monospace">
            {job.error.code}
          </Text>
        ) : null}
        {children}
      </Stack>
    </Alert>
  );
}
