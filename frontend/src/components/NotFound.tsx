import { Button } from '@mantine/core';
import { IconMapOff } from '@tabler/icons-react';
import { Link } from '@tanstack/react-router';
import { EmptyState } from './EmptyState';

export function NotFound() {
  return (
    <EmptyState
      icon={<IconMapOff size={26} />}
      title="Page not found"
      action={
        <Button component={Link} to="/models" variant="light">
          Go to Models
        </Button>
      }
    >
      There is nothing at this address. Use the navigation to pick an area of the studio.
    </EmptyState>
  );
}
