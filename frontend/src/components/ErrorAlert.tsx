import { Alert, Anchor, Button, Group, Stack, Text } from '@mantine/core';
import { IconAlertTriangle } from '@tabler/icons-react';
import { Link, useRouterState } from '@tanstack/react-router';
import { errorMessage, isUnauthorized } from '../lib/apiError';

interface ErrorAlertProps {
  title: string;
  error: unknown;
  onRetry?: () => void;
}

/** Shows the API's message; a 401 points to the API token on the Settings page. */
export function ErrorAlert({ title, error, onRetry }: ErrorAlertProps) {
  const unauthorized = isUnauthorized(error);
  const onSettings = useRouterState({ select: (state) => state.location.pathname === '/settings' });
  return (
    <Alert color="red" variant="light" title={title} icon={<IconAlertTriangle aria-hidden />} role="alert">
      <Stack gap="xs">
        <Text size="sm">{errorMessage(error)}</Text>
        {unauthorized ? (
          <Text size="sm">
            This server needs an API token.{' '}
            {onSettings ? (
              'Enter it in the API token field on this page.'
            ) : (
              <>
                <Anchor component={Link} to="/settings">
                  Enter it on the Settings page
                </Anchor>
                .
              </>
            )}
          </Text>
        ) : null}
        {onRetry ? (
          <Group>
            <Button size="xs" variant="light" color="red" onClick={onRetry}>
              Try again
            </Button>
          </Group>
        ) : null}
      </Stack>
    </Alert>
  );
}
